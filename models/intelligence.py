"""The intelligence log: what the partnership learns about an agency or a sector between audits
(case reviews, inspections, complaints), which QA reads beside a return and picks returns by."""

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from models.types import MutableJSONList, utcnow

# Who may read an entry: the coordinators and the QA sub-group, or the coordinators alone.
VISIBILITY = {"qa": "Coordinators and the QA sub-group", "coordinators": "Coordinators only"}


class IntelligenceEntry(SQLModel, table=True):
    """One piece of intelligence about one agency, or about a whole sector (then agency_id is None)."""

    __tablename__ = "intelligence_entry"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    sector: str = Field(default="", max_length=80, index=True)
    source: str = Field(max_length=200)
    received_on: date
    summary: str
    standards: list = Field(default_factory=list, sa_column=Column(MutableJSONList, nullable=False))
    visibility: str = Field(default="qa", max_length=20)
    recorded_by_id: int = Field(foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow)
