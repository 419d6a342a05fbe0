"""The cycle's action-plan review: before its date, agencies with live actions are asked to bring
them up to date; the review page lists each agency's actions, overdue and stale ones first."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, func, select

from models import Action, ActionUpdate, Agency, AuditReturn, Cycle, User
from models.action import ActionState
from models.cycle import CycleState
from workflow.answering.actions import LIVE_RETURN_STATES
from workflow.calendar.reminders import Letter, current_stage, queue_letters, reminder_stages
from workflow.clock import uk_date
from workflow.errors import NotFound
from workflow.people.recipients import contacts_of_agencies

REVIEW_NOTICE_DAYS = (14,)
# An open action nobody has updated for this long is stale: the review asks about it first.
STALE_AFTER = timedelta(days=60)
OPEN = (ActionState.OPEN.value, ActionState.IN_PROGRESS.value)


def queue_plan_review_requests(session: Session, on: date) -> int:
    """14 days before each open cycle's action-plan review date, ask the agencies whose plans are
    live with open actions to update them; once per agency and date (the job may run twice).

    Only cycles whose request is due on `on` are read further (its date is the cycle's, so a
    cycle outside those 14 days costs one read of the open cycles however many actions it has);
    their returns, agencies and contacts are then read in three statements, not one per return."""
    cycles = {}
    for cycle in session.exec(select(Cycle).where(Cycle.status == CycleState.OPEN)):
        stage = current_stage(reminder_stages(cycle.action_plan_review, REVIEW_NOTICE_DAYS, issued_on=cycle.opens_on), on)
        if stage is not None:
            cycles[cycle.id] = (cycle, stage)
    if not cycles:
        return 0
    has_open = select(Action.return_id).where(Action.status.in_(OPEN))
    rows = session.exec(
        select(AuditReturn, Agency)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(
            AuditReturn.cycle_id.in_(list(cycles)),
            AuditReturn.status.in_([s.value for s in LIVE_RETURN_STATES]),
            AuditReturn.id.in_(has_open),
        )
        .order_by(AuditReturn.id)
    ).all()
    contacts = contacts_of_agencies(session, list({agency.id: agency for _, agency in rows}.values())) if rows else {}
    letters = []
    for ret, agency in rows:
        cycle, stage = cycles[ret.cycle_id]
        review_on = cycle.action_plan_review
        context = {
            "return_id": ret.id, "cycle_name": cycle.name, "agency_name": agency.name, "review_date": uk_date(review_on),
        }
        key = f"plan-review:{ret.id}:{review_on.isoformat()}:{stage.name}"
        letters.append(Letter("action_plan_review_due", contacts[agency.id], context, key, ret.id))
    return queue_letters(session, letters)


@dataclass(frozen=True)
class ReviewLine:
    action_id: int
    agency_name: str
    return_id: int
    description: str
    lead_name: str
    status: str
    target_date: date | None
    last_update: datetime | None
    overdue: bool
    stale: bool

    @property
    def state_title(self) -> str:
        return ActionState(self.status).title


@dataclass(frozen=True)
class PlanReview:
    cycle: Cycle
    lines: list[ReviewLine]


def plan_review(session: Session, cycle_id: int, *, on: date) -> PlanReview:
    """Every action of the cycle's live plans (one query), overdue first, then stale, then the rest."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    last_update = (
        select(ActionUpdate.action_id, func.max(ActionUpdate.created_at).label("at")).group_by(ActionUpdate.action_id).subquery()
    )
    rows = session.exec(
        select(Action, Agency.name, User.name, last_update.c.at)
        .join(AuditReturn, AuditReturn.id == Action.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .outerjoin(User, User.id == Action.lead_user_id)
        .outerjoin(last_update, last_update.c.action_id == Action.id)
        .where(AuditReturn.cycle_id == cycle.id, AuditReturn.status.in_([s.value for s in LIVE_RETURN_STATES]),
               Action.status != ActionState.CANCELLED)
        .order_by(Agency.name, Action.target_date, Action.id)
    ).all()
    lines = []
    for action, agency, lead, updated in rows:
        live = action.status in OPEN
        overdue = live and action.target_date is not None and action.target_date < on
        touched = updated or action.created_at
        stale = live and touched is not None and touched.date() < on - STALE_AFTER
        lines.append(ReviewLine(action.id, agency, action.return_id, action.description, lead or "None", action.status,
                                action.target_date, updated, overdue, stale))
    lines.sort(key=lambda line: (not line.overdue, not line.stale))  # stable: agency order kept within each group
    return PlanReview(cycle, lines)
