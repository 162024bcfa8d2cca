"""``dalil export …`` goes through the policy and leaves an ``export`` entry in the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

from cli.clihelp import Cli


def test_every_export_is_audited(cli: Cli, tmp_path: Path) -> None:
    cli.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    before = cli.json("audit", "--case", "tadamon", "--all")["entries"]
    out = tmp_path / "case.ftm.json"
    cli.ok("export", "ftm", "--out", str(out), "--case", "tadamon")
    assert out.exists()
    after = cli.json("audit", "--all")["entries"]
    new = after[len(before) :]
    assert [(e["action"], e["detail"]) for e in new] == [("export", {"command": "ftm"})]
    assert new[0]["actor"] == "tester"
    assert cli.json("audit", "--all", "--verify")["verified"]["ok"] is True


def _rewrite_history(url: str) -> None:
    """What an insider with the database (not the key) can do: change entry 0 and re-chain."""
    from sqlalchemy import create_engine, select, update

    from dalil.access.audit import GENESIS, _entry_hash
    from dalil.db.models_access import AuditEntry, AuditHead

    engine = create_engine(url)
    with engine.begin() as connection:
        rows = connection.execute(select(AuditEntry.__table__).order_by("seq")).mappings().all()
        prev = GENESIS
        for row in rows:
            actor = "someone-else" if row["seq"] == 0 else row["actor"]
            digest = _entry_hash(
                row["seq"], row["at"], actor, row["action"], row["case_id"], row["detail"], prev
            )
            connection.execute(
                update(AuditEntry.__table__)
                .where(AuditEntry.__table__.c.seq == row["seq"])
                .values(actor=actor, prev_hash=prev, entry_hash=digest)
            )
            prev = digest
        connection.execute(update(AuditHead.__table__).values(head_hash=prev))
    engine.dispose()


def test_a_signed_checkpoint_catches_a_rewritten_trail(cli: Cli, tmp_path: Path) -> None:
    cli.ok("case", "create", "tadamon", "--title-en", "Tadamon")
    cli.ok("export", "ftm", "--out", str(tmp_path / "x.json"), "--case", "tadamon")
    made = cli.json("audit", "checkpoint")
    assert made["size"] >= 1
    assert made["note"].startswith(made["verifier"].split("+")[0] + "/audit\n")
    kept = tmp_path / "kept.note"
    kept.write_text(made["note"], encoding="utf-8")
    ok = cli.json("audit", "verify", "--against", str(kept))
    assert ok["ok"] is True
    assert ok["checkpoints"] == 2
    assert cli.run("audit", "--all").code == 0  # the trail itself still reads
    _rewrite_history(cli.url or "")
    chain_only = cli.json("audit", "--all", "--verify")["verified"]
    assert chain_only["ok"] is True  # the re-chained trail fools the hash chain alone…
    caught = cli.run("audit", "verify", "--against", str(kept), "--json")
    assert caught.code == 6  # …not the signed checkpoints
    problems = json.loads(caught.out)["problems"]
    assert len(problems) == 2
    assert all("changed since" in p for p in problems)
