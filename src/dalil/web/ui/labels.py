"""Translatable labels the interface names in Python (roles, audit actions, change kinds).

``N_`` only marks a message for extraction; templates translate it with ``_()`` when shown.
Labels of vocabulary terms come from :mod:`dalil.vocab` (already bilingual), not from here.
"""

from __future__ import annotations


def N_(message: str) -> str:
    return message


ROLES = {
    "owner": N_("Owner"),
    "investigator": N_("Investigator"),
    "analyst": N_("Analyst"),
    "reviewer": N_("Reviewer"),
    "family_liaison": N_("Family liaison"),
    "viewer": N_("Viewer"),
}

CHANGES = {
    "create": N_("created"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "restore": N_("restored"),
    "purge": N_("purged"),
}

KINDS = {
    "case": N_("Case"),
    "incident": N_("Incident"),
    "person": N_("Person"),
    "place": N_("Place"),
    "organisation": N_("Organisation"),
    "source": N_("Source"),
    "relation": N_("Relation"),
    "claim": N_("Claim"),
}

SENSITIVITY = {
    "public": N_("public"),
    "restricted": N_("restricted"),
    "confidential": N_("confidential"),
}

SCRIPTS = {"arab": N_("Arabic script"), "latn": N_("Latin script"), "zyyy": N_("other script")}
