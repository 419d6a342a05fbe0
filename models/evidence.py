"""Evidence: uploaded files and QA's requests for more."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.types import utcnow


class EvidenceFile(SQLModel, table=True):
    """A record of an uploaded file; the bytes live outside the database, named by SHA-256."""

    __tablename__ = "evidence_file"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    action_id: int | None = Field(default=None, foreign_key="action.id")
    evidence_request_id: int | None = Field(default=None, foreign_key="evidence_request.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size: int
    sha256: str = Field(max_length=64, index=True)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    uploaded_at: datetime = Field(default_factory=utcnow)


class EvidenceRequestState(StrEnum):
    OPEN = "open"
    PROVIDED = "provided"
    CANCELLED = "cancelled"


class EvidenceRequest(SQLModel, table=True):
    """QA's request for specific evidence by a date."""

    __tablename__ = "evidence_request"
    # The daily sweep reads only the open requests coming due (migration 0006).
    __table_args__ = (Index("ix_evidence_request_status_due_date", "status", "due_date"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int | None = Field(default=None, foreign_key="question.id")
    description: str
    due_date: date
    status: str = Field(default=EvidenceRequestState.OPEN.value, max_length=20)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_at: datetime = Field(default_factory=utcnow)
    response: str = ""
    provided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    provided_at: datetime | None = None
