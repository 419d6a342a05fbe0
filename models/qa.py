"""The QA sub-group's work: which returns it picked and the challenges it raised."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class QaSelection(SQLModel, table=True):
    """Why a return was picked for QA: a recorded random draw, or a named reason."""

    __tablename__ = "qa_selection"
    __table_args__ = (UniqueConstraint("return_id"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    method: str = Field(max_length=20)  # "random" or "by_hand"
    reason: str = ""
    seed: str = Field(default="", max_length=64)
    selected_by_id: int = Field(foreign_key="user_account.id")
    selected_at: datetime = Field(default_factory=utcnow)


class ChallengeState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Challenge(SQLModel, table=True):
    """A QA challenge on a return (optionally on one question), and the agency's written answer."""

    __tablename__ = "challenge"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    text: str
    status: str = Field(default=ChallengeState.OPEN.value, max_length=20)
    raised_by_id: int = Field(foreign_key="user_account.id")
    raised_at: datetime = Field(default_factory=utcnow)
    response: str = ""
    responded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    responded_at: datetime | None = None
