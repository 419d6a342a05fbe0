"""One agency's return for one cycle, its answers, and its deadline extensions."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Integer
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class ReturnState(StrEnum):
    """The lifecycle of a return, in PRODUCT.md's order, plus withdrawn."""

    INVITED = "invited"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    UNDER_QA_CHALLENGE = "under_qa_challenge"
    EVIDENCE_REQUESTED = "evidence_requested"
    ACTION_PLAN_OPEN = "action_plan_open"
    COMPLIANCE_STATEMENT_SIGNED = "compliance_statement_signed"
    WITHDRAWN = "withdrawn"

    @property
    def title(self) -> str:
        return RETURN_STATE_TITLES[self]


RETURN_STATE_TITLES = {
    ReturnState.INVITED: "Invited",
    ReturnState.IN_PROGRESS: "In progress",
    ReturnState.SUBMITTED: "Submitted",
    ReturnState.UNDER_QA_CHALLENGE: "Under QA challenge",
    ReturnState.EVIDENCE_REQUESTED: "Evidence requested",
    ReturnState.ACTION_PLAN_OPEN: "Action plan open",
    ReturnState.COMPLIANCE_STATEMENT_SIGNED: "Statement of compliance signed",
    ReturnState.WITHDRAWN: "Withdrawn",
}

# Still with the agency: reminders chase these, and past the deadline they are overdue.
AWAITING_SUBMISSION = (ReturnState.INVITED.value, ReturnState.IN_PROGRESS.value)

_version = Column("version_id", Integer, nullable=False)


class AuditReturn(SQLModel, table=True):
    """An agency's self-assessment for a cycle; the version column makes concurrent moves safe."""

    __tablename__ = "audit_return"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)
    __mapper_args__ = {"version_id_col": _version}

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    status: str = Field(default=ReturnState.INVITED.value, max_length=40, index=True)
    version_id: int = Field(default=1, sa_column=_version)
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: datetime | None = None
    declaration: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    last_activity_at: datetime = Field(default_factory=utcnow)


class Answer(SQLModel, table=True):
    """The agency's rating of one question, with its narrative and evidence description."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("return_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    rating: str | None = Field(default=None, max_length=40)
    narrative: str = ""
    evidence_description: str = ""
    not_applicable_reason: str = ""
    moderated_rating: str | None = Field(default=None, max_length=40)
    moderated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class DeadlineExtension(SQLModel, table=True):
    """A later submission deadline granted to one agency, with the reason."""

    __tablename__ = "deadline_extension"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    new_deadline: date
    reason: str
    granted_by_id: int = Field(foreign_key="user_account.id")
    granted_at: datetime = Field(default_factory=utcnow)
