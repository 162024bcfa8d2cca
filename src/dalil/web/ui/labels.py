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

METHODS = {
    "chapman": N_("Chapman (two lists)"),
    "lincoln": N_("Lincoln–Petersen (two lists)"),
    "loglinear": N_("Log-linear models (three or more lists)"),
    "lcmcr": N_("LCMCR (Bayesian latent classes; slower)"),
}

# Short names of the estimation methods, where an estimate is cited beside other figures.
METHOD_NAMES = {
    "chapman": N_("Chapman"),
    "lincoln": N_("Lincoln–Petersen"),
    "loglinear": N_("log-linear"),
    "lcmcr": N_("LCMCR latent-class model"),
}

# The audit trail's actions (dalil.access and the engines record them).
AUDIT_ACTIONS = {
    "login": N_("logged in"),
    "login_failed": N_("failed to log in"),
    "logout": N_("logged out"),
    "role_grant": N_("role granted"),
    "role_revoke": N_("role revoked"),
    "token_create": N_("API token created"),
    "token_revoke": N_("API token revoked"),
    "user_add": N_("account added"),
    "user_disable": N_("account disabled"),
    "user_2fa_reset": N_("second factor reset"),
    "key_create": N_("encryption key created"),
    "key_rotate": N_("encryption key rotated"),
    "audit_read": N_("audit trail opened"),
    "audit_checkpoint": N_("audit checkpoint signed"),
    "confidential_read": N_("confidential value read"),
    "confidential_write": N_("confidential value written"),
    "evidence_download": N_("evidence original downloaded"),
    "export": N_("case exported"),
}

# Link runs as the registry records them.
RUN_STATES = {"running": N_("running"), "done": N_("finished"), "failed": N_("failed")}

# The linkage model's comparisons and their agreement levels, as the review page explains a
# score (names as the engine writes them; an unknown one is shown as written).
COMPARISONS = {
    "full_name": N_("Full name"),
    "given": N_("Given"),
    "father": N_("Father"),
    "grandfather": N_("Grandfather"),
    "family": N_("Family"),
    "mother": N_("Mother"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "age": N_("Age"),
    "event_date": N_("Date of the event"),
    "place": N_("Place"),
    "sibling check": N_("Sibling check"),
    "other candidates": N_("Other candidates"),
    "prior": N_("Before any comparison"),
}
MATCH_LEVELS = {
    "null": N_("missing in a record"),
    "exact": N_("exactly the same"),
    "same": N_("the same"),
    "different": N_("different"),
    "same transliteration key": N_("the same name in another spelling or script"),
    "same skeleton": N_("the same consonants"),
    "Jaro-Winkler >= 0.9": N_("very similar spelling"),
    "Jaro-Winkler >= 0.8": N_("similar spelling"),
    "given and family swapped": N_("given and family names swapped"),
    "day and month swapped": N_("day and month swapped"),
    "one typo": N_("one typing error apart"),
    "same year and month": N_("same year and month"),
    "same year": N_("same year"),
    "year +-1": N_("a year apart at most"),
    "same day and month, other year": N_("same day and month, another year"),
    "birth year from age +-1": N_("birth year from the age, a year apart at most"),
    "birth year from age +-3": N_("birth year from the age, three years apart at most"),
    "same place": N_("the same place"),
    "same place, other spelling": N_("the same place, another spelling"),
    "similar place": N_("a similar place name"),
    "same governorate": N_("the same governorate"),
    "same place, loosely": N_("the same place, spelled loosely alike"),
    "father written as the grandfather": N_("one record's father is the other's grandfather"),
    "shared household fields weighed against a sibling": N_(
        "shared family names weighed against being siblings"
    ),
    "weighed against each record's other candidates in the other's list": N_(
        "weighed against the other records each could be in the other's list"
    ),
    "neither record has another candidate in the other's list": N_(
        "neither record could be anyone else in the other's list"
    ),
    "two records of one list": N_("two records of one list (rarely one person)"),
    "records of two lists": N_("records of two lists"),
}

# Why a list row was rejected, by the registry's problem code (its message is shown beside).
PROBLEMS = {
    "unknown_term": N_("not a value this field knows"),
    "invalid_date": N_("not a date that can be read"),
    "ambiguous_date": N_("a date that reads two ways"),
    "invalid_age": N_("not an age that can be read"),
    "no_name": N_("the row has no name"),
    "row_shape": N_("the row does not have the header's columns"),
}

# The fields of a list record (dalil.registry.mapping.FIELDS).
FIELD_LABELS = {
    "full_name": N_("Full name"),
    "given": N_("Given"),
    "father": N_("Father"),
    "grandfather": N_("Grandfather"),
    "family": N_("Family"),
    "mother": N_("Mother"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "age": N_("Age"),
    "status": N_("Status"),
    "status_date": N_("Status date"),
    "death_date": N_("Date of death"),
    "place": N_("Place"),
    "governorate": N_("Governorate"),
    "notes": N_("Notes"),
    "external_id": N_("ID in the list"),
}
