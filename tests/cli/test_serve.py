"""``dalil serve``: a real uvicorn process answering real HTTP, loopback-only unless told."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from cli.clihelp import DALIL_SCRIPT, Cli, script_env
from dalil.access import AccessSettings, create_token, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.db import Database
from dalil.documentation import create_case


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_real_requests(tmp_path: Path, db_url: str) -> None:
    settings = AccessSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)
    db = Database(db_url)
    with db.transaction("op") as s:
        case = create_case(s, "tadamon", title_en="Tadamon")
        create_user(s, settings, None, name="reader", password="long-enough-pass-phrase",
                    actor="op")  # fmt: skip
        grant(s, Principal.operator("op"), case, get_user(s, "reader"), "viewer")
        token = create_token(
            s, settings, Principal.operator("op"), get_user(s, "reader"), case, "viewer", 1
        ).token
    db.dispose()
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(DALIL_SCRIPT), "serve", "--port", str(port)],
            env=script_env(tmp_path, db_url), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                schema = httpx.get(f"{base}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "dalil serve did not start in 60 s"
                time.sleep(0.3)
        assert schema.status_code == 200
        assert "/api/cases/{slug}" in schema.json()["paths"]
        refused = httpx.get(f"{base}/api/cases/tadamon")
        assert refused.status_code == 401
        answer = httpx.get(
            f"{base}/api/cases/tadamon", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200
        assert answer.json()["role"] == "viewer"
        assert "server" not in answer.headers
        # A search is not written to the server's log (no access log: query strings hold names).
        httpx.get(
            f"{base}/api/cases/tadamon/persons?q=SecretName",
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "SecretName" not in log.read_text()
    assert token not in log.read_text()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_serve_refuses_other_addresses_without_allow_remote(cli: Cli, host: str) -> None:
    result = cli.run("serve", "--host", host)
    assert result.code != 0
    assert "--allow-remote" in result.output
    assert "Traceback" not in result.output
