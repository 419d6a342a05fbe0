"""Partnerships: one deployment holds several; agencies, staff, cycles and templates belong to them."""

from datetime import datetime

from sqlalchemy import event, func, select
from sqlmodel import Field, SQLModel, UniqueConstraint

from models import field_limits
from models.types import utcnow


class Partnership(SQLModel, table=True):
    """A safeguarding children partnership. A single-partnership deployment has one, made by migration 0015."""

    __tablename__ = "partnership"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=field_limits.AGENCY_NAME, unique=True)
    slug: str = Field(max_length=80, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class AgencyPartnership(SQLModel, table=True):
    """An agency in a partnership; a police force or NHS trust may be in several."""

    __tablename__ = "agency_partnership"
    __table_args__ = (UniqueConstraint("agency_id", "partnership_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)


class PartnershipMember(SQLModel, table=True):
    """A coordinator or QA reviewer working for a partnership (agency people belong through their agency)."""

    __tablename__ = "partnership_member"
    __table_args__ = (UniqueConstraint("user_id", "partnership_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)


class AgencyMember(SQLModel, table=True):
    """A person acting for an agency; one person may act for several (`User.agency_id` is the current one)."""

    __tablename__ = "agency_member"
    __table_args__ = (UniqueConstraint("user_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)


class CyclePartnership(SQLModel, table=True):
    """A further partnership of a joint cycle (the launching one is `Cycle.partnership_id`)."""

    __tablename__ = "cycle_partnership"
    __table_args__ = (UniqueConstraint("cycle_id", "partnership_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    partnership_id: int = Field(foreign_key="partnership.id", index=True)


def first_partnership_id(connection) -> int | None:
    """The deployment's first partnership: where a record made without naming one belongs."""
    return connection.scalar(select(func.min(Partnership.id)))


def _fill_partnership(_mapper, connection, target) -> None:
    """A cycle or template made without a partnership (a single-partnership deployment never names
    one) belongs to the first partnership, so no row is left outside every partnership."""
    if target.partnership_id is None:
        target.partnership_id = first_partnership_id(connection)


def owned_by_a_partnership(model: type) -> None:
    event.listen(model, "before_insert", _fill_partnership)
