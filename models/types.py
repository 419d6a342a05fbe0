"""Column types shared by the tables: JSON that saves in-place edits, and the UTC clock."""

from datetime import UTC, datetime

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableDict, MutableList

# Each Mutable class needs a type instance of its own: as_mutable() claims every column of that instance.
MutableJSONDict = MutableDict.as_mutable(JSON().with_variant(JSONB(), "postgresql"))
MutableJSONList = MutableList.as_mutable(JSON().with_variant(JSONB(), "postgresql"))


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns refuse naive values and read back in UTC."""
    return datetime.now(UTC)
