"""Peer review: the coordinator pairs a return with a named reviewer at a peer organisation, the
reviewer says standard by standard whether they agree with the agency's rating and submits, and
the agency answers. Each step is one move of the peer review's lifecycle, with its history record
and its e-mails, in the caller's transaction (operations only flush).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Agency, AuditReturn, PeerReview, PeerReviewFinding, User
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.peer_review import PeerReviewState
from models.user import Role
from workflow.access import require_role
from workflow.answering import content as return_content
from workflow.clock import today, uk_date, utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.lifecycle.machines import PEER_REVIEW_LIFECYCLE, MachineError
from workflow.lifecycle.moves import flush_or_conflict, refusal_for_state
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts, agency_executives, coordinators, qa_reviewers
from workflow.review.statement_view import statement_of

# A return has at most one review under way; an answered or cancelled one leaves room for another.
OPEN_REVIEW_STATES = (PeerReviewState.ARRANGED.value, PeerReviewState.SUBMITTED.value)
SUBJECT = "peer_review"


@dataclass(frozen=True)
class StandardFinding:
    """What the reviewer says of one standard; `agrees` is None while they have not said."""

    standard: str
    agrees: bool | None
    findings: str = ""
    recommendations: str = ""


def may_be_peer_reviewed(session: Session, ret: AuditReturn) -> bool:
    """A return whose executive chose a re-audit by peer review, or any return already submitted."""
    if ret.status == ReturnState.WITHDRAWN:
        return False
    if ret.status not in AWAITING_SUBMISSION:
        return True
    statement = statement_of(session, ret.id)
    return statement is not None and statement.choice == "peer_review"


def open_review_of(session: Session, return_id: int) -> PeerReview | None:
    return session.exec(
        select(PeerReview).where(PeerReview.return_id == return_id, PeerReview.status.in_(OPEN_REVIEW_STATES))
    ).first()


def arrange(
    session: Session,
    actor: User,
    return_id: int | None,
    *,
    peer_agency_id: int | None,
    reviewer_id: int | None,
    starts_on: date | None,
    ends_on: date | None,
) -> PeerReview:
    """Pair a return with a peer organisation and a named reviewer there, for the review's dates."""
    require_role(session, actor, {Role.COORDINATOR}, "arrange a peer review")
    ret = session.get(AuditReturn, return_id) if return_id else None
    if return_id and ret is None:
        raise NotFound("There is no such return.")
    reasons = []
    if ret is None:
        reasons.append("Choose the return to review.")
    elif not may_be_peer_reviewed(session, ret):
        reasons.append(
            "Only a submitted return, or one whose executive chose a re-audit by peer review, can be peer reviewed."
        )
    elif open_review_of(session, ret.id) is not None:
        reasons.append("This return already has a peer review under way: cancel it before arranging another.")
    peer = session.get(Agency, peer_agency_id) if peer_agency_id else None
    reviewer = session.get(User, reviewer_id) if reviewer_id else None
    if peer is None:
        reasons.append("Choose the peer organisation.")
    elif ret is not None and peer.id == ret.agency_id:
        reasons.append("Choose a peer organisation other than the one whose return is reviewed.")
    if reviewer is None:
        reasons.append("Choose the reviewer.")
    elif not reviewer.active:
        reasons.append(f"{reviewer.name}'s account is switched off: choose another reviewer.")
    elif peer is not None and reviewer.agency_id != peer.id:
        reasons.append(f"{reviewer.name} does not work at {peer.name}: choose a reviewer from the peer organisation.")
    reasons += _date_problems(starts_on, ends_on)
    if reasons:
        raise DomainError(reasons)
    review = PeerReview(
        return_id=ret.id,
        peer_agency_id=peer.id,
        reviewer_id=reviewer.id,
        starts_on=starts_on,
        ends_on=ends_on,
        arranged_by_id=actor.id,
    )
    session.add(review)
    session.flush()
    details = {"peer_agency": peer.name, "reviewer": reviewer.name, "from": str(starts_on), "to": str(ends_on)}
    _record(session, actor, review, "arrange", from_state="", details=details)
    context = _context(session, ret, review, peer_agency_name=peer.name, reviewer_name=reviewer.name)
    tell(session, "peer_review_request", [(reviewer.email, reviewer.name)], context, return_id=ret.id)
    agency = return_content.load_agency(session, ret)
    tell(session, "peer_review_arranged", agency_contacts(session, agency) + agency_executives(session, agency), context,
         return_id=ret.id)
    return review


def _date_problems(starts_on: date | None, ends_on: date | None) -> list[str]:
    problems = []
    if starts_on is None:
        problems.append("Give the date the review starts.")
    if ends_on is None:
        problems.append("Give the date the review ends.")
    if starts_on and ends_on and ends_on < starts_on:
        problems.append("The review must end on or after the day it starts.")
    elif ends_on and ends_on < today():
        problems.append(f"The review's end date has passed: give a date from {uk_date(today())}.")
    return problems


def review_for_reviewer(session: Session, actor: User, review_id: int) -> PeerReview:
    """The review, or NotFound for anyone but its named reviewer (others may not know it exists)."""
    review = session.get(PeerReview, review_id)
    if review is None or actor is None or review.reviewer_id != actor.id or not actor.active:
        raise NotFound("There is no such peer review.")
    return review


def is_open_on(review: PeerReview, on: date) -> bool:
    """The reviewer reads the return only between the review's dates."""
    return review.starts_on <= on <= review.ends_on


def submit(
    session: Session, actor: User, review_id: int, *, findings: list[StandardFinding], summary: str
) -> PeerReview:
    """The named reviewer submits their view of every standard and a summary."""
    review = review_for_reviewer(session, actor, review_id)
    ret = session.get(AuditReturn, review.return_id)
    content = return_content.load(session, ret)
    numbers = [s.number for s in content.standards]
    given = {f.standard: f for f in findings if f.standard in numbers}
    reasons = []
    if not is_open_on(review, today()):
        reasons.append(f"The review is open from {uk_date(review.starts_on)} to {uk_date(review.ends_on)}.")
    if ret.status in AWAITING_SUBMISSION or ret.status == ReturnState.WITHDRAWN:
        reasons.append("The agency has not submitted its return yet: the review can be submitted once it has.")
    for number in numbers:
        finding = given.get(number)
        if finding is None or finding.agrees is None:
            reasons.append(f"Say whether you agree with the agency's rating of standard {number}.")
        elif not finding.agrees and not finding.findings.strip():
            reasons.append(f"Give your findings for standard {number}, where you do not agree with the rating.")
    if not summary.strip():
        reasons.append("Write a summary of the review.")
    _check_move(review, "submit", reasons)
    for number in numbers:
        finding = given[number]
        session.add(
            PeerReviewFinding(
                review_id=review.id,
                standard_number=number,
                agrees=bool(finding.agrees),
                findings=finding.findings.strip(),
                recommendations=finding.recommendations.strip(),
            )
        )
    review.summary = summary.strip()
    review.submitted_at = utcnow()
    disagreed = [n for n in numbers if not given[n].agrees]
    _fire(session, actor, review, "submit", details={"disagrees_on": disagreed})
    context = _context(session, ret, review, reviewer_name=actor.name, disagreed=", ".join(disagreed) or "none")
    agency = return_content.load_agency(session, ret)
    people = agency_contacts(session, agency) + coordinators(session, ret) + qa_reviewers(session, ret)
    tell(session, "peer_review_submitted", people, context, return_id=ret.id)
    return review


def answer(session: Session, actor: User, review_id: int, *, response: str) -> PeerReview:
    """The agency answers the submitted review in writing."""
    review = session.get(PeerReview, review_id)
    if review is None:
        raise NotFound("There is no such peer review.")
    ret = session.get(AuditReturn, review.return_id)
    move = PEER_REVIEW_LIFECYCLE.moves["answer"]
    require_role(session, actor, move.roles, move.title, agency_id=ret.agency_id)
    reasons = [] if response.strip() else ["Write your answer to the peer review."]
    _check_move(review, "answer", reasons)
    review.agency_response = response.strip()
    review.answered_by_id = actor.id
    review.answered_at = utcnow()
    _fire(session, actor, review, "answer")
    reviewer = session.get(User, review.reviewer_id)
    context = _context(session, ret, review, actor_name=actor.name)
    people = [(reviewer.email, reviewer.name)] + coordinators(session, ret) + qa_reviewers(session, ret)
    tell(session, "peer_review_answered", people, context, return_id=ret.id)
    return review


def review_to_cancel(session: Session, actor: User, review_id: int) -> PeerReview:
    """The cancel page's read: the review, if the coordinator can see it."""
    require_role(session, actor, {Role.COORDINATOR}, "cancel a peer review")
    review = session.get(PeerReview, review_id)
    if review is None:
        raise NotFound("There is no such peer review.")
    return review


def cancel(session: Session, actor: User, review_id: int, *, reason: str) -> PeerReview:
    """The coordinator calls off a review not yet submitted (the reviewer is unavailable, say)."""
    require_role(session, actor, {Role.COORDINATOR}, "cancel a peer review")
    review = session.get(PeerReview, review_id)
    if review is None:
        raise NotFound("There is no such peer review.")
    reasons = [] if reason.strip() else ["Give the reason for cancelling the peer review."]
    _check_move(review, "cancel", reasons)
    _fire(session, actor, review, "cancel", reason=reason.strip())
    ret = session.get(AuditReturn, review.return_id)
    reviewer = session.get(User, review.reviewer_id)
    context = _context(session, ret, review, reason=reason.strip())
    tell(session, "peer_review_cancelled", [(reviewer.email, reviewer.name)], context, return_id=ret.id)
    return review


def _check_move(review: PeerReview, trigger: str, guard_reasons: list[str]) -> None:
    """Refuse with the lifecycle's reason if the move cannot start here, else with every guard's."""
    problem = refusal_for_state(PEER_REVIEW_LIFECYCLE, trigger, review.status, "peer review")
    reasons = [problem] if problem else guard_reasons
    if reasons:
        raise DomainError(reasons)


def _fire(session: Session, actor: User, review: PeerReview, trigger: str, *, reason: str = "", details=None) -> None:
    from_state = review.status
    try:
        PEER_REVIEW_LIFECYCLE.fire(trigger, review)
    except MachineError as error:  # checked above; kept so a bypass still cannot corrupt state
        raise DomainError(f"This move is not part of a peer review's lifecycle: {error.value}") from error
    session.add(review)
    flush_or_conflict(session, "peer review")
    _record(session, actor, review, trigger, from_state=from_state, reason=reason, details=details)


def _record(session: Session, actor: User, review: PeerReview, trigger: str, *, from_state: str, reason: str = "",
            details=None) -> None:
    history.append(
        session,
        subject_type=SUBJECT,
        subject_id=review.id,
        return_id=review.return_id,
        actor=actor,
        trigger=f"peer_review_{trigger}",
        from_state=from_state,
        to_state=review.status,
        reason=reason,
        details=details,
    )


def _context(session: Session, ret: AuditReturn, review: PeerReview, **extra) -> dict:
    return return_context(
        session,
        ret,
        review_id=review.id,
        starts_on=f"{uk_date(review.starts_on)}",
        ends_on=f"{uk_date(review.ends_on)}",
        **extra,
    )
