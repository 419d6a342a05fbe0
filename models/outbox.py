"""The outbox: e-mails written in the same transaction as the change that causes them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from models.types import MutableJSONDict, utcnow


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """One e-mail to one person; `dedupe_key` makes a reminder impossible to queue twice."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60, index=True)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    to_email: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=300)
    text_body: str
    html_body: str = ""
    context: dict = Field(default_factory=dict, sa_column=Column(MutableJSONDict, nullable=False))
    return_id: int | None = Field(default=None, foreign_key="audit_return.id", index=True)
    status: str = Field(default=OutboxState.PENDING.value, max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    last_error: str = ""
    provider_message_id: str = Field(default="", max_length=120, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    # Names the worker that claimed a `sending` row, so a worker whose lease ran out cannot
    # overwrite the outcome of the one that took the row over.
    claim_token: str = Field(default="", max_length=32)
