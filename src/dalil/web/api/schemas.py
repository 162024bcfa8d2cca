"""Response models: the OpenAPI contract of the read endpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PageInfo(BaseModel):
    limit: int
    offset: int
    total: int = Field(description="Items the caller may see in all pages.")


class CaseOut(BaseModel):
    id: str
    slug: str
    title_en: str | None
    title_ar: str | None
    description: str | None
    role: str = Field(description="The caller's role in this case.")
    entities: dict[str, int] = Field(description="Records the caller may read, by kind.")
    persons_by_status: dict[str, int]


class IncidentBrief(BaseModel):
    id: str
    title_en: str | None
    title_ar: str | None
    start_date: str | None
    end_date: str | None
    violation_types: list[str]
    sensitivity: str


class IncidentPage(BaseModel):
    items: list[IncidentBrief]
    page: PageInfo


class PersonBrief(BaseModel):
    id: str
    name: str = Field(description="The matched name (search) or the display name.")
    status: str
    sensitivity: str


class PersonPageInfo(PageInfo):
    total_is_lower_bound: bool = Field(
        default=False,
        description=(
            "True when a name search matched more persons than it counts: at least `total` "
            "match, and pages reach only the first `total` of them; narrow the query for the "
            "others."
        ),
    )


class PersonPage(BaseModel):
    items: list[PersonBrief]
    page: PersonPageInfo


class Stamp(BaseModel):
    at: str
    by: str | None = Field(default=None, description="Omitted for public-only roles.")


class EntityOut(BaseModel):
    """One record as ``dalil … show --json`` gives it, minus what the caller may not read."""

    id: str
    kind: str
    case: str
    label: str
    sensitivity: str
    deleted: bool
    created: Stamp
    updated: Stamp
    fields: dict[str, Any]
    claims: list[dict[str, Any]]
    relations: list[dict[str, Any]]
