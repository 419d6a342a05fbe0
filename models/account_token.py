"""Single-use links that let a person set a password: an invitation, or a password reset."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import utcnow


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    UNLOCK = "unlock"  # lifts a sign-in pause early: sent to the owner when one starts


class AccountToken(SQLModel, table=True):
    """One link sent by e-mail; only the SHA-256 of the token is kept, so a copy of the database
    cannot be used to take over an account."""

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
