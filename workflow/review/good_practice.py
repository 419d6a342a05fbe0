"""The good-practice library: QA or the coordinator marks an answer (and optionally one of its
evidence files) as good practice, recording who at the agency consented to sharing it; every
signed-in person of the partnership browses the library by standard."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Agency, Answer, AuditReturn, Cycle, EvidenceFile, GoodPractice, Question, Standard, User
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.user import Role
from workflow.access import require_role, visible_return
from workflow.answering import content as return_content
from workflow.errors import DomainError
from workflow.lifecycle.moves import note_on_return
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts


def mark(
    session: Session,
    actor: User,
    return_id: int,
    *,
    question_id: int | None,
    evidence_file_id: int | None,
    note: str,
    consent_given_by: str,
    consent_confirmed: bool,
) -> GoodPractice:
    """Add an answer to the library; the agency is told it is shared and on whose consent."""
    require_role(session, actor, {Role.QA_REVIEWER, Role.COORDINATOR}, "mark good practice")
    ret = visible_return(session, actor, return_id)
    content = return_content.load(session, ret)
    question = next((q for q in content.questions if q.id == question_id), None)
    reasons = []
    if ret.status in AWAITING_SUBMISSION or ret.status == ReturnState.WITHDRAWN:
        reasons.append("Good practice can be marked once the return is submitted.")
    if question is None:
        reasons.append("Choose the question whose answer is good practice.")
    elif question.id not in content.answers:
        reasons.append(f"Question {question.ref} has no answer to share.")
    evidence = session.get(EvidenceFile, evidence_file_id) if evidence_file_id else None
    if evidence_file_id and (evidence is None or evidence.return_id != ret.id or evidence.question_id != question_id):
        reasons.append("Choose an evidence file given for that question, or none.")
    if not note.strip():
        reasons.append("Say why it is good practice, for the agencies who will read it.")
    if not consent_given_by.strip():
        reasons.append("Give the name and role of the person at the agency who agreed to share it.")
    if not consent_confirmed:
        reasons.append("Confirm the agency agreed to share it with the partnership's agencies.")
    if reasons:
        raise DomainError(reasons)
    standard = next(s for s in content.standards if s.id == question.standard_id)
    entry = GoodPractice(
        return_id=ret.id,
        question_id=question.id,
        evidence_file_id=evidence.id if evidence else None,
        standard_number=standard.number,
        note=note.strip(),
        consent_given_by=consent_given_by.strip(),
        marked_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    note_on_return(
        session, actor, ret, "mark_good_practice", reason=entry.note,
        details={"question": question.ref, "consent": entry.consent_given_by, "file": evidence.filename if evidence else ""},
    )
    context = return_context(session, ret, question_ref=question.ref, note=entry.note, consent=entry.consent_given_by)
    tell(session, "good_practice_marked", agency_contacts(session, content.agency), context, return_id=ret.id)
    return entry


@dataclass(frozen=True)
class LibraryItem:
    standard_number: str
    standard_title: str
    agency_name: str
    cycle_name: str
    question_ref: str
    question_text: str
    narrative: str
    evidence_description: str
    file_name: str
    note: str


def library(session: Session, *, standard: str = "") -> list[LibraryItem]:
    """The library, by standard then agency (one query); `standard` narrows it to one."""
    query = (
        select(GoodPractice, Standard.title, Agency.name, Cycle.name, Question.ref, Question.text, Answer, EvidenceFile.filename)
        .join(Question, Question.id == GoodPractice.question_id)
        .join(Standard, Standard.id == Question.standard_id)
        .join(AuditReturn, AuditReturn.id == GoodPractice.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(Answer, (Answer.return_id == GoodPractice.return_id) & (Answer.question_id == GoodPractice.question_id))
        .outerjoin(EvidenceFile, EvidenceFile.id == GoodPractice.evidence_file_id)
        .order_by(Standard.position, Agency.name, GoodPractice.id)
    )
    if standard:
        query = query.where(GoodPractice.standard_number == standard)
    return [
        LibraryItem(g.standard_number, title, agency, cycle, ref, " ".join(text.split()), answer.narrative,
                    answer.evidence_description, filename or "", g.note)
        for g, title, agency, cycle, ref, text, answer, filename in session.exec(query)
    ]


def standards_in_library(session: Session) -> list[str]:
    numbers = session.exec(select(GoodPractice.standard_number).distinct()).all()
    return sorted(numbers, key=lambda n: (len(n), n))


