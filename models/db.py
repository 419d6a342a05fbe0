"""Engines and sessions: SQLite in the instance folder by default, PostgreSQL by DATABASE_URL."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

DEFAULT_INSTANCE = Path("instance")


def database_url(environ: dict[str, str] | None = None) -> str:
    """The configured database: DATABASE_URL, or SQLite in the instance folder."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the driver-less scheme; we use psycopg 3.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    instance = Path(env.get("S11_INSTANCE", DEFAULT_INSTANCE))
    instance.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(instance / 's11.sqlite').resolve()}"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with SQLite made safe for several processes: foreign keys, WAL, a busy wait."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# PostgreSQL's serialization failure and deadlock; SQLite's busy database.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


def is_retryable(error: BaseException) -> bool:
    """Whether a failed transaction would likely succeed if run again from the start."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit if the block ends normally, roll everything back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
