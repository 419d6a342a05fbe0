"""Agencies: the organisations audited under section 11."""

from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    """An organisation that works with children; statutory ones must take part every year."""

    __tablename__ = "agency"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True, index=True)
    sector: str = Field(max_length=80, index=True)
    statutory: bool = Field(default=False)
    commissioned_by_id: int | None = Field(default=None, foreign_key="agency.id")
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    executive_name: str = Field(default="", max_length=200)
    executive_email: str = Field(default="", max_length=254)
    active: bool = Field(default=True)
