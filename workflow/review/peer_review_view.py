"""What the peer review pages show: the coordinator's arrangements and choices, the reviewer's
read-only return with their form, and a return's reviews beside it for QA and the agency."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import Agency, AuditReturn, ComplianceStatement, Cycle, PeerReview, PeerReviewFinding, User
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.cycle import CycleState
from models.peer_review import PeerReviewState
from workflow.access import roles_of
from workflow.answering import content as return_content
from workflow.answering.content import ReturnContent
from workflow.clock import today
from workflow.lifecycle.machines import PEER_REVIEW_LIFECYCLE
from workflow.review.peer_reviews import OPEN_REVIEW_STATES, is_open_on, review_for_reviewer


@dataclass(frozen=True)
class Arrangement:
    """One review on the coordinator's list."""

    review_id: int
    return_id: int
    agency_name: str
    cycle_name: str
    peer_agency_name: str
    reviewer_name: str
    starts_on: date
    ends_on: date
    status: str

    @property
    def state_title(self) -> str:
        return PeerReviewState(self.status).title


@dataclass(frozen=True)
class Choice:
    value: int
    text: str


@dataclass(frozen=True)
class ArrangePage:
    """The coordinator's page: reviews so far, and what a new pairing can choose from."""

    arrangements: list[Arrangement]
    returns: list[Choice]
    agencies: list[Choice]
    reviewers: list[Choice]


def arrange_page(session: Session) -> ArrangePage:
    """Four queries: the reviews, the returns that may be paired, the agencies, the people."""
    peer, reviewed = aliased(Agency), aliased(Agency)
    rows = session.exec(
        select(PeerReview, reviewed.name, Cycle.name, peer.name, User.name)
        .join(AuditReturn, AuditReturn.id == PeerReview.return_id)
        .join(reviewed, reviewed.id == AuditReturn.agency_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(peer, peer.id == PeerReview.peer_agency_id)
        .join(User, User.id == PeerReview.reviewer_id)
        .order_by(PeerReview.id.desc())
    ).all()
    arrangements = [
        Arrangement(r.id, r.return_id, agency, cycle, peer_name, reviewer, r.starts_on, r.ends_on, r.status)
        for r, agency, cycle, peer_name, reviewer in rows
    ]
    under_way = {a.return_id for a in arrangements if a.status in OPEN_REVIEW_STATES}
    chose_peer_review = select(ComplianceStatement.return_id).where(ComplianceStatement.choice == "peer_review")
    candidates = session.exec(
        select(AuditReturn.id, Agency.name, Cycle.name, AuditReturn.status)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            Cycle.status == CycleState.OPEN,
            AuditReturn.status != ReturnState.WITHDRAWN,
            AuditReturn.status.not_in(AWAITING_SUBMISSION) | AuditReturn.id.in_(chose_peer_review),
        )
        .order_by(Cycle.name, Agency.name)
    ).all()
    returns = [
        Choice(rid, f"{agency} ({cycle}): {ReturnState(status).title.lower()}")
        for rid, agency, cycle, status in candidates
        if rid not in under_way
    ]
    agencies = [Choice(a.id, a.name) for a in session.exec(select(Agency).order_by(Agency.name))]
    reviewers = [
        Choice(user_id, f"{name}, {agency}")
        for user_id, name, agency in session.exec(
            select(User.id, User.name, Agency.name)
            .join(Agency, Agency.id == User.agency_id)
            .where(User.active == True)  # noqa: E712
            .order_by(Agency.name, User.name)
        )
    ]
    return ArrangePage(arrangements, returns, agencies, reviewers)


def reviews_for(session: Session, user: User) -> list[Arrangement]:
    """The reviews this person was named for, newest first (their list of peer reviews)."""
    peer, reviewed = aliased(Agency), aliased(Agency)
    rows = session.exec(
        select(PeerReview, reviewed.name, Cycle.name, peer.name, User.name)
        .join(AuditReturn, AuditReturn.id == PeerReview.return_id)
        .join(reviewed, reviewed.id == AuditReturn.agency_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(peer, peer.id == PeerReview.peer_agency_id)
        .join(User, User.id == PeerReview.reviewer_id)
        .where(PeerReview.reviewer_id == user.id, PeerReview.status != PeerReviewState.CANCELLED)
        .order_by(PeerReview.id.desc())
    ).all()
    return [
        Arrangement(r.id, r.return_id, agency, cycle, peer_name, reviewer, r.starts_on, r.ends_on, r.status)
        for r, agency, cycle, peer_name, reviewer in rows
    ]


@dataclass(frozen=True)
class StandardLine:
    """One standard as a review shows it: the agency's rating, and the reviewer's view once given."""

    number: str
    title: str
    agency_rating: str
    finding: PeerReviewFinding | None


@dataclass(frozen=True)
class ReviewerPage:
    """The named reviewer's page: the return read-only while the review is open, and the form."""

    review: PeerReview
    agency_name: str
    open_now: bool
    content: ReturnContent | None
    standards: list[StandardLine]
    may_submit: bool


def reviewer_page(session: Session, actor: User, review_id: int, *, on: date | None = None) -> ReviewerPage:
    """Only the named reviewer finds it; outside the review's dates the return is not shown."""
    review = review_for_reviewer(session, actor, review_id)
    ret = session.get(AuditReturn, review.return_id)
    agency = session.get(Agency, ret.agency_id)
    open_now = is_open_on(review, on or today())
    if not open_now:
        return ReviewerPage(review, agency.name, False, None, [], False)
    content = return_content.load(session, ret)
    submitted = ret.status not in AWAITING_SUBMISSION and ret.status != ReturnState.WITHDRAWN
    return ReviewerPage(
        review,
        agency.name,
        True,
        content,
        _standard_lines(session, content, review),
        review.status == PeerReviewState.ARRANGED and submitted,
    )


def _standard_lines(session: Session, content: ReturnContent, review: PeerReview) -> list[StandardLine]:
    findings = {
        f.standard_number: f
        for f in session.exec(select(PeerReviewFinding).where(PeerReviewFinding.review_id == review.id))
    }
    lines = []
    for standard in content.standards:
        rating = return_content.standard_rating(content, standard)
        label = content.scale.label_for(rating) if rating else "Not rated"
        lines.append(StandardLine(standard.number, standard.title, label, findings.get(standard.number)))
    return lines


@dataclass(frozen=True)
class ReturnReview:
    """A review shown beside the return, to QA, the coordinator and the agency."""

    review: PeerReview
    peer_agency_name: str
    reviewer_name: str
    standards: list[StandardLine]
    answered_by: str
    submitted_at: datetime | None

    @property
    def state_title(self) -> str:
        return PeerReviewState(self.review.status).title


def reviews_of_return(session: Session, content: ReturnContent) -> list[ReturnReview]:
    """Every review of the return but cancelled ones, newest first; findings once submitted."""
    peer = aliased(Agency)
    answerer = aliased(User)
    rows = session.exec(
        select(PeerReview, peer.name, User.name, answerer.name)
        .join(peer, peer.id == PeerReview.peer_agency_id)
        .join(User, User.id == PeerReview.reviewer_id)
        .outerjoin(answerer, answerer.id == PeerReview.answered_by_id)
        .where(PeerReview.return_id == content.ret.id, PeerReview.status != PeerReviewState.CANCELLED)
        .order_by(PeerReview.id.desc())
    ).all()
    return [
        ReturnReview(review, peer_name, reviewer, _standard_lines(session, content, review), answered_by or "",
                     review.submitted_at)
        for review, peer_name, reviewer, answered_by in rows
    ]


def may_answer(session: Session, actor: User, review: PeerReview, ret: AuditReturn) -> bool:
    """The agency's users answer a submitted review (the same check as `peer_reviews.answer`)."""
    move = PEER_REVIEW_LIFECYCLE.moves["answer"]
    if not PEER_REVIEW_LIFECYCLE.allows("answer", review.status):
        return False
    return bool(move.roles & roles_of(session, actor)) and actor.agency_id == ret.agency_id
