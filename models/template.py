"""Versioned standards templates: standards, their questions, and the rating scale."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import MutableJSONDict, utcnow


class Template(SQLModel, table=True):
    """One version of a partnership's standards; a cycle is bound to exactly one."""

    __tablename__ = "template"
    # Each partnership installs its own copy of a template (migration 0021).
    __table_args__ = (UniqueConstraint("partnership_id", "key", "version", name="uq_template_per_partnership"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, index=True)
    version: int
    name: str = Field(max_length=200)
    description: str = ""
    # The rating scale as RatingScale.to_json(): values, which need evidence or actions, N/A.
    scale: dict = Field(default_factory=dict, sa_column=Column(MutableJSONDict, nullable=False))
    source_filename: str = Field(default="", max_length=255)
    loaded_at: datetime = Field(default_factory=utcnow)
    # The partnership whose template it is (migration 0015).
    partnership_id: int | None = Field(default=None, foreign_key="partnership.id", index=True)


class Standard(SQLModel, table=True):
    """A standard (key feature) of a template, e.g. "1 Senior management commitment"."""

    __tablename__ = "standard"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="template.id", index=True)
    number: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str = ""
    position: int


class Question(SQLModel, table=True):
    """An element of a standard that each agency rates."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("template_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="template.id", index=True)
    standard_id: int = Field(foreign_key="standard.id", index=True)
    ref: str = Field(max_length=20)
    text: str
    guidance: str = ""
    statutory_only: bool = False
    descriptors: dict = Field(default_factory=dict, sa_column=Column(MutableJSONDict, nullable=False))
    position: int
