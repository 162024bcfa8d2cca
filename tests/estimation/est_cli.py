"""Running ``dalil`` in-process for the estimation tests, on the ``db_url`` database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dalil.cli.main import main

SETTINGS_ENV = ("DALIL_HOME", "DALIL_DATABASE_URL", "DALIL_ACTOR", "DALIL_CASE", "DALIL_DEBUG")


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


class EstCli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self.capsys = capsys

    def run(self, *args: str) -> Ran:
        self.capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)

    def ok(self, *args: str) -> Ran:
        ran = self.run(*args)
        assert ran.code == 0, f"dalil {' '.join(args)} exited {ran.code}: {ran.out}{ran.err}"
        assert "Traceback" not in ran.out + ran.err
        return ran

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").out)


@pytest.fixture
def est_cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_url: str,
) -> EstCli:
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DALIL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DALIL_DATABASE_URL", db_url)
    monkeypatch.setenv("DALIL_ACTOR", "tester")
    monkeypatch.setenv("COLUMNS", "200")
    return EstCli(monkeypatch, capsys)
