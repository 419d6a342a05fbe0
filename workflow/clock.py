"""The one place the engine reads the time, so tests can freeze it."""

from datetime import date

from models.types import utcnow

__all__ = ["today", "utcnow"]


def today() -> date:
    """Today's date in UTC (the partnership works in England; deadlines are whole days)."""
    return utcnow().date()
