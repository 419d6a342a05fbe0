"""The QA sub-group's meetings: the returns on the agenda, who was there, and what was decided."""

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import MutableJSONList, utcnow


class QaMeeting(SQLModel, table=True):
    """One meeting of the QA sub-group for a cycle; `recorded_at` is set once the minutes are in."""

    __tablename__ = "qa_meeting"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    held_on: date
    planned_by_id: int = Field(foreign_key="user_account.id")
    planned_at: datetime = Field(default_factory=utcnow)
    # The ids of the people present (QA reviewers and coordinators), once recorded.
    members_present: list = Field(default_factory=list, sa_column=Column(MutableJSONList, nullable=False))
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_at: datetime | None = None


class QaMeetingItem(SQLModel, table=True):
    """A return on the meeting's agenda, and the decision the meeting took on it."""

    __tablename__ = "qa_meeting_item"
    __table_args__ = (UniqueConstraint("meeting_id", "return_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="qa_meeting.id", index=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    decision: str = ""
