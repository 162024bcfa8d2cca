"""Documentation: cases, places, incidents, persons, organisations, sources, relations, claims.

The engine behind ``dalil case|place|incident|person|org|source|claim|relation`` and, later, the
API. Every write validates its input here and runs inside the caller's transaction; views are read
only. Other packages use what ``__all__`` names.
"""

from dalil.documentation.cases import CaseSummary, actor_of, create_case, list_cases, summarise
from dalil.documentation.claims import (
    PropertyClaims,
    add_claim,
    claims_about,
    get_claim,
    property_claims,
    set_status,
    withdraw,
)
from dalil.documentation.entities import (
    CLASSES,
    create,
    restore,
    set_violation_types,
    soft_delete,
    update,
)
from dalil.documentation.history import change_view, history_of
from dalil.documentation.lookup import get_case, get_entity
from dalil.documentation.persons import NameInput, add_name, add_person, display_name
from dalil.documentation.properties import Property, properties, property_of
from dalil.documentation.purge import purge
from dalil.documentation.relations import add_relation, relations_of
from dalil.documentation.search import (
    MatchPage,
    PersonHit,
    PersonMatch,
    PersonPage,
    count_persons,
    rebuild_index,
    search_matches,
    search_page,
    search_persons,
)
from dalil.documentation.views import claim_view, entity_view, label, place_path, source_brief

__all__ = [
    "CLASSES",
    "CaseSummary",
    "MatchPage",
    "NameInput",
    "PersonHit",
    "PersonMatch",
    "PersonPage",
    "Property",
    "PropertyClaims",
    "actor_of",
    "add_claim",
    "add_name",
    "add_person",
    "add_relation",
    "change_view",
    "claim_view",
    "claims_about",
    "count_persons",
    "create",
    "create_case",
    "display_name",
    "entity_view",
    "get_case",
    "get_claim",
    "get_entity",
    "history_of",
    "label",
    "list_cases",
    "place_path",
    "properties",
    "property_claims",
    "property_of",
    "purge",
    "rebuild_index",
    "relations_of",
    "restore",
    "search_matches",
    "search_page",
    "search_persons",
    "set_status",
    "set_violation_types",
    "soft_delete",
    "source_brief",
    "summarise",
    "update",
    "withdraw",
]
