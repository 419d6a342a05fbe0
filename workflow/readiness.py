"""Whether this process can do its work: the database answers, its schema is the product's, the
evidence store answers. The load balancer asks through /readyz; an operator through `s11 check-config`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from models.migrate import applied_heads, script_heads


@dataclass(frozen=True)
class Check:
    """One thing checked, and what was found, in words without secrets or personal data."""

    name: str
    ok: bool
    detail: str


def check_database(engine: Engine, expected_heads: frozenset[str] | None = None) -> list[Check]:
    """The database answers, and its migrations are at the heads this package ships."""
    expected = script_heads() if expected_heads is None else expected_heads
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            applied = applied_heads(connection)
    except SQLAlchemyError as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        return [Check("database", False, f"not reachable ({reason})"), Check("migrations", False, "unknown")]
    database = Check("database", True, "reachable")
    if applied == expected:
        return [database, Check("migrations", True, f"at head ({', '.join(sorted(applied))})")]
    missing = ", ".join(sorted(expected - applied)) or "none"
    return [database, Check("migrations", False, f"not at head: run `s11 db upgrade` (missing {missing})")]


def check_store(store_check: Callable[[], None], described: str) -> Check:
    """The evidence store answers (`store_check` raises when it does not)."""
    try:
        store_check()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready", said in words
        return Check("evidence store", False, str(error) or type(error).__name__)
    return Check("evidence store", True, described)
