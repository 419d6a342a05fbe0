"""Telling a lead person about their action: when they are named on it, and when an action they
lead changes (what will be done, or by when). Called by the operations that save actions, in
their transaction, so a refused save tells nobody."""

from datetime import date

from sqlmodel import Session

from models import Action, AuditReturn, User
from workflow.clock import uk_date
from workflow.mail.notify import return_context, tell

Before = tuple[int | None, str, date | None]  # lead, description, target date


def before_change(action: Action) -> Before:
    return (action.lead_user_id, action.description, action.target_date)


def tell_lead(session: Session, action: Action, before: Before | None = None) -> None:
    """`action_assigned` to a newly named lead; `action_changed` to the same lead when what or
    when changed. Nothing when the action has no lead or nothing they care about changed."""
    if action.lead_user_id is None:
        return
    lead = session.get(User, action.lead_user_id)
    if lead is None or not lead.active:
        return
    previous_lead, previous_description, previous_target = before or (None, "", None)
    if previous_lead == action.lead_user_id:
        if (previous_description, previous_target) == (action.description, action.target_date):
            return
        kind = "action_changed"
    else:
        kind = "action_assigned"
    ret = session.get(AuditReturn, action.return_id)
    target = f"{uk_date(action.target_date)}" if action.target_date else "not set yet"
    context = return_context(session, ret, action_id=action.id, description=action.description or "(not described yet)",
                             target_date=target)
    tell(session, kind, [(lead.email, lead.name)], context, return_id=ret.id)
