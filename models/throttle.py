"""Counters that slow down someone trying many passwords or asking for many reset links.

One row per (what is counted, who): sign-in failures from one network address, reset requests
from one address or for one account. The key is a SHA-256, so the table holds no address in clear.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow


class Throttle(SQLModel, table=True):
    """How many times something happened in the current window, counted by one atomic statement."""

    __tablename__ = "throttle"
    __table_args__ = (UniqueConstraint("scope", "key_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40)
    key_hash: str = Field(max_length=64)
    count: int = Field(default=0)
    window_start: datetime = Field(default_factory=utcnow)
