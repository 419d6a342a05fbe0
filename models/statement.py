"""Statements of compliance signed by an agency's executive."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from models import field_limits
from models.types import MutableJSONList, utcnow


class ComplianceStatement(SQLModel, table=True):
    """The executive's signature, or their choice of a re-audit by peer review."""

    __tablename__ = "compliance_statement"

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="audit_return.id", index=True)
    choice: str = Field(max_length=20)  # "signed" or "peer_review"
    signed_name: str = Field(default="", max_length=field_limits.SIGNED_NAME)
    declaration: str = ""
    # [{"standard": "3", "evidence": "..."}]: standards raised from Partly met to Fully met.
    improvements: list = Field(default_factory=list, sa_column=Column(MutableJSONList, nullable=False))
    signed_by_id: int = Field(foreign_key="user_account.id")
    signed_at: datetime = Field(default_factory=utcnow)
