"""The year's key themes: what the coordinator found, per standard and overall, for the Board's
annual report beside the figures."""

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import utcnow

OVERALL = ""  # the standard number of the overall theme


class KeyTheme(SQLModel, table=True):
    """One cycle's findings about one standard (by number), or overall (standard "")."""

    __tablename__ = "key_theme"
    __table_args__ = (UniqueConstraint("cycle_id", "standard_number"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    standard_number: str = Field(default=OVERALL, max_length=20)
    text: str = ""
    written_by_id: int = Field(foreign_key="user_account.id")
    written_at: datetime = Field(default_factory=utcnow)
