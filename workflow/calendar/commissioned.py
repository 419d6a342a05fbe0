"""What a commissioning agency oversees: the returns of the services it commissions, each with its
state, deadline, action-plan progress and comments; the coordinator sees every commissioned one.

One query whatever the number of providers (the actions and comments counted in SQL)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from models import Action, Agency, AuditReturn, CommissionerComment, Cycle, DeadlineExtension, User
from models.action import ActionState
from models.audit_return import ReturnState
from models.user import AGENCY_ROLES, Role
from workflow.access import qa_may_see, roles_of
from workflow.calendar.progress import is_overdue
from workflow.clock import today
from workflow.errors import NotPermitted


@dataclass(frozen=True)
class ProviderReturn:
    """One provider's return on the commissioner's list."""

    return_id: int
    provider_name: str
    commissioner_name: str
    cycle_name: str
    status: str
    deadline: date
    overdue: bool
    readable: bool  # submitted: its answers and plan may be read (a draft is the provider's own)
    actions: int
    actions_completed: int
    actions_overdue: int
    comments: int

    @property
    def state_title(self) -> str:
        return ReturnState(self.status).title


def provider_returns(session: Session, actor: User) -> list[ProviderReturn]:
    """The returns the person oversees as a commissioner: their agency's providers', or, for the
    coordinator, every commissioned agency's; newest cycle first, then by provider."""
    roles = roles_of(session, actor)
    commissioner = aliased(Agency)
    query = _query(commissioner)
    if Role.COORDINATOR in roles:
        query = query.where(Agency.commissioned_by_id.is_not(None))
    elif roles & AGENCY_ROLES and actor.agency_id is not None:
        query = query.where(Agency.commissioned_by_id == actor.agency_id)
    else:
        raise NotPermitted("Only the people of a commissioning agency, or a coordinator, can see commissioned services.")
    on = today()
    rows = []
    for ret, provider, commissioned_by, cycle, extended_to, actions, completed, late, comments in session.exec(query):
        deadline = max(cycle.submission_deadline, extended_to) if extended_to else cycle.submission_deadline
        rows.append(
            ProviderReturn(
                return_id=ret.id, provider_name=provider, commissioner_name=commissioned_by, cycle_name=cycle.name,
                status=ret.status, deadline=deadline, overdue=is_overdue(ret.status, deadline, on),
                readable=qa_may_see(ret), actions=actions or 0, actions_completed=completed or 0,
                actions_overdue=late or 0, comments=comments or 0,
            )
        )
    return rows


def _query(commissioner):
    on = today()
    live = Action.status.in_([ActionState.OPEN.value, ActionState.IN_PROGRESS.value])
    actions = (
        select(
            Action.return_id,
            func.count(Action.id).label("total"),
            func.sum(case((Action.status == ActionState.COMPLETED.value, 1), else_=0)).label("completed"),
            func.sum(case((live & (Action.target_date < on), 1), else_=0)).label("late"),
        )
        .group_by(Action.return_id)
        .subquery()
    )
    comments = (
        select(CommissionerComment.return_id, func.count(CommissionerComment.id).label("count"))
        .group_by(CommissionerComment.return_id)
        .subquery()
    )
    extended = (
        select(DeadlineExtension.return_id, func.max(DeadlineExtension.new_deadline).label("extended_to"))
        .group_by(DeadlineExtension.return_id)
        .subquery()
    )
    return (
        select(
            AuditReturn, Agency.name, commissioner.name, Cycle, extended.c.extended_to,
            actions.c.total, actions.c.completed, actions.c.late, comments.c.count,
        )
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(commissioner, commissioner.id == Agency.commissioned_by_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .outerjoin(extended, extended.c.return_id == AuditReturn.id)
        .outerjoin(actions, actions.c.return_id == AuditReturn.id)
        .outerjoin(comments, comments.c.return_id == AuditReturn.id)
        .order_by(Cycle.opens_on.desc(), Cycle.id.desc(), Agency.name)
    )
