"""Benchmark: API latency of person pages and name search with 1M persons, 50 concurrent clients.

1. Builds a case of N synthetic persons (default 1,000,000) by bulk Core inserts into the entity,
   person, name and search-index tables (fast, not the validated write path; the index rows come
   from the same functions the write path uses, the per-token counts from the index as a rebuild
   makes them). SQLite files are cached under ``/tmp/dalil-bench-api``; the PostgreSQL database
   ``dalil_bench_api`` is created (and vacuumed, as autovacuum would) and, unless ``--keep-pg``,
   dropped at the end (a kept one is reused). A database found built is migrated to this Dalil's
   schema first (a later migration derives what it adds from the data, as on a real upgrade).
2. Measures the search in-process (no HTTP), to separate it from the API's own overhead: the
   exact count, the exact page (what the API answered before its cap) and the capped page the
   API answers now (``search_matches``, ``SEARCH_CAP``), by how many persons a query finds.
3. Serves ``dalil.web.api.app.create_app`` under uvicorn in a subprocess on 127.0.0.1 (1 worker,
   then 2) and drives it with :mod:`api_load`: 50 clients, a mix of ``GET /api/persons/{id}`` and
   ``GET /api/cases/bench/persons?q=``, with a bearer token from ``dalil.access.create_token``;
   ``--think S`` makes each client pause between requests (exponential, mean S seconds, like a
   locust user's ``wait_time``), ``--think 0`` is a closed loop (saturation). Prints
   p50/p95/p99 and throughput per endpoint.
4. ``--profile N`` (with ``--workers ""``): N requests of each kind in-process, timed without
   and then with cProfile (top functions by own time, Dalil's by cumulative time).
5. ``--answers DIR`` (alone): the API's answer to every distinct workload query (total, "at
   least", the first page's IDs), written to ``DIR/answers-<backend>.json``, with the time of
   each search (in-process, second of two passes). Run it with two Dalils (``PYTHONPATH`` of a
   copy of each tree) on the same databases and compare the files: a change that should not
   change answers must give identical files. It neither builds nor migrates.

Every person is invented: names are drawn at random from common Syrian given names
(``dalil/registry/names/variants.yaml`` and a list below) and made-up family names.

Run (the machine is shared: take the bench lock so that no two benchmarks overlap):
``flock /tmp/dalil-bench.lock nice .venv/bin/python bench/bench_api.py [--persons 1000000]
[--backends sqlite,postgresql] [--think 1] [--keep-pg]``
Record the printed figures, with date, machine and load average, in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).parent))

from api_load import run_load

from dalil.access import AccessSettings, create_token, create_user, get_user, grant
from dalil.access.policy import Principal
from dalil.db import Database, Entity, Person, PersonName, current_revision, stable_id, upgrade
from dalil.db.models_search import TRANSLIT, WORD, PersonSearchKey
from dalil.documentation import (
    count_persons,
    create_case,
    get_case,
    search_matches,
    search_page,
)
from dalil.documentation.search_index import (
    OWN_PARTS,
    name_text,
    translit_tokens,
    word_tokens,
    words_of,
)
from dalil.registry.names import variant_sets
from dalil.values import script_of, search_key

CACHE = Path("/tmp/dalil-bench-api")
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "dalil_bench_api"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
# Bump when the generated data or the index derivation changes (the per-token counts of
# migration 0010 are derived from the index by the migration: same data, same version).
DATA_VERSION = "4"
PASSWORD = "tall-olive-tree-by-the-river"  # synthetic, for a throw-away database
LEVELS = ["public"] * 25 + ["restricted"] * 70 + ["confidential"] * 5
SETTINGS = AccessSettings(argon2_time_cost=1, argon2_memory_kib=64, argon2_parallelism=1)

MORE_GIVEN = """سامر عماد وائل ماهر باسل نزار غسان رامي زياد طارق هشام جمال كمال فراس أنس بلال
حمزة معاذ عمار ياسر منذر مازن نبيل عادل فادي شادي رائد أيمن أسامة وليد سليم سليمان عيسى موسى
داود يحيى زكريا إسماعيل إلياس جميل حسام مهند قاسم رضوان عدنان مروان هيثم نادر عبد_الكريم
عبد_الرزاق عبد_الحميد سمير منير بشير نذير رياض فايز فواز ناصر منصور ماجد راشد حامد محمود
سعاد هدى رنا ريم لينا سلمى نور هبة آمنة سارة ليلى دعاء رغد بتول أسماء رحاب وفاء سوسن""".split()  # noqa: SIM905
SYLLABLES = ["حم", "دا", "ني", "شر", "قا", "وي", "سل", "طا", "رو", "نج", "بك", "زي", "عو", "فر",
             "لو", "كا", "مي", "صا", "غن", "تو", "جا", "هد", "بر", "خو"]  # fmt: skip
ARABIC_TO_LATIN = dict(
    zip(
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويىةءأإآ",
        "a b t th j h kh d dh r z s sh s d t z a gh f q k l m n h w y a a a a i a".split(),  # noqa: SIM905
        strict=True,
    )
)


# --- synthetic names --------------------------------------------------------------------------


class Names:
    """Skewed draws: a few given names are very common, family names have a long tail."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        variants = variant_sets()
        self.latin: dict[str, list[str]] = {v.arabic: list(v.latin) for v in variants}
        given = [v.arabic for v in variants if not v.arabic.startswith(("ال", "أم", "أبو"))]
        given += [g.replace("_", " ") for g in MORE_GIVEN]
        self.given = list(dict.fromkeys(given))
        self.given_w = [1 / (i + 1) ** 0.9 for i in range(len(self.given))]
        families = dict.fromkeys(v.arabic for v in variants if v.arabic.startswith("ال"))
        rng = random.Random(seed + 1)
        while len(families) < 20_000:
            word = "ال" + "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
            families.setdefault(word + rng.choice(("", "ي", "ي", "ة")))
        self.families = list(families)
        self.family_w = [1 / (i + 1) ** 1.05 for i in range(len(self.families))]
        self.given_cum = list(accumulate(self.given_w))
        self.family_cum = list(accumulate(self.family_w))

    def _latin(self, arabic: str) -> str:
        spellings = self.latin.get(arabic)
        if spellings:
            return self.rng.choice(spellings)
        if arabic.startswith("ال"):
            return "al-" + self._latin(arabic[2:]).lower()
        out = "".join(
            ARABIC_TO_LATIN.get(c, "") + ("a" if i % 2 else "") for i, c in enumerate(arabic)
        )
        return out[:1].upper() + out[1:]

    def person(self) -> list[dict[str, Any]]:
        """One person's names: Arabic parts, and for some a Latin spelling (or only Latin)."""
        rng = self.rng
        given, father, grandfather = rng.choices(self.given, cum_weights=self.given_cum, k=3)
        family = rng.choices(self.families, cum_weights=self.family_cum)[0]
        arabic = {"given": given, "father": father, "grandfather": grandfather, "family": family}
        latin = {k: self._latin(v) for k, v in arabic.items() if k != "grandfather"}
        draw = rng.random()
        if draw < 0.1:
            return [latin]
        if draw < 0.35:
            return [arabic, latin]
        return [arabic]


@lru_cache(maxsize=1 << 18)
def _part_tokens(part: str) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(word_tokens(part)), frozenset(translit_tokens(part))


@lru_cache(maxsize=1 << 18)
def _part_info(part: str) -> tuple[str, str]:
    return script_of(part), search_key(part)


def _tokens(parts: list[str]) -> tuple[set[str], set[str]]:
    """The index tokens of a name, part by part (cached): the bench draws parts from a
    vocabulary, so this is the write path's derivation without re-deriving each part a million
    times. ``build`` checks it against the whole-name derivation on a sample."""
    words: set[str] = set()
    keys: set[str] = set()
    for part in parts:
        w, k = _part_tokens(part)
        words |= w
        keys |= k
    return words, keys


def _name_rows(person_id: str, names: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    rows = []
    for position, parts in enumerate(names):
        own = [parts[p] for p in OWN_PARTS if p in parts]
        full = " ".join(own)
        scripts = {_part_info(p)[0] for p in own} - {"none"}
        script = scripts.pop() if len(scripts) == 1 else ("mixed" if scripts else "none")
        rows.append(
            {
                "id": stable_id("person_name", "bench", str(n), str(position)),
                "person_id": person_id,
                "position": position,
                "kind": "primary" if position == 0 else "variant",
                "script": script if script != "none" else "zyyy",
                "given": parts.get("given"),
                "father": parts.get("father"),
                "grandfather": parts.get("grandfather"),
                "family": parts.get("family"),
                "mother": None,
                "full": full,
                "search_key": " ".join(_part_info(p)[1] for p in own),
            }
        )
    return rows


# --- building the database --------------------------------------------------------------------


def _pg_exists() -> bool:
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        found = c.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DB})
    admin.dispose()
    return bool(found)


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(sql))
    admin.dispose()


def _marker(n: int) -> str:
    return f"bench {n} v{DATA_VERSION}"


def _is_built(url: str, n: int) -> bool:
    db = Database(url)
    try:
        with db.reader() as s:
            case = get_case(s, "bench")
            return case.title_en == _marker(n)
    except Exception:
        return False
    finally:
        db.dispose()


def _copy(connection: Any, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """PostgreSQL COPY (an order of magnitude faster than INSERT for millions of rows)."""
    raw = connection.connection.dbapi_connection
    quoted = ", ".join(f'"{c}"' for c in columns)  # "full" is a reserved word
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row([row[c] for c in columns])


def _sqlite(value: Any) -> Any:
    """A value as SQLAlchemy would store it in SQLite (timestamps naive UTC text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def build(url: str, n: int, seed: int = 7, batch: int = 20_000) -> dict[str, float]:
    """A migrated database holding case ``bench`` with ``n`` persons; returns timings."""
    db = Database(url)
    upgrade(db)
    started = time.perf_counter()
    with db.transaction("bench") as s:
        case = create_case(s, "bench", title_en="building")
        create_user(s, SETTINGS, None, name="bench", password=PASSWORD, actor="bench")
        grant(s, Principal.operator("bench"), case, get_user(s, "bench"), "owner")
        case_id = case.id
    names = Names(seed)
    tables = {
        "entities": Entity.__table__,
        "persons": Person.__table__,
        "person_names": PersonName.__table__,
        "person_search_keys": PersonSearchKey.__table__,
    }
    pg = db.dialect == "postgresql"
    now = datetime.now(UTC).replace(tzinfo=None) if pg else datetime.now(UTC)
    derive = 0.0
    mismatches = 0
    levels = random.Random(seed + 2)
    for start in range(0, n, batch):
        t0 = time.perf_counter()
        rows: dict[str, list[dict[str, Any]]] = {t: [] for t in tables}
        for i in range(start, min(start + batch, n)):
            pid = stable_id("person", "bench", str(i))
            level = LEVELS[levels.randrange(100)]
            rows["entities"].append(
                {"id": pid, "case_id": case_id, "kind": "person", "sensitivity": level,
                 "created_at": now, "created_by": "bench", "updated_at": now,
                 "updated_by": "bench", "deleted_at": None}
            )  # fmt: skip
            rows["persons"].append(
                {"id": pid, "sex": "unknown", "birth_date": None, "status": "killed",
                 "status_date": None}
            )  # fmt: skip
            for name in _name_rows(pid, names.person(), i):
                if i < 2000:  # the cached short cuts must agree with the write path
                    whole = name_text(name["full"], [name[p] for p in OWN_PARTS])
                    mismatches += set(name["search_key"].split()) != set(
                        search_key(whole).split()
                    ) or name["script"] != script_of(name["full"])
                rows["person_names"].append(name)
                parts = [name[p] for p in OWN_PARTS if name[p]]
                words, keys = _tokens(parts)
                if i < 2000:  # the shortcut must give what the write path would
                    whole = name_text(name["full"], parts)
                    mismatches += (words, keys) != (word_tokens(whole), translit_tokens(whole))
                common = {"case_id": case_id, "sensitivity": level, "person_id": pid,
                          "name_id": name["id"]}  # fmt: skip
                for key_type, tokens in ((WORD, words), (TRANSLIT, keys)):
                    held = {"key_type": key_type, "words": words_of(tokens)}
                    rows["person_search_keys"] += [
                        common | held | {"token": t} for t in sorted(tokens)
                    ]
        derive += time.perf_counter() - t0
        with db.engine.begin() as c:
            for name, table in tables.items():
                if pg:
                    _copy(c, name, [col.name for col in table.columns], rows[name])
                else:  # plain DB-API executemany: SQLAlchemy's per-row processing costs more
                    cols = [col.name for col in table.columns]
                    marks = ", ".join("?" * len(cols))
                    sql = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({marks})"
                    c.exec_driver_sql(sql, [tuple(_sqlite(r[k]) for k in cols) for r in rows[name]])
        done = min(start + batch, n)
        rate = done / (time.perf_counter() - started)
        print(f"\r  built {done:,}/{n:,} persons ({rate:,.0f}/s)", end="", flush=True)
    print()
    from dalil.documentation.search_counts import rebuild_counts  # (not in older Dalils)

    with db.engine.begin() as c:
        rebuild_counts(c)
    if pg:  # as autovacuum would leave it: statistics, and a visibility map for index-only scans
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM (ANALYZE)"))
    with db.engine.begin() as c:
        if not pg:
            c.execute(text("ANALYZE"))
        c.execute(
            text("UPDATE cases SET title_en = :t WHERE id = :id"), {"t": _marker(n), "id": case_id}
        )
    total = time.perf_counter() - started
    with db.reader() as s:
        index_rows = s.scalar(select(func.count()).select_from(PersonSearchKey)) or 0
    db.dispose()
    return {
        "build_s": total,
        "derive_s": derive,
        "index_rows": index_rows,
        "derivation_mismatches_in_2000": mismatches,
    }


def _sqlite_path(n: int) -> Path:
    return CACHE / f"api-{n}-v{DATA_VERSION}.db"


def revisions() -> list[str]:
    """The schema revisions this Dalil knows."""
    from alembic.script import ScriptDirectory

    from dalil.db.migrate import _script_config

    return [r.revision for r in ScriptDirectory.from_config(_script_config()).walk_revisions()]


def _migrated(url: str) -> None:
    """Bring a database found built to this Dalil's schema, and say when that took a while."""
    db = Database(url)
    t0 = time.perf_counter()
    if current_revision(db) not in (None, *revisions()):  # an older Dalil on newer data
        print(f"  schema {current_revision(db)} is newer than this Dalil's: read as it is")
        db.dispose()
        return
    before, after = upgrade(db)
    if before != after:
        print(f"  migrated {before} -> {after} in {time.perf_counter() - t0:.0f} s")
        if db.dialect == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM (ANALYZE)"))
    db.dispose()


def prepare(backend: str, n: int, keep_pg: bool) -> tuple[str, dict[str, float] | None]:
    if backend == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        path = _sqlite_path(n)
        url = f"sqlite:///{path}"
        if path.exists() and _is_built(url, n):
            _migrated(url)
            return url, None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url, build(url, n)
    if _pg_exists() and keep_pg and _is_built(PG_URL, n):
        _migrated(PG_URL)
        return PG_URL, None
    _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    _pg_admin(f"CREATE DATABASE {PG_DB}")
    return PG_URL, build(PG_URL, n)


def new_token(url: str, role: str) -> str:
    db = Database(url)
    with db.transaction("bench") as s:
        made = create_token(
            s, SETTINGS, Principal.operator("bench"), get_user(s, "bench"),
            get_case(s, "bench"), role, 1,
        )  # fmt: skip
    db.dispose()
    return made.token


# --- workload ---------------------------------------------------------------------------------


def workload(url: str, seed: int = 11) -> tuple[list[str], list[str]]:
    """Person IDs to open (random sample) and search queries (common, rare, cross-script…)."""
    rng = random.Random(seed)
    names = Names(7)
    db = Database(url)
    with db.reader() as s:
        total = s.scalar(select(func.count()).select_from(Person)) or 0
    db.dispose()
    ids = [stable_id("person", "bench", str(rng.randrange(total))) for _ in range(2000)]
    queries: list[str] = []
    for _ in range(400):
        given = rng.choices(names.given, names.given_w)[0]
        family = rng.choices(names.families, names.family_w)[0]
        kind = rng.random()
        if kind < 0.3:
            queries.append(f"{given} {family}")  # a full-ish name: the usual case
        elif kind < 0.5:
            queries.append(rng.choice(names.families))  # one family, any frequency
        elif kind < 0.65:
            queries.append(names._latin(given) + " " + names._latin(family))  # Latin → Arabic
        elif kind < 0.8:
            queries.append(f"{given[:3]} {family[:4]}")  # prefixes, as typed
        else:
            queries.append(given)  # one given name: thousands of hits
    return ids, queries


def in_process(url: str, queries: list[str], role: str) -> dict[str, Any]:
    """Search alone, without HTTP: ms per query by how many persons it finds — the exact count,
    the exact page (what the API did before the cap) and the capped page the API now answers."""
    from dalil.web.api.documentation import SEARCH_CAP

    levels = {"viewer": "public", "owner": "confidential"}.get(role, "restricted")
    db = Database(url)
    timings: list[tuple[int, float, float, float]] = []
    with db.reader() as s:
        case = get_case(s, "bench")
        for q in queries[:150]:
            t0 = time.perf_counter()
            total = count_persons(s, case, q, max_sensitivity=levels)
            t1 = time.perf_counter()
            search_page(s, case, q, limit=50, max_sensitivity=levels)
            t2 = time.perf_counter()
            search_matches(s, case, q, limit=50, max_sensitivity=levels, cap=SEARCH_CAP)
            t3 = time.perf_counter()
            timings.append((total, (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000))
            s.expunge_all()
    db.dispose()
    out: dict[str, Any] = {}
    for label, lo, hi in (
        ("< 1k hits", 0, 1000),
        ("1k–20k", 1000, 20_000),
        ("> 20k", 20_000, 10**9),
    ):
        rows = [t for t in timings if lo <= t[0] < hi]
        if rows:
            out[label] = {"queries": len(rows)} | {
                f"{name}_ms_{stat}": fn(r[i] for r in rows)
                for i, name in ((1, "count"), (2, "exact_page"), (3, "capped_page"))
                for stat, fn in (("p50", statistics.median), ("max", max))
            }
    return out


def answers(url: str, queries: list[str], role: str) -> dict[str, Any]:
    """The API's answer to each distinct query (its first page) and the time of each search,
    in-process, second of two passes (so that every Dalil compared reads a warm cache)."""
    from dalil.web.api.documentation import SEARCH_CAP

    level = {"viewer": "public", "owner": "confidential"}.get(role, "restricted")
    distinct = [q for q in dict.fromkeys(queries) if search_key(q).split()]
    db = Database(url)
    found: dict[str, Any] = {}
    ms: dict[str, float] = {}
    with db.reader() as s:
        case = get_case(s, "bench")
        for _ in range(2):
            for q in distinct:
                t0 = time.perf_counter()
                page = search_matches(s, case, q, limit=50, max_sensitivity=level, cap=SEARCH_CAP)
                ms[q] = (time.perf_counter() - t0) * 1000
                found[q] = [page.total, page.total_is_lower_bound, [m.id for m in page.matches]]
                s.expunge_all()
    db.dispose()
    first = [ms[q] for q in distinct[:150]]
    every = list(ms.values())
    timing = {
        label: {
            "queries": len(values),
            "mean_ms": statistics.fmean(values),
            "p50_ms": statistics.median(values),
            "p95_ms": sorted(values)[int(0.95 * len(values))],
            "max_ms": max(values),
        }
        for label, values in (("first 150", first), ("all", every))
    }
    return {"answers": found, "ms": ms, "timing": timing}


# --- serving and load -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_app() -> Any:
    """uvicorn factory (``--factory``) for the served API over BENCH_API_URL."""
    from dalil.web.api.app import create_app

    app = create_app(Database(os.environ["BENCH_API_URL"]), SETTINGS)
    limits = getattr(app.state, "limits", None)
    if limits is not None:  # 50 clients share one token: lift its search limit (60 a minute)
        from dalil.web.limits import TokenBucket

        limits.expensive = TokenBucket(capacity=10**9, per_minute=1e12)
    return app


def serve(url: str, workers: int, nagle: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    # The server imports the Dalil this process imported (a PYTHONPATH given to the bench
    # comes first: a copy of the tree can be measured while the working tree changes).
    path = os.pathsep.join(
        p for p in (str(Path(__file__).parent), os.environ.get("PYTHONPATH")) if p
    )
    env = os.environ | {"BENCH_API_URL": url, "PYTHONPATH": path}
    # uvicorn_nodelay: uvicorn with TCP_NODELAY on the connections of 2+ workers (see there).
    runner = ["-m", "uvicorn"] if nagle else [str(Path(__file__).parent / "uvicorn_nodelay.py")]
    command = [
        sys.executable, *runner, "bench_api:make_app", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    proc = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the server did not start in 30 s")


def _proc_stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_cpu(pid: int, pg_database: str | None) -> float:
    """CPU seconds used so far by the server: the uvicorn process, its workers and (PostgreSQL)
    the backends connected to ``pg_database`` (read from /proc; a process that ended is lost)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _proc_stat(int(entry.name))
            mine = int(entry.name) == pid or int(fields[1]) == pid
            if not mine and pg_database is not None:
                cmdline = (entry / "cmdline").read_bytes()
                mine = cmdline.startswith(b"postgres: ") and f" {pg_database} ".encode() in cmdline
        except (OSError, ValueError, IndexError):
            continue
        if mine:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def profile(url: str, token: str, ids: list[str], queries: list[str], n: int) -> None:
    """cProfile of n requests of each kind, served in this thread (threadpool calls inlined)."""
    import anyio.to_thread
    import httpx

    async def inline(func: Any, *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]  # profile sees the handlers
    os.environ["BENCH_API_URL"] = url
    app = make_app()
    headers = {"Authorization": f"Bearer {token}"}

    async def drive(paths: list[str]) -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for path in paths:
                response = await client.get(path, headers=headers)
                assert response.status_code in (200, 404), response.text

    for kind, paths in (
        ("person page", [f"/api/persons/{i}" for i in ids[:n]]),
        ("search", [f"/api/cases/bench/persons?q={q}" for q in queries[:n]]),
    ):
        asyncio.run(drive(paths[:3]))  # warm caches
        t0, c0 = time.perf_counter(), time.process_time()
        asyncio.run(drive(paths))
        wall = (time.perf_counter() - t0) * 1000 / len(paths)
        cpu = (time.process_time() - c0) * 1000 / len(paths)
        print(
            f"\n--- {len(paths)} × {kind} in-process, without the profiler: {wall:.2f} ms "
            f"each ({cpu:.2f} ms CPU of this process)"
        )
        prof = cProfile.Profile()
        prof.enable()
        asyncio.run(drive(paths))
        prof.disable()
        stats = pstats.Stats(prof)
        print(f"\n--- cProfile, {len(paths)} × {kind}: top 30 by own time")
        stats.sort_stats("tottime").print_stats(30)
        print(f"--- cProfile, {len(paths)} × {kind}: dalil functions by cumulative time")
        stats.sort_stats("cumulative").print_stats("dalil/", 40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause (s, exponential) between a client's calls",
    )
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--role", default="owner", help="the token's role (viewer: public only)")
    parser.add_argument("--search-share", type=float, default=0.5)
    parser.add_argument("--profile", type=int, default=0, help="cProfile N requests of each kind")
    parser.add_argument("--keep-pg", action="store_true", help=f"keep (and reuse) {PG_DB}")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the data only")
    parser.add_argument("--no-in-process", action="store_true", help="skip the search-only run")
    parser.add_argument(
        "--uvicorn-nagle",
        action="store_true",
        help="serve with uvicorn as it is (2+ workers: no TCP_NODELAY, ~40 ms a request)",
    )
    parser.add_argument(
        "--answers", type=Path, help="write each query's answer and time here (see 5.), only"
    )
    args = parser.parse_args()
    if args.answers is not None:
        args.answers.mkdir(parents=True, exist_ok=True)
        for backend in args.backends.split(","):
            path = _sqlite_path(args.persons)
            url = f"sqlite:///{path}" if backend == "sqlite" else PG_URL
            missing = not path.exists() if backend == "sqlite" else not _pg_exists()
            if missing or not _is_built(url, args.persons):
                raise SystemExit(f"{backend}: no database built with {args.persons:,} persons")
            _, queries = workload(url)
            got = answers(url, queries, args.role)
            (args.answers / f"answers-{backend}.json").write_text(
                json.dumps(got, ensure_ascii=False, indent=1)
            )
            print(f"== {backend}: {len(got['answers'])} queries", json.dumps(got["timing"]))
        return

    results: dict[str, Any] = {}
    for backend in args.backends.split(","):
        print(f"== {backend}: {args.persons:,} persons")
        url, built = prepare(backend, args.persons, args.keep_pg)
        if built:
            print(f"  built in {built['build_s']:.0f} s ({built['index_rows']:,} index rows)")
        if args.build_only:
            continue
        token = new_token(url, args.role)
        ids, queries = workload(url)
        results[backend] = {"built": built}
        if not args.no_in_process:
            results[backend]["search"] = in_process(url, queries, args.role)
            print("  in-process search:", json.dumps(results[backend]["search"], indent=1))
        if args.profile:
            profile(url, token, ids, queries, args.profile)
        for workers in [int(w) for w in args.workers.split(",") if w]:
            proc, base = serve(url, workers, nagle=args.uvicorn_nagle)
            pg_db = PG_DB if backend == "postgresql" else None
            try:
                stats = asyncio.run(
                    run_load(
                        base, token, ids, queries, clients=args.clients, seconds=args.seconds,
                        think=args.think, search_share=args.search_share,
                        server_cpu=lambda pid=proc.pid, db=pg_db: server_cpu(pid, db),
                    )
                )  # fmt: skip
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            results[backend][f"workers={workers} think={args.think}"] = stats
            for endpoint, s in stats.items():
                print(
                    f"  {workers} worker(s) {endpoint:12} n={s['n']:6} "
                    f"p50={s['p50']:7.1f} p95={s['p95']:7.1f} p99={s['p99']:7.1f} ms "
                    f"{s['rps']:6.1f} req/s errors={s['errors']}"
                )
            cpu = stats["all"].get("server_cpu_ms_per_request")
            if cpu is not None:
                print(f"  server CPU {cpu:.1f} ms per request; failures {stats['all']['failures']}")
        if backend == "postgresql" and not args.keep_pg:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
    print(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
