"""The installed ``dalil`` console script works from a shell, end to end.

The other CLI tests call ``dalil.cli.main.main`` in-process; these run the real executable in a
child process, with its own environment, exit code and UTF-8 pipes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cli.clihelp import DALIL_SCRIPT, Cli, run_script, script_env
from dalil import __version__


def test_version() -> None:
    version = run_script(script_env(Path("/nonexistent"), None), "--version")
    assert (version.code, version.out.strip()) == (0, f"dalil {__version__}")


def test_a_first_session_on_the_default_sqlite_database(tmp_path: Path) -> None:
    env = script_env(tmp_path, None)  # no DALIL_DATABASE_URL: SQLite inside DALIL_HOME
    assert run_script(env, "init").code == 0
    assert (tmp_path / "dalil.db").is_file()
    created = run_script(env, "case", "create", "tadamon", "--title-ar", "مجزرة التضامن")
    assert created.code == 0, created.err

    listed = run_script(env, "case", "list", "--json")  # UTF-8 JSON through a pipe
    assert listed.code == 0, listed.err
    (case,) = json.loads(listed.out)
    assert (case["slug"], case["title_ar"]) == ("tadamon", "مجزرة التضامن")


def test_purge_asks_first_and_no_keeps_the_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(monkeypatch, capsys, tmp_path, None)  # set up in-process: it is faster
    cli.ok("init")
    cli.ok("case", "create", "t", "--title-en", "T")
    person = cli.new_id("person", "add", "--full", "Witness One")
    cli.ok("delete", person)

    asked = subprocess.run(
        [str(DALIL_SCRIPT), "purge", person, "--reason", "entered in error"],
        env=script_env(tmp_path, None),
        input="n\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert asked.returncode == 1
    assert "for good?" in asked.stdout
    assert "Traceback" not in asked.stdout + asked.stderr
    cli.ok("restore", person)  # still there to restore
    assert cli.json("person", "show", person)["label"] == "Witness One"
