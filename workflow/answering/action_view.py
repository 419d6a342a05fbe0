"""What the lead person's pages show: their actions across cycles, and one action with its progress.

An action is visible to its lead person and to anyone who may see its return; to anyone else it
does not exist (NotFound), like another agency's return.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Action, ActionUpdate, Agency, AuditReturn, Cycle, EvidenceFile, Question, User
from workflow.access import visible_return
from workflow.answering import actions
from workflow.answering.actions import LIVE_RETURN_STATES, is_overdue, my_actions
from workflow.answering.return_view import people_named, sentence
from workflow.errors import NotFound
from workflow.lifecycle.machines import ACTION_LIFECYCLE


def visible_action(session: Session, user: User, action_id: int) -> tuple[Action, AuditReturn]:
    """An action and its return, for its lead person and anyone who may see the return."""
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("There is no such action.")
    if action.lead_user_id == user.id and user.active:
        return action, session.get(AuditReturn, action.return_id)
    return action, visible_return(session, user, action.return_id)


@dataclass(frozen=True)
class MyAction:
    """One line of the lead person's list."""

    action: Action
    agency_name: str
    cycle_name: str
    question_ref: str
    overdue: bool


def my_action_rows(session: Session, user: User) -> list[MyAction]:
    """The actions this person leads, in every cycle, soonest first, overdue ones marked."""
    actions = my_actions(session, user)
    if not actions:
        return []
    return_ids = {a.return_id for a in actions}
    places = {
        rid: (agency, cycle)
        for rid, agency, cycle in session.exec(
            select(AuditReturn.id, Agency.name, Cycle.name)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .join(Cycle, Cycle.id == AuditReturn.cycle_id)
            .where(AuditReturn.id.in_(return_ids))
        )
    }
    refs = dict(session.exec(select(Question.id, Question.ref).where(Question.id.in_({a.question_id for a in actions}))).all())
    return [
        MyAction(a, *places[a.return_id], refs.get(a.question_id, ""), is_overdue(a))
        for a in actions
    ]


@dataclass(frozen=True)
class ActionPage:
    """Everything the action's page shows, and the moves open to it now."""

    action: Action
    ret: AuditReturn
    question: Question
    updates: list[ActionUpdate]
    files: list[EvidenceFile]
    names: dict[int, str]
    moves: list[tuple[str, str]]
    overdue: bool
    may_update: bool


def action_page(session: Session, user: User, action_id: int) -> ActionPage:
    action, ret = visible_action(session, user, action_id)
    updates = list(session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id).order_by(ActionUpdate.id)))
    files = list(session.exec(select(EvidenceFile).where(EvidenceFile.action_id == action.id).order_by(EvidenceFile.id)))
    names = people_named(session, {u.author_id for u in updates} | ({action.lead_user_id} if action.lead_user_id else set()))
    moves = [(t, sentence(ACTION_LIFECYCLE.moves[t].title)) for t in ACTION_LIFECYCLE.triggers_from(action.status)]
    return ActionPage(
        action, ret, session.get(Question, action.question_id), updates, files, names, moves, is_overdue(action),
        may_update=may_update(session, user, action, ret),
    )


def may_update(session: Session, user: User, action: Action, ret: AuditReturn) -> bool:
    """Whether `actions.update_progress` would take a note from this person now (the same checks)."""
    return ret.status in LIVE_RETURN_STATES and actions._may_update(session, user, action, ret)
