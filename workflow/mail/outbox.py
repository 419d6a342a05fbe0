"""Queue e-mails as outbox rows in the caller's transaction: a rolled-back change sends nothing."""

import functools
import json
from typing import Any

from sqlalchemy import Integer, Text, bindparam, cast, func
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models import OutboxMessage
from models.types import utcnow
from notifications.messages import render
from workflow.partnerships import across_partnerships


def queue(
    session: Session,
    *,
    kind: str,
    to_email: str,
    to_name: str,
    context: dict[str, Any],
    return_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Write one message; with a dedupe_key, a second attempt to queue the same one does nothing."""
    if not to_email:
        return None
    if dedupe_key and session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key),
                                     execution_options=across_partnerships()).first():
        return None
    rendered = render(kind, {"to_name": to_name or to_email, **context})
    message = OutboxMessage(
        kind=kind,
        dedupe_key=dedupe_key,
        to_email=to_email,
        to_name=to_name,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
        context=_jsonable(context),
        return_id=return_id,
    )
    if dedupe_key is None:
        session.add(message)
        session.flush()
        return message
    return _insert_once(session, message)


# No RETURNING: several rows go as the driver's executemany (psycopg pipelines them), which
# measured faster than one multi-row VALUES built per call ("insertmanyvalues") on both databases.
_INSERT = OutboxMessage.__table__.insert()


def queue_many(session: Session, letters: list[tuple[str, str, str, dict[str, Any], int | None]]) -> None:
    """Write many messages without dedupe keys in one INSERT: (kind, to_email, to_name, context, return_id)."""
    blank = _blank()
    rows = [
        {**blank, **_rendered(kind, email, name, context), "context": _jsonable(context), "return_id": return_id}
        for kind, email, name, context, return_id in letters
        if email
    ]
    session.flush()  # what the caller added first is written first, as before
    if rows:
        # Core on the session's connection (same transaction): the ORM's bulk path cost three times as much
        session.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)


def _rendered(kind: str, to_email: str, to_name: str, context: dict[str, Any]) -> dict[str, Any]:
    rendered = render(kind, {"to_name": to_name or to_email, **context})
    return {
        "kind": kind, "to_email": to_email, "to_name": to_name, "subject": rendered.subject,
        "text_body": rendered.text_body, "html_body": rendered.html_body,
    }


def queue_once_many(session: Session, letters: list[tuple[str, str, str, dict[str, Any], int | None, str]]) -> int:
    """Write many messages with dedupe keys in one INSERT ... ON CONFLICT DO NOTHING (executemany):
    (kind, to_email, to_name, context, return_id, dedupe_key). Returns how many were new."""
    if not letters:
        return 0
    blank = _blank()
    rows = [
        {**blank, **_rendered(kind, email, name, context), "context": _jsonable(context), "return_id": return_id,
         "dedupe_key": key}
        for kind, email, name, context, return_id, key in letters
    ]
    if session.get_bind().dialect.name == "postgresql":
        return len(session.execute(_insert_unnested(), _as_arrays(rows, blank)).all())
    statement = sqlite_insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id)
    return len(session.execute(statement, rows).all())


# What differs from one message to the next; the rest is the same for every new row (`_blank`).
_PER_MESSAGE = ("kind", "dedupe_key", "to_email", "to_name", "subject", "text_body", "html_body", "context", "return_id")


@functools.cache
def _insert_unnested():
    """PostgreSQL's many-row INSERT: each per-message column sent as one array and unnested, so
    the statement has a score of parameters however many messages a sweep queues. (As one VALUES
    row per message it had sixteen parameters a message, and the driver parsed that long statement
    again on every sweep: most of the sweep's time.)"""
    columns = OutboxMessage.__table__.c
    names = [column.name for column in columns if column.name != "id"]
    # Unsized text, so that a value too long for its column fails as it would in VALUES (a cast to
    # VARCHAR(n) would cut it short without a word).
    values = [
        func.unnest(bindparam(name, type_=ARRAY(Integer if name == "return_id" else Text)))
        if name in _PER_MESSAGE
        else bindparam(name, type_=columns[name].type)
        for name in names
    ]
    values[names.index("context")] = cast(values[names.index("context")], JSONB)
    # On the bare table: a Core INSERT ... SELECT, not the ORM's bulk insert of rows.
    unnested = postgresql_insert(OutboxMessage.__table__).from_select(names, core_select(*values))
    return unnested.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(columns.id)


def _as_arrays(rows: list[dict[str, Any]], blank: dict[str, Any]) -> dict[str, Any]:
    """The rows as `_insert_unnested` takes them: a list per per-message column, the rest once."""
    arrays: dict[str, Any] = {name: [row[name] for row in rows] for name in _PER_MESSAGE}
    arrays["context"] = [json.dumps(context) for context in arrays["context"]]
    return {**{name: value for name, value in blank.items() if name not in _PER_MESSAGE}, **arrays}


def keys_queued(session: Session, keys: list[str]) -> set[str]:
    """Which of these dedupe keys are queued already, read in one query per thousand keys."""
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        queued = select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(chunk))
        found.update(session.exec(queued, execution_options=across_partnerships()))  # a key is taken anywhere
    return found


def _insert_once(session: Session, message: OutboxMessage) -> OutboxMessage | None:
    """Two schedulers racing past the check above: the unique key lets exactly one row in.

    INSERT ... ON CONFLICT DO NOTHING rather than a savepoint: on SQLite a savepoint opened as a
    transaction's first statement commits by itself, which would send mail for a rolled-back change.
    """
    values = _values(message)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = session.execute(statement.returning(OutboxMessage.id)).scalar()
    # The row just written, whoever it is to (not one of the session's partnerships' people, perhaps).
    return session.get(OutboxMessage, new_id, execution_options=across_partnerships()) if new_id is not None else None


@functools.cache
def _defaults() -> dict[str, Any]:
    """Each column's default, found once per process (making a model object costs more than the
    rest of queueing a message)."""
    return _values(OutboxMessage(kind="", to_email="", subject="", text_body=""))


def _blank() -> dict[str, Any]:
    """A new row's defaults, with the times of now."""
    now = utcnow()
    return {**_defaults(), "context": {}, "next_attempt_at": now, "created_at": now}


def _values(message: OutboxMessage) -> dict[str, Any]:
    return {column.name: getattr(message, column.name) for column in OutboxMessage.__table__.columns if column.name != "id"}


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, (int, float, bool, type(None))) else str(value) for key, value in context.items()}
