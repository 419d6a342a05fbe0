"""Reuse: answers and evidence files an agency chose to take from its return to another cycle
running at the same time, so each page can say where they came from."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class ReusedAnswer(SQLModel, table=True):
    """A question of a return answered from the agency's answer to the same question elsewhere."""

    __tablename__ = "reused_answer"
    __table_args__ = (UniqueConstraint("return_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    question_id: int = Field(foreign_key="question.id")
    from_return_id: int = Field(foreign_key="audit_return.id")
    reused_by_id: int = Field(foreign_key="user_account.id")
    reused_at: datetime = Field(default_factory=utcnow)


class ReusedEvidence(SQLModel, table=True):
    """An evidence file record of a return that is another return's file (the same stored bytes)."""

    __tablename__ = "reused_evidence"

    evidence_file_id: int = Field(foreign_key="evidence_file.id", primary_key=True)
    from_file_id: int = Field(foreign_key="evidence_file.id")
    from_return_id: int = Field(foreign_key="audit_return.id", index=True)
