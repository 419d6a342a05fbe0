"""Queue e-mails as outbox rows in the caller's transaction: a rolled-back change sends nothing."""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import OutboxMessage
from notifications.messages import render


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
    if dedupe_key and session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first():
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
    # Two schedulers racing past the check above: the unique key lets exactly one row in.
    try:
        with session.begin_nested():
            session.add(message)
        return message
    except IntegrityError:
        return None


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, (int, float, bool, type(None))) else str(value) for key, value in context.items()}
