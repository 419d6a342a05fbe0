"""Audit cycles: one year's programme with its dates and the agencies taking part."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models import field_limits
from models.types import MutableJSONList, utcnow


class CycleKind(StrEnum):
    """Year one is a full self-assessment; year two is the statement of compliance year."""

    FULL_AUDIT = "full_audit"
    STATEMENT_YEAR = "statement_year"

    @property
    def title(self) -> str:
        return {"full_audit": "Full audit", "statement_year": "Statement of compliance year"}[self.value]


class CycleState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def title(self) -> str:
        return self.value.capitalize()


class Cycle(SQLModel, table=True):
    """One annual cycle of the audit programme."""

    __tablename__ = "cycle"
    # A name is unique within its partnership (migration 0021): each may have its "audit 2026-27".
    __table_args__ = (UniqueConstraint("partnership_id", "name", name="uq_cycle_per_partnership"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=field_limits.CYCLE_NAME)
    kind: str = Field(default=CycleKind.FULL_AUDIT.value, max_length=40)
    status: str = Field(default=CycleState.DRAFT.value, max_length=20, index=True)
    template_id: int = Field(foreign_key="template.id")
    # The launching partnership (migration 0015); a joint cycle's others are in `cycle_partnership`.
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)
    previous_cycle_id: int | None = Field(default=None, foreign_key="cycle.id")
    opens_on: date
    submission_deadline: date
    qa_window_ends: date
    action_plan_review: date
    statement_deadline: date
    reminder_days: list = Field(default_factory=lambda: [14, 7, 1], sa_column=Column(MutableJSONList, nullable=False))
    escalation_days: int = 7
    created_at: datetime = Field(default_factory=utcnow)
    launched_at: datetime | None = None
    closed_at: datetime | None = None


class CycleAgency(SQLModel, table=True):
    """An agency selected for a draft cycle; launching makes its return."""

    __tablename__ = "cycle_agency"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
