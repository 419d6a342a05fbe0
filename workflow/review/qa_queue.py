"""The QA sub-group's queue: returns waiting for QA, the ones it picked first."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session, func, select

from models import Agency, AuditReturn, Challenge, Cycle, EvidenceRequest, QaSelection
from models.audit_return import ReturnState
from models.evidence import EvidenceRequestState
from models.qa import ChallengeState
from workflow.survey.triangulation import ReturnFlag, flags_for_returns

QA_STATES = (ReturnState.SUBMITTED.value, ReturnState.UNDER_QA_CHALLENGE.value, ReturnState.EVIDENCE_REQUESTED.value)


@dataclass(frozen=True)
class QueueRow:
    """One return in the QA queue."""

    return_id: int
    agency_name: str
    cycle_name: str
    status: str
    submitted_at: datetime | None
    picked: bool
    pick_reason: str
    open_challenges: int
    evidence_due: date | None
    # Where staff survey answers disagree with the agency's own rating: intelligence for picking.
    survey_flags: list[ReturnFlag] = field(default_factory=list)

    @property
    def state_title(self) -> str:
        return ReturnState(self.status).title


def qa_queue(session: Session) -> list[QueueRow]:
    """Submitted, challenged and evidence-requested returns; picked ones first, then oldest submission
    first (three queries, whatever the number of returns, and the staff survey's flags per cycle)."""
    open_challenges = (
        select(Challenge.return_id, func.count().label("n"))
        .where(Challenge.status == ChallengeState.OPEN.value)
        .group_by(Challenge.return_id)
        .subquery()
    )
    evidence_due = (
        select(EvidenceRequest.return_id, func.min(EvidenceRequest.due_date).label("due"))
        .where(EvidenceRequest.status == EvidenceRequestState.OPEN.value)
        .group_by(EvidenceRequest.return_id)
        .subquery()
    )
    rows = session.exec(
        select(
            AuditReturn.id, Agency.name, Cycle.name, AuditReturn.status, AuditReturn.submitted_at,
            QaSelection.id, QaSelection.reason, open_challenges.c.n, evidence_due.c.due,
        )
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .outerjoin(QaSelection, QaSelection.return_id == AuditReturn.id)
        .outerjoin(open_challenges, open_challenges.c.return_id == AuditReturn.id)
        .outerjoin(evidence_due, evidence_due.c.return_id == AuditReturn.id)
        .where(AuditReturn.status.in_(QA_STATES))
    ).all()
    queue = [
        QueueRow(rid, agency, cycle, status, submitted, selection is not None, reason or "", challenges or 0, due)
        for rid, agency, cycle, status, submitted, selection, reason, challenges, due in rows
    ]
    flags = flags_for_returns(session, [r.return_id for r in queue])
    queue = [replace(r, survey_flags=flags.get(r.return_id, [])) for r in queue]
    return sorted(queue, key=lambda r: (not r.picked, r.submitted_at or datetime.max, r.agency_name))
