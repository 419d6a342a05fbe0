"""Counting attempts in the database, atomically, so parallel requests cannot slip past a limit.

Each count is one INSERT ... ON CONFLICT DO UPDATE ... RETURNING statement: PostgreSQL and SQLite
both run it as a single step, so forty simultaneous requests get forty different numbers back.
"""

import hashlib
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models import Throttle
from workflow.clock import utcnow


def _key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def count(session: Session, scope: str, key: str, *, window: timedelta, by: int = 1) -> int:
    """Add `by` to this key's count in the current window and return the new count.

    A window older than `window` starts again from `by`, so a limit slows someone down for one
    window at most. `by=-1` gives an attempt back (a right password is not held against an address).
    """
    now = utcnow()
    table = Throttle.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    expired = table.c.window_start <= now - window
    statement = (
        insert(table)
        .values(scope=scope, key_hash=_key_hash(scope, key), count=max(by, 0), window_start=now)
        .on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key_hash],
            set_={
                "count": case((expired, max(by, 0)), else_=table.c.count + by),
                "window_start": case((expired, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.count)
    )
    return session.execute(statement).scalar_one()
