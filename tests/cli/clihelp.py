"""Running the ``dalil`` command in tests, and reading a whole database to compare it.

Tests call :func:`dalil.cli.main.main` in-process (fast, and on both databases) through
:class:`Cli`; a few tests run the installed console script as a subprocess through
:func:`run_script`. :func:`dump` reads every table so a test can say "nothing changed".
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from sqlalchemy import MetaData, create_engine, select

from dalil.cli.main import main
from dalil.db import Base

DALIL_SCRIPT = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "dalil"
ACTOR = "tester"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err

    def json(self) -> Any:
        assert self.code == 0, f"exit {self.code}: {self.err}"
        return json.loads(self.out)


_build_command = typer.main.get_command
_commands: dict[int, Any] = {}


def _cached_get_command(typer_instance: typer.Typer) -> Any:
    """Typer rebuilds the same click command on every call (~50 ms); build it once per app.

    Only the test harness takes this short cut; :func:`run_script` runs the real, uncached path.
    """
    key = id(typer_instance)
    if key not in _commands:
        _commands[key] = _build_command(typer_instance)
    return _commands[key]


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 1


class Cli:
    """``dalil`` run in-process with DALIL_HOME, DALIL_DATABASE_URL and DALIL_ACTOR set."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
        home: Path,
        url: str | None,
    ) -> None:
        self.monkeypatch, self.capsys, self.home, self.url = monkeypatch, capsys, home, url
        for name in [n for n in os.environ if n.startswith("DALIL_")]:
            monkeypatch.delenv(name)  # tests start from none of the developer's settings
        monkeypatch.setenv("DALIL_HOME", str(home))
        monkeypatch.setenv("DALIL_DEMO_HOME", str(home / "demo"))
        monkeypatch.setenv("DALIL_ACTOR", ACTOR)
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.setattr(typer.main, "get_command", _cached_get_command)
        if url is not None:
            monkeypatch.setenv("DALIL_DATABASE_URL", url)

    def setenv(self, name: str, value: str) -> None:
        self.monkeypatch.setenv(name, value)

    def run(self, *args: str) -> Result:
        self.capsys.readouterr()  # drop whatever was printed before
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        out, err = self.capsys.readouterr()
        return Result(code, out, err)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.code == 0, f"dalil {' '.join(args)} exited {result.code}: {result.output}"
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").out)

    def new_id(self, *args: str) -> str:
        """Run an ``add``/``create`` command and return the ID it printed."""
        out = self.ok(*args).out
        words = [w.strip("():") for w in out.split()]
        ids = [w for w in words if "_" in w and w.split("_")[0] in _ID_PREFIXES]
        assert ids, out
        return ids[0]


_ID_PREFIXES = {"case", "plc", "inc", "per", "org", "src", "rel", "clm"}


_reflected: dict[str, MetaData] = {}


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the database (found by reflection), in a stable order."""
    engine = create_engine(url)
    try:
        if url not in _reflected:  # the schema does not change under a test; its rows do
            _reflected[url] = MetaData()
            _reflected[url].reflect(engine)
        tables = _reflected[url].sorted_tables
        assert {t.name for t in Base.metadata.sorted_tables} <= {t.name for t in tables}
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(select(table))), key=repr
                )
                for table in tables
            }
    finally:
        engine.dispose()


def script_env(home: Path, url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DALIL_")}
    env |= {"DALIL_HOME": str(home), "DALIL_ACTOR": ACTOR, "COLUMNS": "200"}
    env |= {"DALIL_DEMO_HOME": str(home / "demo"), "PYTHONIOENCODING": "utf-8"}
    if url is not None:
        env["DALIL_DATABASE_URL"] = url
    return env


def run_script(env: dict[str, str], *args: str) -> Result:
    """The installed ``dalil`` console script, as a user's shell would run it."""
    done = subprocess.run(
        [str(DALIL_SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


SNC_TITLE = "بيان الائتلاف الوطني السوري حول مجزرة التضامن"
ARAB_NEWS_TITLE = "Arab News opinion piece (288 civilians)"


def seed(cli: Cli) -> dict[str, str]:
    """A small case built through the CLI; returns the IDs it printed, by name."""
    ids: dict[str, str] = {}
    ids["case"] = cli.new_id(
        "case", "create", "tadamon", "--title-en", "Tadamon massacre", "--title-ar", "مجزرة التضامن"
    )
    ids["syria"] = cli.new_id(
        "place", "add", "--type", "country", "--name-en", "Syria", "--name-ar", "سوريا"
    )
    ids["damascus"] = cli.new_id(
        "place", "add", "--type", "governorate", "--name-en", "Damascus", "--name-ar", "دمشق",
        "--parent", ids["syria"],
    )  # fmt: skip
    ids["snc"] = cli.new_id(
        "source", "add", "--type", "statement", "--title", SNC_TITLE,
        "--publisher", "Syrian National Coalition", "--published", "2022", "--language", "ar",
    )  # fmt: skip
    ids["arabnews"] = cli.new_id(
        "source", "add", "--type", "news_article", "--title", ARAB_NEWS_TITLE,
        "--publisher", "Arab News", "--published", "2022",
    )  # fmt: skip
    ids["incident"] = cli.new_id(
        "incident", "add", "--title-en", "Tadamon massacre", "--title-ar", "مجزرة التضامن",
        "--start", "2013-04-16", "--violation", "extrajudicial_execution",
        "--place", ids["damascus"],
    )  # fmt: skip
    ids["person"] = cli.new_id(
        "person", "add", "--given", "أحمد", "--family", "المثال", "--other-name", "Ahmad al-Mithal"
    )
    ids["branch"] = cli.new_id(
        "org", "add", "--type", "intelligence_branch", "--name-en", "Branch 227",
        "--name-ar", "الفرع 227", "--abbreviation", "B227",
    )  # fmt: skip
    return ids
