"""The QA sub-group's picks as a group: returns chosen by sector or statutory status, several at
once, each recorded with the reason; and the QA reviewers told when work is waiting for them."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Agency, AuditReturn, Cycle, QaSelection, User
from models.audit_return import ReturnState
from models.user import Role
from workflow.access import require_role
from workflow.errors import DomainError, NotFound
from workflow.review import intelligence
from workflow.review.qa import PICKABLE_STATES, pick_selected

STATUTORY_CHOICES = {"yes": True, "no": False}


@dataclass(frozen=True)
class Candidate:
    """A return of the cycle as the picking page lists it."""

    return_id: int
    agency_name: str
    sector: str
    statutory: bool
    status: str
    picked: bool

    @property
    def state_title(self) -> str:
        return ReturnState(self.status).title


@dataclass(frozen=True)
class PickPage:
    cycle: Cycle
    candidates: list[Candidate]
    sectors: list[str]


def pick_page(session: Session, cycle_id: int, *, sector: str = "", statutory: str = "") -> PickPage:
    """Submitted returns (and those already under QA) of the cycle, filtered by sector and statutory
    status; two queries whatever the number of agencies."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    query = (
        select(AuditReturn.id, Agency.name, Agency.sector, Agency.statutory, AuditReturn.status, QaSelection.id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .outerjoin(QaSelection, QaSelection.return_id == AuditReturn.id)
        .where(AuditReturn.cycle_id == cycle.id, AuditReturn.status.in_([s.value for s in PICKABLE_STATES]))
        .order_by(Agency.sector, Agency.name)
    )
    if sector:
        query = query.where(Agency.sector == sector)
    if statutory in STATUTORY_CHOICES:
        query = query.where(Agency.statutory == STATUTORY_CHOICES[statutory])
    candidates = [
        Candidate(rid, name, agency_sector, is_statutory, status, selection_id is not None)
        for rid, name, agency_sector, is_statutory, status, selection_id in session.exec(query)
    ]
    sectors = list(
        session.exec(
            select(Agency.sector)
            .join(AuditReturn, AuditReturn.agency_id == Agency.id)
            .where(AuditReturn.cycle_id == cycle.id)
            .distinct()
            .order_by(Agency.sector)
        )
    )
    return PickPage(cycle, candidates, sectors)


def pick_several(
    session: Session, actor: User, cycle_id: int, return_ids: list[int], *, reason: str, intelligence_id: int | None = None
) -> list[QaSelection]:
    """Pick several returns of one cycle for QA at once, each recorded with the same reason (say,
    "this year the QA sub-group looks at the health sector", or an entry of the intelligence
    log, with any words added); the QA reviewers are told once."""
    require_role(session, actor, {Role.COORDINATOR, Role.QA_REVIEWER}, "pick returns for QA")
    if intelligence_id is not None:
        entry = next((e for e in intelligence.log(session, actor) if e.entry.id == intelligence_id), None)
        if entry is None:
            raise NotFound("There is no such intelligence entry.")
        reason = entry.as_reason + (f" {reason.strip()}" if reason.strip() else "")
    chosen = sorted(set(return_ids))
    rows = session.exec(
        select(AuditReturn, Agency.name)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.id.in_(chosen or [0]), AuditReturn.cycle_id == cycle_id)
        .order_by(Agency.name)
    ).all()
    picked = set(session.exec(select(QaSelection.return_id).where(QaSelection.return_id.in_(chosen or [0]))))
    reasons = []
    if not chosen:
        reasons.append("Choose at least one return to pick.")
    if len(rows) != len(chosen):
        raise NotFound("There is no such return in this cycle.")
    for ret, name in rows:
        if ret.status not in PICKABLE_STATES:
            reasons.append(f"{name}'s return is {ReturnState(ret.status).title.lower()}: only a submitted return can be picked.")
        elif ret.id in picked:
            reasons.append(f"{name}'s return is already picked for QA.")
    if not reason.strip():
        reasons.append("Give the reason these returns are picked for QA.")
    if reasons:
        raise DomainError(reasons)
    return pick_selected(session, actor, [ret for ret, _name in rows], method="by_hand", reason=reason.strip())
