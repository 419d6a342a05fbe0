"""What a commissioning agency says about a provider's return: its people read the returns of the
services they commission (never change them) and leave comments the provider is told about."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import utcnow


class CommissionerComment(SQLModel, table=True):
    """One comment by a person of the commissioning agency on a provider's return (migration 0013)."""

    __tablename__ = "commissioner_comment"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    author_id: int = Field(foreign_key="user_account.id")
    commissioner_agency_id: int = Field(foreign_key="agency.id")  # the agency the author spoke for
    text: str  # up to field_limits.COMMENT, checked by the operation
    created_at: datetime = Field(default_factory=utcnow)
