"""The one place the engine reads the time, so tests can freeze it, and how times are written for people.

The product stores UTC; people live in England. "Today" is the date on a clock in London, so a
deadline of 31 May is missed at midnight in London (23:00 UTC in summer), not an hour later. Times
are written the way GOV.UK writes them: "2 December 2026", "2:05pm", "10am", "midday".
"""

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from models.types import utcnow

__all__ = [
    "UK",
    "is_working_day",
    "today",
    "uk_date",
    "uk_date_time",
    "uk_day",
    "uk_now",
    "uk_time",
    "uk_wall_clock",
    "utcnow",
]

UK = ZoneInfo("Europe/London")


def uk_now() -> datetime:
    """The time on a clock in London (GMT in winter, BST in summer)."""
    return utcnow().astimezone(UK)


def today() -> date:
    """Today's date in London: deadlines and reminders are whole UK days."""
    return uk_now().date()


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share their bank holidays; `holidays` knows them offline, substitute days included.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def uk_day(moment: datetime) -> date:
    """The day a stored moment fell on in London (23:30 UTC in summer is already tomorrow)."""
    return _in_uk(moment).date()


def uk_date(value: date | None) -> str:
    """2 December 2026: no leading zero, the month in words (the GOV.UK style)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_uk(value).date()
    return f"{value.day} {value:%B %Y}"


def uk_time(value: datetime | None) -> str:
    """2:05pm, 10am, midday, midnight: the time in London as GOV.UK writes it."""
    if value is None:
        return ""
    local = _in_uk(value)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


def uk_date_time(value: datetime | None) -> str:
    """2 December 2026 at 2:05pm, in London."""
    if value is None:
        return ""
    return f"{uk_date(value)} at {uk_time(value)}"


def uk_wall_clock(value: datetime) -> datetime:
    """The moment as a clock in London read it, without a zone: for files (a spreadsheet has no
    time zones) whose readers take a time at face value."""
    return _in_uk(value).replace(tzinfo=None)


def _in_uk(value: datetime) -> datetime:
    # A naive datetime comes from SQLite, which drops the zone: the product stores UTC.
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(UK)
