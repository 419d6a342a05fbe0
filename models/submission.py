"""The frozen copy of each submission: the whole return as canonical JSON, hashed into the history."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class SubmissionCopy(SQLModel, table=True):
    """What was submitted, exactly; `sha256` is also in the submit record's sealed details."""

    __tablename__ = "submission_copy"
    __table_args__ = (UniqueConstraint("return_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    number: int  # 1 for the first submission, 2 after a return for amendment, ...
    submitted_at: datetime = Field(default_factory=utcnow)
    submitted_by_id: int = Field(foreign_key="user_account.id")
    canonical_json: str
    sha256: str = Field(max_length=64)
