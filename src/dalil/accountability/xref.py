"""Cross-referencing a case's alleged perpetrators with a list of sanctioned entities.

Reads a FollowTheMoney file the user has (an OpenSanctions export, a JSON array, or one entity per
line), and compares every Person with the case's persons of interest, and every Organization-like
entity with the case's units, by name (:mod:`dalil.accountability.names`), with birth dates as a
check when both sides have one. Each match lists the names compared, the word pairs and the rule
that joined them. A match is a lead for a human to check, never an identification. Nothing here
writes, and nothing is sent anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from sqlalchemy.orm import Session

from dalil.accountability.graph import CaseData
from dalil.accountability.names import best_match
from dalil.accountability.profiles import persons_of_interest
from dalil.db import Organisation
from dalil.documentation import label
from dalil.errors import InvalidInput
from dalil.values import PartialDate, PartialDateError

NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
MAX_ENTITIES = 2_000_000


@dataclass
class Candidate:
    id: str
    kind: str  # person | unit
    label: str
    names: list[str]
    birth: PartialDate | None
    why: str


def read_ftm(path: Path) -> list[Any]:
    """Entity proxies from a FtM JSON file: one entity, an array, or one entity per line."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", f"cannot read {path.name}: {exc}") from None
    try:
        whole = json.loads(text)
        raw = whole if isinstance(whole, list) else [whole]
    except json.JSONDecodeError:
        raw = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    raw.append(json.loads(line))
                except json.JSONDecodeError:
                    raise InvalidInput(
                        "file", f"line {number} of {path.name} is not JSON"
                    ) from None
    proxies = []
    for item in raw[:MAX_ENTITIES]:
        if not isinstance(item, dict) or "schema" not in item:
            continue
        try:
            proxies.append(model.get_proxy(item, cleaned=False))
        except (InvalidData, TypeError, ValueError, KeyError):
            continue  # another tool's schema or a broken row: not a sanctioned entity we can read
    if not proxies:
        raise InvalidInput("file", f"{path.name} holds no FollowTheMoney entities")
    return proxies


def candidates(session: Session, data: CaseData, lang: str = "en") -> list[Candidate]:
    found = []
    for person in persons_of_interest(session, data):
        posted = any(p.subject_id == person.id for p in data.of_kind("posting"))
        found.append(
            Candidate(
                person.id,
                "person",
                label(session, person, lang),
                [n.full for n in person.names],
                person.birth_date,
                "posted to a unit" if posted else "alleged perpetrator",
            )
        )
    for unit in data.units.values():
        org = session.get(Organisation, unit.id)
        assert org is not None
        names = [n for n in (org.name_en, org.name_ar, org.abbreviation) if n]
        found.append(Candidate(unit.id, "unit", unit.label, names, None, "unit"))
    return found


def _birth_check(ours: PartialDate | None, theirs: list[str]) -> tuple[float, str | None]:
    if ours is None or not theirs:
        return 0.0, None
    for text in theirs:
        try:
            other = PartialDate.parse(text[:10])
        except PartialDateError:
            continue
        if other.earliest() <= ours.latest() and ours.earliest() <= other.latest():
            return 0.1, f"birth dates agree ({ours} / {text})"
    return -0.3, f"birth dates differ ({ours} / {', '.join(theirs)})"


def xref(
    session: Session,
    data: CaseData,
    proxies: list[Any],
    *,
    threshold: float = 0.7,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Likely matches, best first: each with both sides, score and reasons."""
    ours = candidates(session, data, lang)
    matches = []
    for proxy in proxies:
        if proxy.schema.is_a("Person"):
            pool = [c for c in ours if c.kind == "person"]
        elif proxy.schema.is_a("Organization"):
            pool = [c for c in ours if c.kind == "unit"]
        else:
            continue
        theirs = [
            v for prop in NAME_PROPS if prop in proxy.schema.properties for v in proxy.get(prop)
        ]
        for cand in pool:
            match = best_match(cand.names, theirs)
            if match is None:
                continue
            bonus, birth = _birth_check(cand.birth, proxy.get("birthDate", quiet=True))
            score = round(max(0.0, min(1.0, match.score + bonus)), 3)
            if score < threshold:
                continue
            reasons = match.explain() + ([birth] if birth else [])
            matches.append(
                {
                    "score": score,
                    "ours": {
                        "id": cand.id,
                        "kind": cand.kind,
                        "label": cand.label,
                        "why": cand.why,
                    },
                    "theirs": {
                        "id": proxy.id,
                        "schema": proxy.schema.name,
                        "caption": proxy.caption,
                        "topics": proxy.get("topics", quiet=True),
                        "programs": proxy.get("programId", quiet=True),
                        "countries": proxy.get("country", quiet=True),
                    },
                    "matched_names": {"ours": match.ours, "theirs": match.theirs},
                    "reasons": reasons,
                }
            )
    return sorted(matches, key=lambda m: (-m["score"], m["ours"]["label"], m["theirs"]["id"] or ""))
