"""Carry-forward: a new full audit starts from the agency's last return instead of from nothing.

The agency is offered its answers (ratings, narratives, evidence descriptions), evidence files and
open actions, question by question where this year's question has the same reference and the
same rating scale. Evidence uploaded more than a year before is marked for a "still current?"
check. Nothing carried counts until the agency confirms each standard: submission is refused,
naming the standards still to confirm.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists
from sqlmodel import Session, select

from models import Action, Answer, AuditReturn, CarriedStandard, Cycle, Standard, User
from models.action import ActionState
from models.audit_return import ReturnState
from models.cycle import CycleKind, CycleState
from models.user import Role
from workflow.access import require_role, visible_return
from workflow.answering import content as return_content
from workflow.answering.question_matching import Match, answer_files, copy_files, fill_answer, has_content, match_questions
from workflow.answering.ratings import RATED_STATES
from workflow.clock import uk_date, uk_day, utcnow
from workflow.errors import DomainError
from workflow.lifecycle.moves import move_return, note_on_return
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts

OLD_EVIDENCE_DAYS = 365
OPEN_ACTIONS = (ActionState.OPEN, ActionState.IN_PROGRESS)
EDITABLE = (ReturnState.INVITED, ReturnState.IN_PROGRESS)


@dataclass(frozen=True)
class OfferedStandard:
    standard_id: int
    number: str
    title: str
    questions: int
    files: int
    actions: int
    old_evidence: list[dict]  # [{"file": name, "uploaded": iso date}]


@dataclass(frozen=True)
class Offer:
    """What the agency may carry forward into this return, and why not when it may not."""

    return_id: int
    previous: AuditReturn | None
    previous_cycle_name: str
    standards: list[OfferedStandard]
    refusals: list[str]

    @property
    def available(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class CarriedView:
    """A carried standard as the page shows it."""

    carried: CarriedStandard
    number: str
    title: str

    @property
    def confirmed(self) -> bool:
        return self.carried.confirmed_at is not None

    @property
    def old_evidence(self) -> list[tuple[str, date]]:
        """The files more than a year old, with the day each was uploaded."""
        return [(e["file"], date.fromisoformat(e["uploaded"])) for e in self.carried.old_evidence]


def previous_return(session: Session, ret: AuditReturn) -> AuditReturn | None:
    """The agency's last return with answers, submitted or later, of a cycle before this one."""
    cycle = session.get(Cycle, ret.cycle_id)
    answered = exists().where(Answer.return_id == AuditReturn.id)
    return session.exec(
        select(AuditReturn)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            AuditReturn.agency_id == ret.agency_id,
            AuditReturn.id != ret.id,
            AuditReturn.status.in_(list(RATED_STATES)),
            Cycle.opens_on < cycle.opens_on,
            answered,
        )
        .order_by(Cycle.opens_on.desc(), AuditReturn.id.desc())
        .limit(1)
    ).first()


def _matches(session: Session, ret: AuditReturn, previous: AuditReturn) -> list[Match]:
    """Last year's answers to this year's questions (same ref, same scale); none if the scales differ."""
    return match_questions(session, ret, previous).matches


def _old(uploaded_on: date, today: date) -> bool:
    return uploaded_on < today - timedelta(days=OLD_EVIDENCE_DAYS)


def offer(session: Session, actor: User, return_id: int) -> Offer:
    """What may be carried forward into the return, per standard, or every reason it may not."""
    ret = visible_return(session, actor, return_id)
    cycle = session.get(Cycle, ret.cycle_id)
    previous = previous_return(session, ret)
    reasons = []
    if cycle.kind != CycleKind.FULL_AUDIT:
        reasons.append("Answers are carried forward only into a full audit.")
    if ret.status not in EDITABLE:
        reasons.append(f"The return is {ReturnState(ret.status).title.lower()}: nothing can be carried into it now.")
    if cycle.status != CycleState.OPEN:
        reasons.append(f"The cycle is {cycle.status}: nothing can be carried into the return now.")
    if previous is None:
        reasons.append("Your agency has no earlier submitted return to carry forward.")
        return Offer(ret.id, None, "", [], reasons)
    previous_cycle = session.get(Cycle, previous.cycle_id)
    if session.exec(select(CarriedStandard.id).where(CarriedStandard.return_id == ret.id).limit(1)).first():
        reasons.append(f"The answers of {previous_cycle.name} were already carried into this return.")
    matches = _matches(session, ret, previous)
    if not matches:
        reasons.append(
            f"No question of this year's template matches one of {previous_cycle.name} (same reference and rating "
            "scale): there is nothing to carry forward."
        )
    return Offer(ret.id, previous, previous_cycle.name, _offered(session, previous, matches), reasons)


def _offered(session: Session, previous: AuditReturn, matches: list[Match]) -> list[OfferedStandard]:
    by_old_question = {m.answer.question_id: m for m in matches}
    files = answer_files(session, previous.id, list(by_old_question))
    actions = _open_actions(session, previous, list(by_old_question))
    today = uk_day(utcnow())
    wanted = {m.question.standard_id for m in matches}
    standards = {s.id: s for s in session.exec(select(Standard).where(Standard.id.in_(wanted)))}
    result = []
    for standard in sorted(standards.values(), key=lambda s: s.position):
        old_ids = {m.answer.question_id for m in matches if m.question.standard_id == standard.id}
        own_files = [f for f in files if f.question_id in old_ids]
        result.append(
            OfferedStandard(
                standard.id,
                standard.number,
                standard.title,
                len(old_ids),
                len(own_files),
                sum(a.question_id in old_ids for a in actions),
                [
                    {"file": f.filename, "uploaded": uk_day(f.uploaded_at).isoformat()}
                    for f in own_files
                    if _old(uk_day(f.uploaded_at), today)
                ],
            )
        )
    return result


def _open_actions(session: Session, previous: AuditReturn, question_ids: list[int]) -> list[Action]:
    return list(
        session.exec(
            select(Action)
            .where(Action.return_id == previous.id, Action.question_id.in_(question_ids), Action.status.in_(OPEN_ACTIONS))
            .order_by(Action.id)
        )
    )


def accept(session: Session, actor: User, return_id: int) -> list[CarriedStandard]:
    """The agency takes the offer: last year's answers fill this year's unanswered matching
    questions, the evidence files and open actions come with them, and each standard carried
    waits for the agency's confirmation. One history record, and the agency's contacts told."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.AGENCY_USER}, "carry your last return forward", agency_id=ret.agency_id)
    offered = offer(session, actor, return_id)
    if offered.refusals:
        raise DomainError(offered.refusals)
    previous = offered.previous
    matches = _matches(session, ret, previous)
    current = {a.question_id: a for a in session.exec(select(Answer).where(Answer.return_id == ret.id))}
    carried_questions = 0
    for match in matches:
        answer = current.get(match.question.id) or Answer(return_id=ret.id, question_id=match.question.id)
        if has_content(answer):
            continue  # the agency has already answered this one this year: theirs stands
        fill_answer(answer, match.answer, actor.id)
        session.add(answer)
        carried_questions += 1
    new_question = {m.answer.question_id: m.question.id for m in matches}
    files = copy_files(session, ret.id, answer_files(session, previous.id, list(new_question)), new_question)
    actions = _open_actions(session, previous, list(new_question))
    leads = _active_leads(session, ret.agency_id, [a.lead_user_id for a in actions])
    for action in actions:
        session.add(
            Action(
                return_id=ret.id,
                question_id=new_question[action.question_id],
                description=action.description,
                lead_user_id=action.lead_user_id if action.lead_user_id in leads else None,
                target_date=action.target_date,
                created_by_id=actor.id,
            )
        )
    rows = [
        CarriedStandard(
            return_id=ret.id,
            standard_id=s.standard_id,
            from_return_id=previous.id,
            questions=s.questions,
            old_evidence=s.old_evidence,
            carried_by_id=actor.id,
        )
        for s in offered.standards
    ]
    session.add_all(rows)
    if ret.status == ReturnState.INVITED:
        move_return(session, actor, ret, "start")
    details = {
        "from_return": previous.id,
        "answers": carried_questions,
        "files": len(files),
        "actions": len(actions),
        "standards": [s.number for s in offered.standards],
    }
    note_on_return(session, actor, ret, "carry_forward", reason=f"From {offered.previous_cycle_name}", details=details)
    session.flush()
    context = return_context(
        session,
        ret,
        actor_name=actor.name,
        previous_cycle_name=offered.previous_cycle_name,
        standards=", ".join(s.number for s in offered.standards),
        old_files=sum(len(s.old_evidence) for s in offered.standards),
    )
    tell(session, "answers_carried_forward", agency_contacts(session, return_content.load_agency(session, ret)), context,
         return_id=ret.id)
    return rows


def _active_leads(session: Session, agency_id: int, user_ids: list[int | None]) -> set[int]:
    wanted = {i for i in user_ids if i is not None}
    active = select(User.id).where(User.id.in_(wanted), User.agency_id == agency_id, User.active == True)  # noqa: E712
    return set(session.exec(active))


def carried_standards(session: Session, actor: User, return_id: int) -> list[CarriedView]:
    """The standards carried into the return, in the template's order, with their confirmation."""
    ret = visible_return(session, actor, return_id)
    rows = session.exec(
        select(CarriedStandard, Standard.number, Standard.title)
        .join(Standard, Standard.id == CarriedStandard.standard_id)
        .where(CarriedStandard.return_id == ret.id)
        .order_by(Standard.position)
    ).all()
    return [CarriedView(carried, number, title) for carried, number, title in rows]


def confirm_standard(
    session: Session, actor: User, return_id: int, standard_id: int, *, evidence_still_current: bool
) -> CarriedStandard:
    """The agency confirms that a carried standard's answers are still true (and its evidence older
    than a year still current), after changing whatever is not. Recorded on the history; when the
    last is confirmed the agency's contacts are told the return may be submitted."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.AGENCY_USER}, "confirm the answers carried forward", agency_id=ret.agency_id)
    row = session.exec(
        select(CarriedStandard).where(CarriedStandard.return_id == ret.id, CarriedStandard.standard_id == standard_id)
    ).first()
    if row is None:
        raise DomainError("Nothing was carried forward into this standard.")
    number = session.get(Standard, standard_id).number
    reasons = []
    if ret.status not in EDITABLE:
        reasons.append(f"The return is {ReturnState(ret.status).title.lower()}: there is nothing to confirm now.")
    if row.confirmed_at is not None:
        reasons.append(f"Standard {number} is already confirmed.")
    if row.old_evidence and not evidence_still_current:
        files = ", ".join(f"{e['file']} ({uk_date(date.fromisoformat(e['uploaded']))})" for e in row.old_evidence)
        reasons.append(
            f"Confirm that the evidence older than a year is still current ({files}), or replace it before confirming."
        )
    if reasons:
        raise DomainError(reasons)
    row.confirmed_by_id, row.confirmed_at = actor.id, utcnow()
    session.add(row)
    note_on_return(
        session, actor, ret, "confirm_carried_standard",
        details={"standard": number, "old_evidence_still_current": bool(row.old_evidence)},
    )
    session.flush()
    if not unconfirmed_problems(session, ret):
        # The last one: the agency's contacts hear that nothing carried forward holds the return up.
        agency = return_content.load_agency(session, ret)
        tell(session, "carried_standards_confirmed", agency_contacts(session, agency),
             return_context(session, ret, actor_name=actor.name), return_id=ret.id)
    return row


def standing(session: Session, actor: User, ret: AuditReturn) -> str:
    """One sentence for the return's page: an offer waiting, or standards still to confirm; ""
    when neither (or for someone who cannot act on it)."""
    if ret.status not in EDITABLE or ret.agency_id != actor.agency_id:
        return ""
    waiting = unconfirmed_problems(session, ret)
    if waiting:
        return waiting[0]
    carried = session.exec(select(CarriedStandard.id).where(CarriedStandard.return_id == ret.id).limit(1)).first()
    full_audit = session.get(Cycle, ret.cycle_id).kind == CycleKind.FULL_AUDIT
    if carried is None and full_audit and previous_return(session, ret) is not None:
        return "You can start from your last return's answers, evidence and open actions."
    return ""


def unconfirmed_problems(session: Session, ret: AuditReturn) -> list[str]:
    """Why the return cannot be submitted while carried standards await confirmation (one query)."""
    numbers = session.exec(
        select(Standard.number)
        .join(CarriedStandard, CarriedStandard.standard_id == Standard.id)
        .where(CarriedStandard.return_id == ret.id, CarriedStandard.confirmed_at.is_(None))
        .order_by(Standard.position)
    ).all()
    if not numbers:
        return []
    named = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    word = "standard" if len(numbers) == 1 else "standards"
    return [f"Confirm the answers carried forward from your last return for {word} {named}: check they are still true."]
