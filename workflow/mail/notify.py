"""Queue one kind of message to a list of people about a return."""

from typing import Any

from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, select

from models import Agency, AuditReturn, Cycle
from workflow.mail import outbox


def return_context(session: Session, ret: AuditReturn, **extra: Any) -> dict[str, Any]:
    """The values every message about a return can use."""
    cycle, agency = cycle_and_agency(session, ret)
    return {"return_id": ret.id, "cycle_name": cycle.name, "agency_name": agency.name, **extra}


def cycle_and_agency(session: Session, ret: AuditReturn) -> tuple[Cycle, Agency]:
    """The return's cycle and agency: from the session when it holds both, else in one read."""
    cycle = session.identity_map.get(identity_key(Cycle, ret.cycle_id))
    agency = session.identity_map.get(identity_key(Agency, ret.agency_id))
    if cycle is not None and agency is not None:
        return cycle, agency
    found = session.exec(select(Cycle, Agency).join(Agency, Agency.id == ret.agency_id).where(Cycle.id == ret.cycle_id)).one()
    return found[0], found[1]


def tell(
    session: Session,
    kind: str,
    people: list[tuple[str, str]],
    context: dict[str, Any],
    *,
    return_id: int | None = None,
) -> None:
    """Queue the message once per distinct address, written in one batch."""
    tell_each(session, kind, [(people, context, return_id)])


def tell_each(session: Session, kind: str, letters: list[tuple[list[tuple[str, str]], dict[str, Any], int | None]]) -> None:
    """`tell` for many (people, context, return id) at once, queued in one batch."""
    _queue(session, [(kind, people, context, return_id) for people, context, return_id in letters])


def tell_each_kind(
    session: Session, letters: list[tuple[str, list[tuple[str, str]], dict[str, Any]]], *, return_id: int | None = None
) -> None:
    """`tell` for several kinds of message about one thing, (kind, people, context), queued in one batch."""
    _queue(session, [(kind, people, context, return_id) for kind, people, context in letters])


def _queue(session: Session, letters: list[tuple[str, list[tuple[str, str]], dict[str, Any], int | None]]) -> None:
    """Each letter once per distinct address, all in one INSERT."""
    queued = []
    for kind, people, context, return_id in letters:
        seen: set[str] = set()
        for email, name in people:
            if email.lower() not in seen:
                seen.add(email.lower())
                queued.append((kind, email, name, context, return_id))
    outbox.queue_many(session, queued)
