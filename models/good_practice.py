"""The good-practice library: answers and evidence files QA or the coordinator found worth sharing,
each with the agency's consent recorded, for the partnership's agencies to learn from."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import utcnow


class GoodPractice(SQLModel, table=True):
    """One answer (and optionally one of its evidence files) marked as good practice."""

    __tablename__ = "good_practice"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    evidence_file_id: int | None = Field(default=None, foreign_key="evidence_file.id")
    standard_number: str = Field(max_length=20, index=True)
    note: str  # why it is good practice, for the reader
    consent_given_by: str = Field(max_length=200)  # who at the agency agreed to share it
    marked_by_id: int = Field(foreign_key="user_account.id")
    marked_at: datetime = Field(default_factory=utcnow)
