"""Carry-forward: a standard of a new full audit whose answers were offered from the agency's last
return and accepted, awaiting (or holding) the agency's confirmation that they are still true."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import MutableJSONList, utcnow


class CarriedStandard(SQLModel, table=True):
    """One standard carried into a return; the return cannot be submitted until it is confirmed."""

    __tablename__ = "carried_standard"
    __table_args__ = (UniqueConstraint("return_id", "standard_id"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    standard_id: int = Field(foreign_key="standard.id")
    from_return_id: int = Field(foreign_key="audit_return.id")
    questions: int = 0  # how many of its questions were carried
    # Evidence files carried that were uploaded more than a year before: [{"file": name, "uploaded": "2025-05-03"}].
    old_evidence: list = Field(default_factory=list, sa_column=Column(MutableJSONList, nullable=False))
    carried_by_id: int = Field(foreign_key="user_account.id")
    carried_at: datetime = Field(default_factory=utcnow)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    confirmed_at: datetime | None = None
