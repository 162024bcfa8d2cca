"""Fixtures of the browser tests: the demo served by ``dalil serve`` and Debian's chromium.

One session builds the Tadamon demo in a temporary home (``dalil demo --home``), adds a test
owner through :mod:`dalil.access`, starts ``dalil serve`` on a free 127.0.0.1 port and launches
``/usr/bin/chromium`` headless through Playwright (never a downloaded browser). Without chromium
the tests are skipped with a loud notice, unless CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OWNER = "owner.test"
PASSWORD = "seven-blue-lanterns-over-aleppo"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_skipped: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_sep("!", "BROWSER TESTS WERE SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_skipped[0])
        terminalreporter.write_line("Install Debian's chromium (make test does); CI=true fails.")


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: the interface was not tested in a browser"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    _skipped.append(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _dalil() -> list[str]:
    script = Path(sys.executable).with_name("dalil")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dalil"]


@dataclass(frozen=True)
class Site:
    url: str
    home: Path
    incident: str
    env: dict[str, str]  # the server's environment (its master key file among it)


def _serve(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int, Any]:
    """``dalil serve`` on a free port, up and answering; a port taken by another process in
    the meantime (the machine is shared) is tried again with another."""
    for _attempt in range(3):
        port = _free_port()
        log = (home / "serve.log").open("w")
        server = subprocess.Popen(
            [*_dalil(), "serve", "--home", str(home), "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while server.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server, port, log
            except OSError:
                time.sleep(0.2)
        server.kill()
        server.wait(timeout=10)
        log.close()
    raise RuntimeError("dalil serve did not start: " + (home / "serve.log").read_text())


def _add_owner(home: Path) -> None:
    from dalil.access import AccessSettings, Principal, create_user, get_user, grant
    from dalil.db import Database
    from dalil.documentation import get_case

    db = Database(f"sqlite:///{home / 'dalil.db'}")
    settings = AccessSettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
    try:
        with db.transaction("browser-tests") as s:
            create_user(s, settings, None, name=OWNER, password=PASSWORD, actor="browser-tests")
            grant(s, Principal.operator("browser-tests"), get_case(s, "tadamon"),
                  get_user(s, OWNER), "owner")  # fmt: skip
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_chromium()
    from dalil.db import stable_id

    home = tmp_path_factory.mktemp("browser-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DALIL_")}
    env |= {"DALIL_HOME": str(home), "DALIL_DEMO_HOME": str(home)}
    built = subprocess.run([*_dalil(), "demo", "--home", str(home), "--quiet"], env=env,
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    if built.returncode != 0:
        raise RuntimeError("dalil demo failed: " + built.stderr[-3000:])
    _add_owner(home)
    # A master key (outside the home) so that accounts may enrol a second factor (TOTP).
    key = tmp_path_factory.mktemp("browser-keys") / "master.key"
    subprocess.run([*_dalil(), "keys", "generate", str(key)], env=env, check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    env["DALIL_MASTER_KEY_FILE"] = str(key)
    server, port, log = _serve(home, env)
    try:
        yield Site(
            f"http://127.0.0.1:{port}", home, stable_id("incident", "tadamon", "massacre"), env
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def chromium(site: Site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _tab(chromium: Any, site: Site, state: Any = None) -> Any:
    context = chromium.new_context(
        base_url=site.url, locale="en-GB", viewport={"width": 1280, "height": 900},
        storage_state=state,
    )  # fmt: skip
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    return tab


@pytest.fixture
def page(chromium: Any, site: Site) -> Iterator[Any]:
    """A fresh browser context (no cookies) with a page, English by default."""
    tab = _tab(chromium, site)
    try:
        yield tab
    finally:
        tab.context.close()


@pytest.fixture(scope="session")
def owner_state(chromium: Any, site: Site) -> Any:
    """The cookies of one login as the test owner (logins are rate-limited per account)."""
    tab = _tab(chromium, site)
    try:
        log_in(tab)
        return tab.context.storage_state()
    finally:
        tab.context.close()


@pytest.fixture
def owner_page(chromium: Any, site: Site, owner_state: Any) -> Iterator[Any]:
    """A page already logged in as the test owner, in a context of its own."""
    tab = _tab(chromium, site, owner_state)
    try:
        yield tab
    finally:
        tab.context.close()


def log_in(tab: object, name: str = OWNER, password: str = PASSWORD) -> None:
    tab.goto("/login")  # type: ignore[attr-defined]
    tab.get_by_label("Account name").fill(name)  # type: ignore[attr-defined]
    tab.get_by_label("Password").fill(password)  # type: ignore[attr-defined]
    tab.get_by_role("button", name="Log in").click()  # type: ignore[attr-defined]
    tab.wait_for_url("**/cases")  # type: ignore[attr-defined]


def shoot(tab: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
