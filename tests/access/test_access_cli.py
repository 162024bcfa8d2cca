"""``dalil user|role|token|keys`` and the ``audit`` command end to end, on both databases."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.clihelp import Cli
from dalil.access.crypto import MasterKey, write_key_file
from dalil.cli.access import audit

PASSWORD = "tall-olive-tree-by-the-river"
CANARY = "CANARY-9c1e-family-contact"


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> Cli:
    runner = Cli(monkeypatch, capsys, tmp_path / "home", db_url)
    for name, value in {
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "64",
        "ARGON2_PARALLELISM": "1",
    }.items():
        runner.setenv(f"DALIL_{name}", value)
    key_file = tmp_path / "keys" / "master.key"
    key_file.parent.mkdir()
    write_key_file(key_file, MasterKey.generate(), None)
    runner.setenv("DALIL_MASTER_KEY_FILE", str(key_file))
    runner.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    return runner


def _add_user(cli: Cli, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    return cli.ok("user", "add", *args, "--password-stdin").out


def _audit(*args: str) -> dict[str, object]:
    app = typer.Typer()
    app.command()(audit)
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_users_roles_tokens_and_audit_end_to_end(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _add_user(cli, monkeypatch, "root", "--admin")
    assert "otpauth://totp/Dalil:root" in out
    assert out.count("-") >= 30  # ten recovery codes, shown once
    _add_user(cli, monkeypatch, "amal")
    users = {u["name"]: u for u in cli.json("user", "list")}
    assert users["root"]["admin"]
    assert users["root"]["totp"]
    assert users["root"]["recovery_codes_left"] == 10
    assert not users["amal"]["totp"]
    assert PASSWORD not in json.dumps(users)

    cli.ok("role", "grant", "amal", "investigator", "--case", "tadamon")
    (member,) = cli.json("role", "list", "--case", "tadamon")
    assert (member["user"], member["role"], member["granted_by"]) == (
        "amal",
        "investigator",
        "tester",
    )
    refused = cli.run("token", "create", "--user", "amal", "--role", "owner", "--case", "tadamon")
    assert refused.code != 0
    assert "does not hold owner" in refused.output
    made = cli.ok(
        "token", "create", "--user", "amal", "--role", "analyst", "--case", "tadamon", "--days", "7"
    )
    token = made.out.strip().splitlines()[-1]
    assert token.startswith("dalil_")
    token_id = made.out.split()[1]
    cli.ok("token", "revoke", token_id)

    cli.ok("user", "reset-2fa", "amal")
    cli.ok("user", "disable", "amal")
    assert cli.json("user", "list")[0]["disabled"] is True

    trail = _audit("--case", "tadamon", "--verify")
    actions = [e["action"] for e in trail["entries"]]  # type: ignore[index]
    assert actions == ["role_grant", "token_create", "token_revoke"]
    assert trail["verified"]["ok"] is True  # type: ignore[index]
    everything = [e["action"] for e in _audit("--all")["entries"]]  # type: ignore[index]
    assert {"user_add", "user_2fa_reset", "user_disable"} <= set(everything)
    assert token not in json.dumps(_audit("--all"))


def test_password_is_never_taken_from_argv(cli: Cli) -> None:
    result = cli.run("user", "add", "amal", "--password", PASSWORD)
    assert result.code != 0
    assert "No such option" in result.output


def test_weak_password_is_refused_without_echo(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("amal-password-1\n"))
    result = cli.run("user", "add", "amal", "--password-stdin")
    assert result.code != 0
    assert "must not contain the user name" in result.output
    assert "amal-password-1" not in result.output


def test_keys_status_and_rotate_never_print_keys_or_values(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from dalil.access.confidential import put_confidential
    from dalil.access.crypto import load_master_key
    from dalil.access.policy import Principal
    from dalil.access.settings import load_access_settings
    from dalil.db import Case, Database

    assert cli.url is not None
    master = load_master_key(load_access_settings(cli.home), cli.home)
    db = Database(cli.url)
    with db.transaction("op") as s:
        case = s.scalars(select(Case)).one()
        put_confidential(s, master, Principal.operator("op"), case.id, "per_x", "phone", CANARY)
    db.dispose()

    status = cli.json("keys", "status")
    assert status["master_key_id"] == master.key_id
    assert [k["values"] for k in status["data_keys"]] == [1]
    new_file = tmp_path / "keys" / "new.key"
    cli.ok("keys", "generate", str(new_file))
    rotated = cli.ok("keys", "rotate", "--new-key-file", str(new_file), "--reencrypt")
    assert "1 data keys re-wrapped, 1 values re-encrypted" in rotated.out
    old_file_text = (tmp_path / "keys" / "master.key").read_text().strip()
    assert old_file_text not in rotated.output
    assert new_file.read_text().strip() not in rotated.output
    cli.setenv("DALIL_MASTER_KEY_FILE", str(new_file))
    status = cli.json("keys", "status")
    assert status["data_keys"][0]["master_key_id"] == status["master_key_id"] != master.key_id
    trail = json.dumps(_audit("--all"))
    assert "key_rotate" in trail
    for output in (rotated.output, json.dumps(status), trail):
        assert CANARY not in output
