"""Accountability: units, postings and chains of command over time; perpetrator profiles;
FollowTheMoney export and sanctions cross-reference (issue 8).

Built on the foundation's organisations, relations and claims (see
``src/dalil/db/models_accountability.py`` for the few rows of its own). Writes run in the caller's
transaction; queries return plain dictionaries. Modules import networkx and followthemoney, so
the CLI imports this package inside its commands.
"""

from dalil.accountability.chains import chain, incident_chains, parse_on, unit_tree, units_at
from dalil.accountability.ftm import ExportResult, export_ftm
from dalil.accountability.graph import STATUS_ORDER, CaseData, load, weakest
from dalil.accountability.names import best_match, compare_names, skeleton, words
from dalil.accountability.periods import Period
from dalil.accountability.profiles import find_persons, persons_of_interest, profile
from dalil.accountability.records import (
    add_positioning,
    add_posting,
    add_unit,
    cite_positioning,
    relate_units,
    set_date_kinds,
    set_unit_type,
)
from dalil.accountability.svg import render_svg, write_svg
from dalil.accountability.xref import read_ftm, xref

__all__ = [
    "STATUS_ORDER",
    "CaseData",
    "ExportResult",
    "Period",
    "add_positioning",
    "add_posting",
    "add_unit",
    "best_match",
    "chain",
    "cite_positioning",
    "compare_names",
    "export_ftm",
    "find_persons",
    "incident_chains",
    "load",
    "parse_on",
    "persons_of_interest",
    "profile",
    "read_ftm",
    "relate_units",
    "render_svg",
    "set_date_kinds",
    "set_unit_type",
    "skeleton",
    "unit_tree",
    "units_at",
    "weakest",
    "words",
    "write_svg",
    "xref",
]
