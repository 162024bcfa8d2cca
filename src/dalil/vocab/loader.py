"""Read vocabulary YAML files and refuse any that are inconsistent.

Every problem is reported with the file and term it is in, so that a broken vocabulary stops the
platform at start-up instead of surfacing later as an unlabelled value. This module never writes.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from dalil.vocab.model import Term, Vocabularies, Vocabulary, VocabularyError

RELATION_VOCABULARY = "relation_types"
TEXT_ATTRIBUTE = "text"
RELATION_KEYS = ("inverse", "subject", "object", "attributes")

_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_LANGUAGE_CODE = re.compile(r"[a-z]{2}|other")
# Arabic, Arabic Supplement, Arabic Extended-A, Presentation Forms-A and -B.
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in one mapping instead of keeping the last."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_vocabularies(folder: Path | Traversable) -> Vocabularies:
    """Load and check every ``<id>.yaml`` in ``folder``; any problem raises ``VocabularyError``."""
    entries = sorted((e for e in folder.iterdir() if e.is_file()), key=lambda e: e.name)
    for entry in entries:
        if entry.name.endswith(".yml"):
            raise VocabularyError(f"{entry.name}: vocabulary files must end in .yaml")
    files = [e for e in entries if e.name.endswith(".yaml")]
    if not files:
        raise VocabularyError(f"{folder}: no vocabulary files (*.yaml) found")
    loaded: dict[str, Vocabulary] = {}
    for entry in files:
        vocabulary = parse_vocabulary(entry.name, entry.read_text(encoding="utf-8"))
        loaded[vocabulary.id] = vocabulary
    _check_attribute_vocabularies(loaded)
    return Vocabularies(loaded)


def parse_vocabulary(filename: str, text: str) -> Vocabulary:
    """Parse and check one vocabulary file's text; ``filename`` must be ``<id>.yaml``."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{filename}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise VocabularyError(f"{filename}: expected a mapping with id, label, reference, terms")
    expected_id = filename.removesuffix(".yaml")
    if data.get("id") != expected_id:
        raise VocabularyError(
            f"{filename}: id {data.get('id')!r} does not match the file name "
            f"(expected {expected_id!r})"
        )
    try:
        vocabulary = Vocabulary.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, data) for error in exc.errors()]
        raise VocabularyError(_report(filename, problems)) from None
    problems = _problems(vocabulary)
    if problems:
        raise VocabularyError(_report(filename, problems))
    return vocabulary


def _report(filename: str, problems: list[str]) -> str:
    return f"{filename}: " + "; ".join(problems)


def _term_name(index: int, raw_terms: object) -> str:
    raw_id = None
    if isinstance(raw_terms, list) and isinstance(raw := raw_terms[index], dict):
        raw_id = raw.get("id")
    return f"term {raw_id!r}" if raw_id is not None else f"term #{index + 1}"


def _describe(error: Any, data: dict[str, Any]) -> str:
    """Turn a pydantic error location like ``("terms", 3, "ar")`` into "term 'x': ar: ..."."""
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "terms" and isinstance(loc[1], int):
        where = _term_name(loc[1], data.get("terms")) + ": "
        loc = loc[2:]
    path = ".".join(str(part) for part in loc)
    return f"{where}{path + ': ' if path else ''}{error['msg']}"


def _problems(vocabulary: Vocabulary) -> list[str]:
    if not vocabulary.terms:
        return ["has no terms"]
    problems: list[str] = []
    if not _ARABIC.search(vocabulary.title.ar):
        problems.append(f"label.ar {vocabulary.title.ar!r} contains no Arabic script")
    id_pattern = _LANGUAGE_CODE if vocabulary.id == "languages" else _SNAKE_CASE
    counts = Counter(term.id for term in vocabulary.terms)
    en_counts = Counter(term.en.casefold() for term in vocabulary.terms)
    ar_counts = Counter(term.ar for term in vocabulary.terms)
    for term in vocabulary.terms:
        name = f"term {term.id!r}"
        if not id_pattern.fullmatch(term.id):
            kind = "a lowercase ISO 639-1 code" if id_pattern is _LANGUAGE_CODE else "snake_case"
            problems.append(f"{name}: id must be {kind} ASCII")
        if counts[term.id] > 1:
            problems.append(f"{name}: duplicate term id")
        if en_counts[term.en.casefold()] > 1:
            problems.append(f"{name}: en label {term.en!r} is used by another term")
        if ar_counts[term.ar] > 1:
            problems.append(f"{name}: ar label {term.ar!r} is used by another term")
        problems.extend(f"{name}: {p}" for p in _arabic_problems(term))
        if vocabulary.id == RELATION_VOCABULARY:
            problems.extend(f"{name}: {p}" for p in _relation_problems(term))
        else:
            extra = [key for key in RELATION_KEYS if getattr(term, key) is not None]
            if extra:
                problems.append(f"{name}: {', '.join(extra)} only belong in {RELATION_VOCABULARY}")
    return problems


def _arabic_problems(term: Term) -> list[str]:
    arabic = {"ar": term.ar}
    if term.description is not None:
        arabic["description.ar"] = term.description.ar
    if term.inverse is not None:
        arabic["inverse.ar"] = term.inverse.ar
    return [
        f"{key} label {text!r} contains no Arabic script"
        for key, text in arabic.items()
        if not _ARABIC.search(text)
    ]


def _relation_problems(term: Term) -> list[str]:
    problems = [
        f"missing {key!r}" + (" (use {} for none)" if key == "attributes" else "")
        for key in RELATION_KEYS
        if getattr(term, key) is None
    ]
    for key in ("subject", "object"):
        kinds = getattr(term, key)
        if kinds is not None and not kinds:
            problems.append(f"{key} lists no entity kinds")
        elif kinds is not None and len(set(kinds)) != len(kinds):
            problems.append(f"{key} repeats an entity kind")
    for attribute in term.attributes or {}:
        if not _SNAKE_CASE.fullmatch(attribute):
            problems.append(f"attribute name {attribute!r} must be snake_case ASCII")
    return problems


def _check_attribute_vocabularies(loaded: dict[str, Vocabulary]) -> None:
    relations = loaded.get(RELATION_VOCABULARY)
    if relations is None:
        return
    problems = [
        f"term {term.id!r}: attribute {attribute!r} refers to unknown vocabulary {target!r} "
        f"(use {TEXT_ATTRIBUTE!r} or one of: {', '.join(sorted(loaded))})"
        for term in relations.terms
        for attribute, target in (term.attributes or {}).items()
        if target != TEXT_ATTRIBUTE and target not in loaded
    ]
    if problems:
        raise VocabularyError(_report(f"{RELATION_VOCABULARY}.yaml", problems))
