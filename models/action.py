"""Actions of an agency's plan, and their progress updates."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.types import utcnow


class ActionState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def title(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Action(SQLModel, table=True):
    """What will be done to meet a question, by whom and by when."""

    __tablename__ = "action"
    # The daily sweep reads only the live actions coming due (migration 0006).
    __table_args__ = (Index("ix_action_status_target_date", "status", "target_date"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    description: str = ""
    lead_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    target_date: date | None = None
    status: str = Field(default=ActionState.OPEN.value, max_length=20, index=True)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closing_reason: str = ""


class ActionUpdate(SQLModel, table=True):
    """A lead person's progress note on an action."""

    __tablename__ = "action_update"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    note: str
    status_after: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
