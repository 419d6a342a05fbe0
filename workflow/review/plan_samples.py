"""The yearly dip sample of live action plans: a recorded, reproducible random draw of the cycle's
returns whose plans are live, and QA's written review of each plan drawn."""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from models import Action, ActionPlanSample, Agency, AuditReturn, Cycle, SampledPlan, User
from models.action import ActionState
from models.user import Role
from workflow.access import require_role
from workflow.answering.actions import LIVE_RETURN_STATES
from workflow.clock import today, uk_date, utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle.moves import note_on_return
from workflow.mail.notify import tell
from workflow.people.recipients import qa_reviewers

OPEN_ACTIONS = (ActionState.OPEN.value, ActionState.IN_PROGRESS.value)


def sample_pool(session: Session, cycle_id: int) -> list[AuditReturn]:
    """Returns of the cycle with a live plan holding at least one action, in a fixed order (by id),
    so the same seed over the same pool draws the same plans."""
    with_actions = select(Action.return_id).distinct()
    return list(
        session.exec(
            select(AuditReturn)
            .where(
                AuditReturn.cycle_id == cycle_id,
                AuditReturn.status.in_([s.value for s in LIVE_RETURN_STATES]),
                AuditReturn.id.in_(with_actions),
            )
            .order_by(AuditReturn.id)
        )
    )


def draw(pool: list[AuditReturn], count: int, seed: str) -> list[AuditReturn]:
    """The draw itself: the same pool, count and seed always give the same plans."""
    return random.Random(seed).sample(pool, min(count, len(pool)))


def draw_plan_sample(
    session: Session, actor: User, cycle_id: int, *, count: int | None, seed: str | None = None
) -> ActionPlanSample:
    """Draw the cycle's dip sample of live action plans (once per cycle); QA reviewers are told."""
    require_role(session, actor, {Role.COORDINATOR, Role.QA_REVIEWER}, "draw a dip sample of action plans")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    existing = session.exec(select(ActionPlanSample).where(ActionPlanSample.cycle_id == cycle.id)).first()
    pool = sample_pool(session, cycle.id)
    reasons = []
    if existing:
        reasons.append(f"This cycle's action plans were already sampled on {uk_date(existing.drawn_at)} (seed {existing.seed}).")
    if count is None or count < 1:
        reasons.append("Draw at least one action plan.")
    if not pool:
        reasons.append("No return of this cycle has a live action plan with actions to sample.")
    if reasons:
        raise DomainError(reasons)
    seed = (seed or "").strip() or secrets.token_hex(8)
    drawn = draw(pool, count, seed)
    sample = ActionPlanSample(cycle_id=cycle.id, seed=seed, pool_size=len(pool), drawn_by_id=actor.id)
    session.add(sample)
    session.flush()
    reason = f"Dip sample of action plans: {len(drawn)} of {len(pool)} live plans, seed {seed}"
    for ret in drawn:
        session.add(SampledPlan(sample_id=sample.id, return_id=ret.id))
        note_on_return(session, actor, ret, "sample_action_plan", reason=reason, details={"seed": seed})
    session.flush()
    names = session.exec(select(Agency.name).where(Agency.id.in_([r.agency_id for r in drawn])).order_by(Agency.name))
    context = {
        "cycle_name": cycle.name,
        "count": len(drawn),
        "agencies": "\n".join(f"- {name}" for name in names),
        "reason": reason,
        "actor_name": actor.name,
    }
    tell(session, "qa_returns_picked", qa_reviewers(session, cycle), context)
    return sample


def review_sampled_plan(session: Session, actor: User, sampled_id: int, *, review: str) -> SampledPlan:
    """QA's written review of one sampled plan: are the actions on track, is the progress evidenced."""
    require_role(session, actor, {Role.QA_REVIEWER}, "review a sampled action plan")
    sampled = session.get(SampledPlan, sampled_id)
    if sampled is None:
        raise NotFound("There is no such sampled action plan.")
    reasons = []
    if sampled.reviewed_at is not None:
        reasons.append("This action plan has already been reviewed.")
    if not review.strip():
        reasons.append("Write the review of the action plan.")
    if reasons:
        raise DomainError(reasons)
    sampled.review = review.strip()
    sampled.reviewed_by_id = actor.id
    sampled.reviewed_at = utcnow()
    session.add(sampled)
    note_on_return(session, actor, session.get(AuditReturn, sampled.return_id), "review_action_plan", reason=sampled.review)
    return sampled


@dataclass(frozen=True)
class SampledLine:
    sampled_id: int
    return_id: int
    agency_name: str
    open_actions: int
    overdue_actions: int
    review: str
    reviewed_at: datetime | None


@dataclass(frozen=True)
class SampleView:
    cycle: Cycle
    sample: ActionPlanSample | None
    lines: list[SampledLine]
    pool_size: int


def sample_view(session: Session, cycle_id: int) -> SampleView:
    """The cycle's sample, each plan drawn with its open and overdue actions (three queries)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    sample = session.exec(select(ActionPlanSample).where(ActionPlanSample.cycle_id == cycle.id)).first()
    if sample is None:
        return SampleView(cycle, None, [], len(sample_pool(session, cycle.id)))
    overdue = func.count(Action.id).filter(Action.target_date < today(), Action.status.in_(OPEN_ACTIONS))
    counts = {
        rid: (open_count or 0, late or 0)
        for rid, open_count, late in session.exec(
            select(Action.return_id, func.count(Action.id).filter(Action.status.in_(OPEN_ACTIONS)), overdue)
            .join(SampledPlan, SampledPlan.return_id == Action.return_id)
            .where(SampledPlan.sample_id == sample.id)
            .group_by(Action.return_id)
        )
    }
    lines = [
        SampledLine(s.id, s.return_id, name, *counts.get(s.return_id, (0, 0)), s.review, s.reviewed_at)
        for s, name in session.exec(
            select(SampledPlan, Agency.name)
            .join(AuditReturn, AuditReturn.id == SampledPlan.return_id)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .where(SampledPlan.sample_id == sample.id)
            .order_by(Agency.name)
        )
    ]
    return SampleView(cycle, sample, lines, sample.pool_size)

