"""Latency of the web interface's pages on the Tadamon demo, optionally with many more victims.

    nice .venv/bin/python bench/bench_ui_pages.py [--requests 40] [--victims 2000]

Builds the demo in a temporary home (SQLite), adds an owner and, with ``--victims``, that many
extra SYNTHETIC victims linked to the massacre (to see the incident page at scale), then times
each page through real HTTP handling (Starlette's TestClient, in-process) and prints the median
and 95th percentile. Prints figures only; nothing here is a test.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from dalil.access import AccessSettings, Principal, create_user, get_user, grant
from dalil.db import Database, stable_id, upgrade
from dalil.demo import build
from dalil.documentation import NameInput, add_person, add_relation, get_case
from dalil.web.server import create_server

PASSWORD = "olive-harbour-lantern-copper"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--victims", type=int, default=0)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dalil-bench-ui-"))
    db = Database(f"sqlite:///{home / 'dalil.db'}")
    upgrade(db)
    build(db)
    incident = stable_id("incident", "tadamon", "massacre")
    settings = AccessSettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
    with db.transaction("bench") as s:
        case = get_case(s, "tadamon")
        create_user(s, settings, None, name="bench", password=PASSWORD, actor="bench")
        grant(s, Principal.operator("bench"), case, get_user(s, "bench"), "owner")
        for n in range(args.victims):
            person = add_person(
                s, case, [NameInput(given=f"مثال{n}", family="المثال")],
                {"status": "killed", "sensitivity": "restricted"},
            )  # fmt: skip
            add_relation(s, case, "victim_of", person.id, incident)
    person = stable_id("person", "tadamon", "synthetic-0")
    pages = {
        "dashboard": "/cases/tadamon",
        "incident": f"/cases/tadamon/incidents/{incident}",
        "incident, 500 victims shown": f"/cases/tadamon/incidents/{incident}?shown=500",
        "person": f"/cases/tadamon/persons/{person}",
        "search احمد": "/cases/tadamon/search?q=%D8%A7%D8%AD%D9%85%D8%AF",
        "admin": "/cases/tadamon/admin",
    }
    app = create_server(db, settings)
    with TestClient(app, base_url="https://testserver") as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token is not None
        client.post(
            "/login",
            data={"name": "bench", "password": PASSWORD, "csrf_token": token.group(1)},
            headers={"origin": "https://testserver"},
        )
        print(f"demo + {args.victims} extra victims, {args.requests} requests per page (SQLite)")
        print("| page | median ms | p95 ms |\n| --- | --- | --- |")
        for name, path in pages.items():
            app.state.limits = None  # the search rate limit would stop a benchmark
            client.get(path)  # warm
            times = []
            for _ in range(args.requests):
                if name.startswith("search"):
                    app.state.limits = None
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"| {name} | {statistics.median(times):.0f} | {p95:.0f} |")
    db.dispose()


if __name__ == "__main__":
    main()
