"""Storage: the ORM model, sessions on SQLite or PostgreSQL, migrations and the change trail.

``db`` imports no engine package; engines import ``db``.
"""

# The model modules register their tables on Base.metadata; Alembic and the tests need all.
from dalil.db import (  # noqa: F401
    models_access,
    models_accountability,
    models_estimation,
    models_evidence,
    models_evidence_items,
    models_registry,
    models_search,
)
from dalil.db.engine import Database
from dalil.db.ids import kind_of, new_id, stable_id
from dalil.db.migrate import SchemaNotReady, current_revision, head_revision, upgrade
from dalil.db.models import (
    ENTITY_KINDS,
    Base,
    Case,
    Change,
    Claim,
    Entity,
    Incident,
    IncidentViolation,
    Organisation,
    Person,
    PersonName,
    Place,
    Relation,
    Source,
)

__all__ = [
    "ENTITY_KINDS",
    "Base",
    "Case",
    "Change",
    "Claim",
    "Database",
    "Entity",
    "Incident",
    "IncidentViolation",
    "Organisation",
    "Person",
    "PersonName",
    "Place",
    "Relation",
    "SchemaNotReady",
    "Source",
    "current_revision",
    "head_revision",
    "kind_of",
    "new_id",
    "stable_id",
    "upgrade",
]
