"""The one way a status changes: check who, where from and the guards, move, record, flush."""

from collections.abc import Iterable

from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from models import AuditReturn, HistoryRecord, User
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
) -> HistoryRecord:
    """Fire one move of a return's lifecycle as `actor` (None: the scheduler) and record it;
    `also` names other columns of the return the move sets, written with it in one statement."""
    move = RETURN_LIFECYCLE.moves[trigger]
    if actor is not None:
        require_role(session, actor, move.roles, move.title, agency_id=ret.agency_id)
    state_problem = refusal_for_state(RETURN_LIFECYCLE, trigger, ret.status, "return")
    reasons = [state_problem] if state_problem else list(guard_reasons)
    if reasons:
        raise DomainError(reasons)
    return fire_and_record(session, actor, ret, trigger, reason=reason, details=details, also=also)


def fire_and_record(
    session: Session,
    actor: User | None,
    ret: AuditReturn,
    trigger: str,
    *,
    reason: str = "",
    details: dict | None = None,
    also: dict | None = None,
) -> HistoryRecord:
    """Move the status and write the history record; a competing change raises ConcurrentChange."""
    from_state = ret.status
    try:
        RETURN_LIFECYCLE.fire(trigger, ret)
    except MachineError as error:  # guarded above; kept so a bypass still cannot corrupt state
        raise DomainError(f"This move is not part of a return's lifecycle: {error.value}") from error
    for column, value in (also or {}).items():
        setattr(ret, column, value)
    ret.last_activity_at = utcnow()
    session.add(ret)
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
    session: Session, actor: User | None, ret: AuditReturn, trigger: str, *, reason: str = "", details: dict | None = None
) -> HistoryRecord:
    """Record something that happened to a return without moving it (a challenge answered, say)."""
    touch_return(session, ret)
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
