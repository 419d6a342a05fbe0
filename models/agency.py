"""Agencies: the organisations audited under section 11."""

from sqlmodel import Field, SQLModel

from models import field_limits


class Agency(SQLModel, table=True):
    """An organisation that works with children; statutory ones must take part every year."""

    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    # Unique within each partnership the agency is in, checked by workflow/people/agencies.py (migration 0021).
    name: str = Field(max_length=field_limits.AGENCY_NAME, index=True)
    sector: str = Field(max_length=field_limits.SECTOR, index=True)
    statutory: bool = Field(default=False)
    commissioned_by_id: int | None = Field(default=None, foreign_key="agency.id")
    contact_name: str = Field(default="", max_length=field_limits.PERSON_NAME)
    contact_email: str = Field(default="", max_length=field_limits.EMAIL)
    executive_name: str = Field(default="", max_length=field_limits.PERSON_NAME)
    executive_email: str = Field(default="", max_length=field_limits.EMAIL)
    active: bool = Field(default=True)
