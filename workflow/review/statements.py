"""Statements of compliance: the executive signs, or chooses a re-audit by peer review."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import AuditReturn, ComplianceStatement, Cycle, User
from models.audit_return import ReturnState
from models.cycle import CycleKind
from workflow.access import visible_return
from workflow.answering import content as return_content
from workflow.clock import uk_date
from workflow.lifecycle.moves import move_return
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts, agency_executives, coordinators

STATEMENT = (
    "On behalf of {agency}, I confirm that the organisation meets its duties under section 11 of "
    "the Children Act 2004, that its arrangements to safeguard and promote the welfare of children "
    "are as described in its last Section 11 return, and that the actions in its plan are being "
    "carried out."
)
YEAR_TWO_STATES = {ReturnState.INVITED, ReturnState.IN_PROGRESS}


@dataclass(frozen=True)
class RaisableStandard:
    """A standard rated below the top last time, which the executive may now say is met."""

    number: str
    title: str
    last_rating: str


@dataclass(frozen=True)
class Improvement:
    standard: str
    evidence: str


def ask_to_sign(session: Session, ret: AuditReturn) -> None:
    """Once the action plan is live (QA accepted it, or it was released without QA) the lifecycle
    ends in a signed statement: the executive is asked to sign by the cycle's statement deadline,
    and the reminders chase it from there. The move that opened the plan is the history record;
    the request is the e-mail, queued in the same transaction."""
    cycle = session.get(Cycle, ret.cycle_id)
    deadline = uk_date(cycle.statement_deadline)
    executives = agency_executives(session, return_content.load_agency(session, ret))
    tell(session, "statement_due", executives, return_context(session, ret, deadline=deadline), return_id=ret.id)


def statement_text(session: Session, ret: AuditReturn) -> str:
    return STATEMENT.format(agency=return_content.load_agency(session, ret).name)


def raisable_standards(session: Session, ret: AuditReturn) -> list[RaisableStandard]:
    """Standards the agency self-assessed as needing action in the previous cycle's return."""
    cycle = session.get(Cycle, ret.cycle_id)
    if cycle.previous_cycle_id is None:
        return []
    previous = session.exec(
        select(AuditReturn).where(AuditReturn.cycle_id == cycle.previous_cycle_id, AuditReturn.agency_id == ret.agency_id)
    ).first()
    if previous is None:
        return []
    content = return_content.load(session, previous)
    raisable = []
    for standard in content.standards:
        rating = return_content.standard_rating(content, standard)
        if rating and content.scale.needs_action(rating):
            raisable.append(RaisableStandard(standard.number, standard.title, content.scale.label_for(rating)))
    return raisable


def sign(
    session: Session,
    actor: User,
    return_id: int,
    *,
    signed_name: str,
    declaration_confirmed: bool,
    improvements: list[Improvement] | tuple[Improvement, ...] = (),
) -> ComplianceStatement:
    """The executive signs the statement of compliance with their typed name."""
    ret = visible_return(session, actor, return_id)
    cycle = session.get(Cycle, ret.cycle_id)
    reasons = []
    if ret.status in YEAR_TWO_STATES and cycle.kind != CycleKind.STATEMENT_YEAR:
        reasons.append("The statement can be signed once QA has finished and the action plan is open.")
    if _normalise(signed_name) != _normalise(actor.name):
        reasons.append(f"Type your full name exactly as it is on your account ({actor.name}) to sign.")
    if not declaration_confirmed:
        reasons.append("Confirm the statement of compliance.")
    raisable = {s.number: s for s in raisable_standards(session, ret)}
    seen = set()
    for improvement in improvements:
        if improvement.standard in seen:
            reasons.append(f"Standard {improvement.standard} is named twice.")
        seen.add(improvement.standard)
        if improvement.standard not in raisable:
            reasons.append(
                f"Standard {improvement.standard} was not self-assessed below the top rating last time, "
                "so there is nothing to raise."
            )
        elif not improvement.evidence.strip():
            reasons.append(f"Give the evidence that standard {improvement.standard} is now fully met.")
    details = {"improvements": [{"standard": i.standard, "evidence": i.evidence.strip()} for i in improvements]}
    move_return(session, actor, ret, "sign_statement", guard_reasons=reasons, details=details)
    statement = ComplianceStatement(
        return_id=ret.id,
        choice="signed",
        signed_name=signed_name.strip(),
        declaration=statement_text(session, ret),
        improvements=details["improvements"],
        signed_by_id=actor.id,
    )
    session.add(statement)
    session.flush()
    context = return_context(session, ret, signed_name=statement.signed_name, signed_at=uk_date(statement.signed_at))
    agency = return_content.load_agency(session, ret)
    tell(session, "statement_signed", coordinators(session, ret) + agency_contacts(session, agency), context, return_id=ret.id)
    return statement


def choose_peer_review(session: Session, actor: User, return_id: int, *, reason: str = "") -> ComplianceStatement:
    """In year two, the executive may choose a full re-audit by peer review instead of signing."""
    ret = visible_return(session, actor, return_id)
    cycle = session.get(Cycle, ret.cycle_id)
    reasons = []
    if cycle.kind != CycleKind.STATEMENT_YEAR:
        reasons.append("A re-audit by peer review can be chosen only in a statement of compliance year.")
    move_return(session, actor, ret, "choose_peer_review", guard_reasons=reasons, reason=reason.strip())
    statement = ComplianceStatement(return_id=ret.id, choice="peer_review", declaration=reason.strip(), signed_by_id=actor.id)
    session.add(statement)
    session.flush()
    context = return_context(session, ret, actor_name=actor.name)
    agency = return_content.load_agency(session, ret)
    tell(session, "peer_review_chosen", coordinators(session, ret) + agency_contacts(session, agency), context, return_id=ret.id)
    return statement


def _normalise(name: str) -> str:
    return " ".join(name.split()).casefold()
