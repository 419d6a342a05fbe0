"""An action's life after submission: its lead person reports progress until it is done."""

from sqlmodel import Session, select

from models import Action, ActionUpdate, AuditReturn, User
from models.action import ActionState
from models.audit_return import ReturnState
from models.user import Role
from workflow.access import roles_of, visible_return
from workflow.clock import today, utcnow
from workflow.errors import DomainError, NotFound, NotPermitted
from workflow.lifecycle import history
from workflow.lifecycle.machines import ACTION_LIFECYCLE
from workflow.lifecycle.moves import flush_or_conflict, refusal_for_state

LIVE_RETURN_STATES = {ReturnState.ACTION_PLAN_OPEN, ReturnState.COMPLIANCE_STATEMENT_SIGNED}
NEEDS_REASON = {"cancel", "reopen"}


def my_actions(session: Session, user: User) -> list[Action]:
    """The actions this person leads, in every cycle, soonest first."""
    return list(session.exec(select(Action).where(Action.lead_user_id == user.id).order_by(Action.target_date, Action.id)))


def is_overdue(action: Action) -> bool:
    return (
        action.status in (ActionState.OPEN, ActionState.IN_PROGRESS)
        and action.target_date is not None
        and action.target_date < today()
    )


def _may_update(session: Session, user: User, action: Action, ret: AuditReturn) -> bool:
    """The action's lead person, or one of the agency's users."""
    if action.lead_user_id == user.id and user.active:
        return True
    return Role.AGENCY_USER in roles_of(session, user) and user.agency_id == ret.agency_id


def update_progress(session: Session, actor: User, action_id: int, *, note: str, trigger: str | None = None) -> ActionUpdate:
    """Record progress, and optionally move the action (begin, complete, cancel, reopen)."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("There is no such action.")
    ret = (
        visible_return(session, actor, action.return_id)
        if action.lead_user_id != actor.id
        else session.get(AuditReturn, action.return_id)
    )
    if not _may_update(session, actor, action, ret):
        raise NotPermitted("Only the action's lead person or the agency's users can update it.")
    reasons = []
    if ret.status not in LIVE_RETURN_STATES:
        reasons.append("Progress is recorded once QA has finished and the action plan is live.")
    if not note.strip():
        reasons.append("Write a note saying what has been done.")
    if trigger is not None:
        if trigger not in ACTION_LIFECYCLE.moves:
            raise DomainError(f"Unknown change to an action: {trigger}.")
        problem = refusal_for_state(ACTION_LIFECYCLE, trigger, action.status, "action")
        if problem:
            reasons.append(problem)
    if reasons:
        raise DomainError(reasons)
    from_state = action.status
    if trigger is not None:
        ACTION_LIFECYCLE.fire(trigger, action)
        if action.status in (ActionState.COMPLETED, ActionState.CANCELLED):
            action.closed_at = utcnow()
            action.closing_reason = note.strip()
        else:
            action.closed_at = None
            action.closing_reason = ""
    update = ActionUpdate(action_id=action.id, author_id=actor.id, note=note.strip(), status_after=action.status)
    session.add(action)
    session.add(update)
    flush_or_conflict(session, "action")
    history.append(
        session,
        subject_type="action",
        subject_id=action.id,
        return_id=ret.id,
        actor=actor,
        trigger=trigger or "progress",
        from_state=from_state if trigger else "",
        to_state=action.status if trigger else "",
        reason=note.strip(),
    )
    return update
