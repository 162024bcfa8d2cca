"""``dalil config`` shows every setting, and no output ever shows a database password.

A password can sit in DALIL_DATABASE_URL (in the environment or in ``$DALIL_HOME/dalil.env``);
``config``, ``init`` and every error message must mask it or leave the URL out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.clihelp import Cli
from dalil.config import describe_settings
from dalil.db import head_revision

PASSWORD = "topsecret"
UNREACHABLE = f"postgresql+psycopg://dalil:{PASSWORD}@127.0.0.1:1/dalil"


@pytest.fixture
def bare(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Cli:
    """``dalil`` with only DALIL_HOME and DALIL_ACTOR set: no database configured."""
    return Cli(monkeypatch, capsys, tmp_path, None)


def _settings() -> list[str]:
    return [variable for variable, _ in describe_settings()]


def test_config_json_shows_every_setting_with_its_effective_value(bare: Cli) -> None:
    bare.setenv("DALIL_CASE", "tadamon")
    bare.setenv("DALIL_LANGUAGE", "ar")
    shown = bare.json("config")
    assert sorted(f"DALIL_{name.upper()}" for name in shown) == sorted(_settings())
    assert shown["home"] == str(bare.home)
    # No URL configured: SQLite inside DALIL_HOME.
    assert shown["database_url"] == f"sqlite:///{bare.home / 'dalil.db'}"
    assert shown["actor"] == "tester"
    assert (shown["case"], shown["language"]) == ("tadamon", "ar")
    assert (shown["debug"], shown["sql_echo"]) == (False, False)


def test_config_table_names_every_variable_and_what_it_means(bare: Cli) -> None:
    table = bare.ok("config").out
    for variable, meaning in describe_settings():
        assert variable in table
        assert meaning.split()[0] in table
    assert f"schema expected by this version: {head_revision()}" in table


def test_config_reads_the_env_file_in_dalil_home(bare: Cli) -> None:
    (bare.home / "dalil.env").write_text("DALIL_CASE=hama-1982\nDALIL_LANGUAGE=ar\n", "utf-8")
    shown = bare.json("config")
    assert (shown["case"], shown["language"]) == ("hama-1982", "ar")


@pytest.mark.parametrize("where", ["environment", "env file"])
@pytest.mark.parametrize("as_json", [False, True], ids=["table", "json"])
def test_config_masks_the_database_password(bare: Cli, where: str, as_json: bool) -> None:
    if where == "environment":
        bare.setenv("DALIL_DATABASE_URL", UNREACHABLE)
    else:
        (bare.home / "dalil.env").write_text(f"DALIL_DATABASE_URL={UNREACHABLE}\n", "utf-8")
    result = bare.ok("config", *(["--json"] if as_json else []))
    assert PASSWORD not in result.output
    assert "postgresql+psycopg://dalil:***@127.0.0.1:1/dalil" in result.out


def test_config_masks_a_password_with_escaped_characters(bare: Cli) -> None:
    bare.setenv("DALIL_DATABASE_URL", "postgresql://dalil:top%40secret%2F1@db.internal/dalil")
    result = bare.ok("config", "--json")
    assert "secret" not in result.output
    assert bare.json("config")["database_url"] == "postgresql+psycopg://dalil:***@db.internal/dalil"


def test_config_masks_a_password_given_as_a_query_parameter(bare: Cli) -> None:
    bare.setenv(
        "DALIL_DATABASE_URL", f"postgresql+psycopg://dalil@127.0.0.1:1/dalil?password={PASSWORD}"
    )
    result = bare.ok("config", "--json")
    assert PASSWORD not in result.output


@pytest.mark.parametrize("command", [("init",), ("case", "list"), ("config",)])
def test_errors_about_an_unreachable_server_never_show_the_password(
    bare: Cli, command: tuple[str, ...]
) -> None:
    bare.setenv("DALIL_DATABASE_URL", UNREACHABLE)
    result = bare.run(*command)
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output
    if command != ("config",):  # config needs no server
        assert result.code == 4
        assert result.err.startswith("error: the database could not be used")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"mysql://u:{PASSWORD}@h/x", "uses 'mysql'; Dalil supports sqlite and postgresql"),
        (f"postgresql://u:{PASSWORD}@h:port/x", "is not a database URL"),
        (f"not a url but {PASSWORD}", "is not a database URL"),
    ],
    ids=["mysql", "bad-port", "not-a-url"],
)
@pytest.mark.parametrize("command", [("config",), ("case", "list")])
def test_an_unusable_database_url_is_refused_without_echoing_it(
    bare: Cli, url: str, says: str, command: tuple[str, ...]
) -> None:
    bare.setenv("DALIL_DATABASE_URL", url)
    result = bare.run(*command)
    assert result.code == 2
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output
    assert result.err.startswith("error: invalid configuration: DALIL_DATABASE_URL")
    assert says in result.err


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DALIL_LANGUAGE", "fr"), ("DALIL_DEBUG", "sometimes"), ("DALIL_SQL_ECHO", "loud")],
)
def test_an_invalid_setting_names_the_variable(bare: Cli, variable: str, value: str) -> None:
    bare.setenv(variable, value)
    result = bare.run("config")
    assert result.code == 2
    assert result.err.startswith(f"error: invalid configuration: {variable}:")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("actor", ["", "a" * 200], ids=["empty", "200-chars"])
def test_an_actor_that_cannot_be_recorded_is_refused_up_front(cli: Cli, actor: str) -> None:
    cli.setenv("DALIL_ACTOR", actor)
    result = cli.run("case", "create", "tadamon", "--title-en", "Tadamon")
    assert result.code == 2
    assert result.err.startswith("error: invalid configuration: DALIL_ACTOR")


def test_a_home_that_cannot_be_created_is_named_in_the_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the home folder should go", "utf-8")
    cli = Cli(monkeypatch, capsys, blocker / "home", None)
    result = cli.run("init")
    assert result.code in (2, 4)
    assert "Traceback" not in result.output
    assert result.err.startswith("error: ")
    assert "DALIL_HOME" in result.err or str(blocker) in result.err
