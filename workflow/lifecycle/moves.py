"""The one way a status changes: check who, where from and the guards, move, record, flush."""

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from models import AuditReturn, User
from models.audit_return import ReturnState
from workflow import partnerships
from workflow.access import require_role
from workflow.clock import utcnow
from workflow.errors import ConcurrentChange, DomainError
from workflow.lifecycle import history
from workflow.lifecycle.machines import RETURN_LIFECYCLE, Lifecycle, MachineError


def refusal_for_state(lifecycle: Lifecycle, trigger: str, state: str, noun: str) -> str | None:
    """Why the move cannot start from this state, or None when it can."""
    if lifecycle.allows(trigger, state):
        return None
    move = lifecycle.moves[trigger]
    title = _state_title(noun, state)
    return f"You cannot {move.title} because the {noun} is {title.lower()}."


def _state_title(noun: str, state: str) -> str:
    if noun == "return":
        return ReturnState(state).title
    return state.replace("_", " ")


def move_return(
    session: Session,
    actor: User | None,
    ret: AuditReturn,
    trigger: str,
    *,
    guard_reasons: Iterable[str] = (),
    reason: str = "",
    details: dict | None = None,
    also: dict | None = None,
    head: history.ChainHead | None = None,
    rows: Iterable[object] = (),
    notes: Iterable[history.Sealed] = (),
) -> history.Sealed:
    """Fire one move of a return's lifecycle as `actor` (None: the scheduler) and record it;
    `also` names other columns of the return the move sets, written with it in one statement;
    `head` is the chain's head when the caller read it already (`moving.read_for_move`); `rows`
    are new rows the move writes, added only once it is allowed and flushed with it; `notes` are
    records sealed before the move's own (`note_after`), written with it in one INSERT."""
    move = RETURN_LIFECYCLE.moves[trigger]
    if actor is not None:
        require_role(session, actor, move.roles, move.title, agency_id=ret.agency_id)
    state_problem = refusal_for_state(RETURN_LIFECYCLE, trigger, ret.status, "return")
    reasons = [state_problem] if state_problem else list(guard_reasons)
    if reasons:
        raise DomainError(reasons)
    session.add_all(rows)
    return fire_and_record(
        session, actor, ret, trigger, reason=reason, details=details, also=also, head=head, notes=list(notes)
    )


def fire_and_record(
    session: Session,
    actor: User | None,
    ret: AuditReturn,
    trigger: str,
    *,
    reason: str = "",
    details: dict | None = None,
    also: dict | None = None,
    head: history.ChainHead | None = None,
    notes: list[history.Sealed] | None = None,
) -> history.Sealed:
    """Move the status and write the history record; a competing change raises ConcurrentChange.

    With the chain's `head` already read, the record goes into the same flush as the return's
    UPDATE (and whatever else the move added first), so nothing is read between the two."""
    from_state = ret.status
    try:
        RETURN_LIFECYCLE.fire(trigger, ret)
    except MachineError as error:  # guarded above; kept so a bypass still cannot corrupt state
        raise DomainError(f"This move is not part of a return's lifecycle: {error.value}") from error
    for column, value in (also or {}).items():
        setattr(ret, column, value)
    ret.last_activity_at = utcnow()
    session.add(ret)
    if head is not None:
        record = history.seal_after(
            head, actor_id=actor.id if actor else None, actor_name=actor.name if actor else history.SYSTEM_NAME,
            return_id=ret.id, trigger=trigger, from_state=from_state, to_state=ret.status, reason=reason, details=details,
        )
        flush_or_conflict(session, "return")
        history.insert_records(session, [*(notes or []), record])
        return record
    flush_or_conflict(session, "return")
    return history.append(
        session,
        subject_type="return",
        subject_id=ret.id,
        return_id=ret.id,
        actor=actor,
        trigger=trigger,
        from_state=from_state,
        to_state=ret.status,
        reason=reason,
        details=details,
    )


def touch_return(session: Session, ret: AuditReturn) -> None:
    """Mark activity on the return and take its version, so a concurrent move loses cleanly."""
    ret.last_activity_at = utcnow()
    session.add(ret)
    flush_or_conflict(session, "return")


def hold_return(session: Session, return_id: int) -> None:
    """Take the return's row, and its version, before reading anything a save depends on.

    Every save of one return then waits its turn on this row instead of deadlocking over answer
    rows and history, and (on SQLite too) reads what the save before it committed. Taking the
    version here is what `touch_return` would do later, so a concurrent move still loses cleanly
    and the save needs no second write of the return. The session's objects are expired so nothing
    read before the wait is trusted.
    """
    table = AuditReturn.__table__
    taken = update(table).where(table.c.id == return_id).values(last_activity_at=utcnow(), version_id=table.c.version_id + 1)
    # Another partnership's return is not taken (nor its version moved): the read after this finds nothing.
    session.execute(partnerships.only_scoped_returns(session, taken, table.c.id))
    session.expire_all()


def flush_or_conflict(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise ConcurrentChange(what) from error


def note_on_return(
    session: Session,
    actor: User | None,
    ret: AuditReturn,
    trigger: str,
    *,
    reason: str = "",
    details: dict | None = None,
    head: history.ChainHead | None = None,
) -> history.Sealed:
    """Record something that happened to a return without moving it (a challenge answered, say);
    `head` is the chain's head when the caller read it already."""
    touch_return(session, ret)
    if head is not None:
        return history.append_to(
            session, head, actor_id=actor.id if actor else None, actor_name=actor.name if actor else history.SYSTEM_NAME,
            return_id=ret.id, trigger=trigger, reason=reason, details=details,
        )
    return history.append(
        session,
        subject_type="return",
        subject_id=ret.id,
        return_id=ret.id,
        actor=actor,
        trigger=trigger,
        reason=reason,
        details=details,
    )


def note_after(
    head: history.ChainHead, actor: User | None, ret: AuditReturn, trigger: str, *, reason: str = "", details: dict | None = None
) -> history.Sealed:
    """A note on a return that a move follows at once (a return picked for QA as it is
    challenged): sealed now, written with the move's record (`move_return(notes=...)`); the move's
    UPDATE of the return takes the version for both."""
    return history.seal_after(
        head, actor_id=actor.id if actor else None, actor_name=actor.name if actor else history.SYSTEM_NAME,
        return_id=ret.id, trigger=trigger, reason=reason, details=details,
    )
