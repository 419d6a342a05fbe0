"""A stored time's day in UTC, worked out by the database: the progress figures count whole days
(launch to submission, request to evidence) and replay the history day by day, so they need the
day of each of thousands of times, not the times themselves read and converted one by one."""

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class utc_day(FunctionElement):  # noqa: N801 (a SQL function, named as one)
    """The UTC calendar day of a time column, as a date."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _sqlite(element, compiler, **kw) -> str:
    # SQLite keeps times as UTC text ("2026-04-01 12:00:00.000000"): its date() is the UTC day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _postgresql(element, compiler, **kw) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC' AS DATE)"


class utc_days_between(FunctionElement):  # noqa: N801 (a SQL function, named as one)
    """Whole days from the first time's UTC day to the second's, as an integer."""

    type = Integer()
    inherit_cache = True
    name = "utc_days_between"


@compiles(utc_days_between)
def _sqlite_between(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"


@compiles(utc_days_between, "postgresql")
def _postgresql_between(element, compiler, **kw) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST(({end}) AT TIME ZONE 'UTC' AS DATE) - CAST(({start}) AT TIME ZONE 'UTC' AS DATE))"
