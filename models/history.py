"""The append-only history: every move of every return, action and cycle, hash-chained."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import MutableJSONDict, utcnow


class HistoryRecord(SQLModel, table=True):
    """One move; `seq` numbers the subject's records and `hash` covers this and the previous one."""

    __tablename__ = "history_record"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    subject_type: str = Field(max_length=20)  # "return", "action", "cycle"
    subject_id: int = Field(index=True)
    seq: int
    # Every record of a return's actions, challenges and requests also names the return.
    return_id: int | None = Field(default=None, foreign_key="audit_return.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_name: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow)
    trigger: str = Field(max_length=60)
    from_state: str = Field(default="", max_length=40)
    to_state: str = Field(default="", max_length=40)
    reason: str = ""
    details: dict = Field(default_factory=dict, sa_column=Column(MutableJSONDict, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
