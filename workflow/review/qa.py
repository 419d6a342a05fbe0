"""The QA sub-group's work on submitted returns: pick, challenge, request evidence, moderate, accept."""

import random
import secrets
from datetime import date

from sqlalchemy import bindparam, exists, func, update
from sqlmodel import Session, select

from models import Agency, AuditReturn, Challenge, Cycle, EvidenceRequest, QaSelection, User
from models.audit_return import ReturnState
from models.evidence import EvidenceRequestState
from models.qa import ChallengeState
from models.user import Role
from workflow.access import require_role, visible_return
from workflow.answering import content as return_content
from workflow.clock import today, uk_date, utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle.moves import hold_return, move_return, note_after, note_on_return
from workflow.lifecycle.moving import read_for_move
from workflow.mail.notify import cycle_and_agency, return_context, tell, tell_each_kind
from workflow.people.recipients import agency_contacts, qa_reviewers
from workflow.review import feedback, statements
from workflow.templates.spec import NOT_APPLICABLE

PICKABLE_STATES = (ReturnState.SUBMITTED, ReturnState.UNDER_QA_CHALLENGE, ReturnState.EVIDENCE_REQUESTED)


def selection_of(session: Session, return_id: int) -> QaSelection | None:
    return session.exec(select(QaSelection).where(QaSelection.return_id == return_id)).first()


def pick_by_hand(session: Session, actor: User, return_id: int, *, reason: str) -> QaSelection:
    """Pick one return for QA, intelligence-led, with the reason recorded."""
    require_role(session, actor, {Role.COORDINATOR, Role.QA_REVIEWER}, "pick returns for QA")
    ret = visible_return(session, actor, return_id)
    if not reason.strip():
        raise DomainError("Give the reason this return is picked for QA.")
    return pick_selected(session, actor, [ret], method="by_hand", reason=reason.strip())[0]


def draw_dip_sample(session: Session, actor: User, cycle_id: int, *, count: int, seed: str | None = None) -> list[QaSelection]:
    """Draw a random dip sample of submitted, not yet picked returns; the seed is recorded so the
    draw can be repeated and shown to be fair."""
    require_role(session, actor, {Role.COORDINATOR}, "draw a dip sample")
    if count < 1:
        raise DomainError("Draw at least one return.")
    picked = set(session.exec(select(QaSelection.return_id)).all())
    pool = [
        r
        for r in session.exec(
            select(AuditReturn)
            .where(AuditReturn.cycle_id == cycle_id, AuditReturn.status == ReturnState.SUBMITTED)
            .order_by(AuditReturn.id)
        )
        if r.id not in picked
    ]
    if not pool:
        raise DomainError("There are no submitted returns left to draw from.")
    seed = seed or secrets.token_hex(8)
    drawn = random.Random(seed).sample(pool, min(count, len(pool)))
    reason = f"Random dip sample: {len(drawn)} of {len(pool)} submitted returns, seed {seed}"
    return pick_selected(session, actor, drawn, method="random", reason=reason, seed=seed)


def pick_selected(
    session: Session, actor: User, rets: list[AuditReturn], *, method: str, reason: str, seed: str = ""
) -> list[QaSelection]:
    """Pick each return, then tell the QA reviewers once that work is waiting for them."""
    selections = [_pick(session, actor, ret, method=method, reason=reason, seed=seed) for ret in rets]
    if rets:
        cycle = session.get(Cycle, rets[0].cycle_id)
        names = session.exec(select(Agency.name).where(Agency.id.in_([r.agency_id for r in rets])).order_by(Agency.name))
        context = {
            "cycle_name": cycle.name,
            "count": len(rets),
            "agencies": "\n".join(f"- {name}" for name in names),
            "reason": reason,
            "actor_name": actor.name,
        }
        tell(session, "qa_returns_picked", qa_reviewers(session, cycle), context)
    return selections


def _pick(
    session: Session, actor: User, ret: AuditReturn, *, method: str, reason: str, seed: str = "", unpicked: bool = False
) -> QaSelection:
    """Pick one return (`unpicked`: the caller has just read that it is not picked yet)."""
    if ret.status not in PICKABLE_STATES:
        raise DomainError(f"Only a submitted return can be picked for QA; this one is {ReturnState(ret.status).title.lower()}.")
    existing = None if unpicked else selection_of(session, ret.id)
    if existing:
        return existing
    selection = QaSelection(return_id=ret.id, method=method, reason=reason, seed=seed, selected_by_id=actor.id)
    session.add(selection)
    note_on_return(session, actor, ret, "pick_for_qa", reason=reason, details={"method": method, "seed": seed})
    return selection


def _question_ref(session: Session, ret: AuditReturn, question_id: int | None) -> str:
    if question_id is None:
        return ""
    content = return_content.load(session, ret)
    for question in content.questions:
        if question.id == question_id:
            return question.ref
    raise NotFound("That question is not part of this return.")


PICKED = (("picked", exists().where(QaSelection.return_id == AuditReturn.id)),)


def raise_challenge(session: Session, actor: User, return_id: int, *, text: str, question_id: int | None = None) -> Challenge:
    """Challenge a return (or one element of it); the agency answers in writing.

    One read (`moving`) finds the return, who may move it, whether it is picked, the head of its
    history and the agency's people; the pick (when it was not picked yet), the move, their two
    records and the challenge then go in one flush, and the e-mail in one INSERT."""
    found = read_for_move(session, actor, return_id, tell=("contacts",), extra=PICKED)
    head = found.head if found else None
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.QA_REVIEWER}, "raise a challenge")
    ref = _question_ref(session, ret, question_id)
    reasons = [] if text.strip() else ["Write the challenge: what the agency needs to explain."]
    challenge = Challenge(return_id=ret.id, question_id=question_id, text=text.strip(), raised_by_id=actor.id)
    picked = found.extra["picked"] if found else selection_of(session, ret.id) is not None
    rows: list = [challenge]
    notes = []
    if ret.status == ReturnState.SUBMITTED and not picked:
        reason = f"Challenged by {actor.name}"
        if head is None:
            _pick(session, actor, ret, method="by_hand", reason=reason, unpicked=True)
        else:  # picked with the move: one UPDATE of the return, its two records in one INSERT
            rows.append(QaSelection(return_id=ret.id, method="by_hand", reason=reason, selected_by_id=actor.id))
            notes.append(note_after(head, actor, ret, "pick_for_qa", reason=reason, details={"method": "by_hand", "seed": ""}))
    move_return(
        session, actor, ret, "challenge", guard_reasons=reasons, details={"question": ref, "text": challenge.text},
        head=head, rows=rows, notes=notes,
    )
    context = return_context(session, ret, question_ref=ref, text=challenge.text)
    people = found.people["contacts"] if found else agency_contacts(session, cycle_and_agency(session, ret)[1])
    tell(session, "challenge_raised", people, context, return_id=ret.id)
    return challenge


def answer_challenge(session: Session, actor: User, challenge_id: int, *, response: str) -> Challenge:
    """The agency's written answer to a challenge."""
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise NotFound("There is no such challenge.")
    # Colleagues answering at once take turns on the return, so the later one reads the earlier answer.
    hold_return(session, challenge.return_id)
    challenge = session.get(Challenge, challenge_id)
    ret = visible_return(session, actor, challenge.return_id)
    require_role(session, actor, {Role.AGENCY_USER}, "answer a challenge", agency_id=ret.agency_id)
    reasons = []
    if not response.strip():
        reasons.append("Write your answer to the challenge.")
    if challenge.status != ChallengeState.OPEN:
        reasons.append(_already_answered(session, challenge))
    if ret.status not in (ReturnState.UNDER_QA_CHALLENGE, ReturnState.EVIDENCE_REQUESTED):
        reasons.append(f"The return is {ReturnState(ret.status).title.lower()}: challenges can no longer be answered.")
    if reasons:
        raise DomainError(reasons)
    challenge.response = response.strip()
    challenge.status = ChallengeState.ANSWERED
    challenge.responded_by_id = actor.id
    challenge.responded_at = utcnow()
    session.add(challenge)
    note_on_return(session, actor, ret, "answer_challenge", details={"challenge": challenge.id, "response": challenge.response})
    raiser = session.get(User, challenge.raised_by_id)
    tell(
        session,
        "challenge_answered",
        [(raiser.email, raiser.name)],
        return_context(session, ret, response=challenge.response),
        return_id=ret.id,
    )
    return challenge


def _already_answered(session: Session, challenge: Challenge) -> str:
    """Who answered first and what they said: the person's own answer was not saved, and stays on their page."""
    responder = session.get(User, challenge.responded_by_id) if challenge.responded_by_id else None
    who = responder.name if responder else "Someone else"
    return (
        f"{who} answered this challenge after you opened this page, so your answer was not saved (it is still below). "
        f"Their answer: “{challenge.response}”"
    )


def request_evidence(
    session: Session, actor: User, return_id: int, *, description: str, due_date: date | None, question_id: int | None = None
) -> EvidenceRequest:
    """Ask the agency for specific evidence by a date."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.QA_REVIEWER}, "request evidence")
    ref = _question_ref(session, ret, question_id)
    reasons = []
    if not description.strip():
        reasons.append("Say what evidence the agency must provide.")
    if due_date is None:
        reasons.append("Give the date the evidence is due.")
    elif due_date <= today():
        reasons.append("The due date must be in the future.")
    if not selection_of(session, ret.id) and ret.status == ReturnState.SUBMITTED:
        _pick(session, actor, ret, method="by_hand", reason=f"Evidence requested by {actor.name}")
    move_return(
        session,
        actor,
        ret,
        "request_evidence",
        guard_reasons=reasons,
        details={"question": ref, "description": description.strip(), "due": str(due_date)},
    )
    evidence_request = EvidenceRequest(
        return_id=ret.id, question_id=question_id, description=description.strip(), due_date=due_date, requested_by_id=actor.id
    )
    session.add(evidence_request)
    session.flush()
    context = return_context(
        session, ret, question_ref=ref, description=evidence_request.description, due_date=uk_date(due_date)
    )
    tell(
        session,
        "evidence_requested",
        agency_contacts(session, return_content.load_agency(session, ret)),
        context,
        return_id=ret.id,
    )
    return evidence_request


def open_evidence_requests(session: Session, return_id: int) -> list[EvidenceRequest]:
    return list(
        session.exec(
            select(EvidenceRequest).where(
                EvidenceRequest.return_id == return_id, EvidenceRequest.status == EvidenceRequestState.OPEN
            )
        )
    )


def provide_evidence(
    session: Session, actor: User, request_id: int, *, response: str, file_ids: list[int] | tuple[int, ...] = ()
) -> EvidenceRequest:
    """Answer an evidence request; when none is left open the return goes back under challenge."""
    evidence_request = session.get(EvidenceRequest, request_id)
    if evidence_request is None:
        raise NotFound("There is no such evidence request.")
    ret = visible_return(session, actor, evidence_request.return_id)
    require_role(session, actor, {Role.AGENCY_USER}, "provide evidence", agency_id=ret.agency_id)
    reasons = []
    if not response.strip() and not file_ids:
        reasons.append("Describe the evidence or upload a file.")
    if evidence_request.status != EvidenceRequestState.OPEN:
        reasons.append("This evidence request has already been answered.")
    if reasons:
        raise DomainError(reasons)
    evidence_request.status = EvidenceRequestState.PROVIDED
    evidence_request.response = response.strip()
    evidence_request.provided_by_id = actor.id
    evidence_request.provided_at = utcnow()
    session.add(evidence_request)
    session.flush()
    details = {"request": evidence_request.id, "response": evidence_request.response, "files": list(file_ids)}
    if open_evidence_requests(session, ret.id):
        note_on_return(session, actor, ret, "provide_evidence", details=details)
    else:
        move_return(session, actor, ret, "evidence_provided", details=details)
    requester = session.get(User, evidence_request.requested_by_id)
    context = return_context(
        session, ret, description=evidence_request.description, response=evidence_request.response or "(files attached)"
    )
    tell(session, "evidence_provided", [(requester.email, requester.name)], context, return_id=ret.id)
    return evidence_request


def moderate(session: Session, actor: User, return_id: int, question_id: int, *, rating: str) -> None:
    """Record QA's moderated rating beside the agency's own."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.QA_REVIEWER}, "moderate a rating")
    content = return_content.load(session, ret)
    if ret.status not in (ReturnState.SUBMITTED, ReturnState.UNDER_QA_CHALLENGE, ReturnState.EVIDENCE_REQUESTED):
        raise DomainError(f"Ratings can be moderated only during QA; this return is {ReturnState(ret.status).title.lower()}.")
    if not content.scale.moderation:
        raise DomainError("This template does not use moderated ratings: QA records its view in challenges and feedback.")
    answer = next((a for a in content.answers.values() if a.question_id == question_id), None)
    if answer is None:
        raise NotFound("That question has no answer to moderate.")
    if rating != NOT_APPLICABLE and not content.scale.allows(rating):
        raise DomainError(f"Choose one of {', '.join(v.label for v in content.scale.values)}.")
    ref = next(q.ref for q in content.questions if q.id == question_id)
    answer.moderated_rating = rating
    answer.moderated_by_id = actor.id
    session.add(answer)
    note_on_return(
        session, actor, ret, "moderate", details={
            "question": ref, "question_id": question_id, "self_assessed": answer.rating, "moderated": rating,
        },
    )


# What accept counts with its one read: when every challenge is answered (or there are none), the
# UPDATE that closes them also reads them back, and nothing need be read before the move.
ACCEPT_EXTRA = (
    ("challenges", select(func.count(Challenge.id)).where(Challenge.return_id == AuditReturn.id).scalar_subquery()),
    (
        "answered",
        select(func.count(Challenge.id))
        .where(Challenge.return_id == AuditReturn.id, Challenge.status == ChallengeState.ANSWERED)
        .scalar_subquery(),
    ),
)


def accept(session: Session, actor: User, return_id: int, *, note: str = "") -> AuditReturn:
    """QA accepts the return: every challenge answered, no evidence outstanding; the plan goes live.

    One read (`moving`) finds the return, who may move it, the head of its history, the people
    to tell (the agency's and the actions' leads) and how many challenges there are and are
    answered; then the move and its record, the answered challenges closed and read back in one
    UPDATE (read first, as before, only when some are open or closed already), the questions and
    answers the letter quotes, and both e-mails in one INSERT."""
    found = read_for_move(session, actor, return_id, tell=("contacts", "leads"), extra=ACCEPT_EXTRA)
    ret = visible_return(session, actor, return_id)
    settled = found is not None and found.extra["challenges"] == found.extra["answered"]
    if settled:
        accepted = move_return(session, actor, ret, "accept", reason=note.strip(), head=found.head)
        challenges = _close_answered(session, ret) if found.extra["answered"] else []
    else:
        challenges = _challenges_of(session, ret)
        unanswered = sorted((c for c in challenges if c.status == ChallengeState.OPEN), key=lambda c: c.id)
        reasons = [f"The challenge raised on {uk_date(c.raised_at)} has not been answered yet." for c in unanswered]
        accepted = move_return(
            session, actor, ret, "accept", guard_reasons=reasons, reason=note.strip(), head=found.head if found else None
        )
        for challenge in challenges:
            if challenge.status == ChallengeState.ANSWERED:
                challenge.status = ChallengeState.CLOSED
                session.add(challenge)
    if found is None:
        session.flush()
        content = return_content.load(session, ret)
        contacts = agency_contacts(session, content.agency)
        plan_people = _plan_people(session, content, contacts)
    else:
        content = return_content.load_known(
            session, ret, found.cycle, found.agency, found.template, actions=False, evidence=False
        )
        contacts = found.people["contacts"]
        plan_people = contacts + found.people["leads"]
    # The agency hears what QA found (the letter by e-mail, with a link to its PDF), and the plan
    # goes live: both e-mails queued in one batch.
    letter = feedback.letter_for(session, ret, accepted=accepted, content=content, challenges=challenges)
    context = return_context(session, ret, reviewer_name=letter.reviewer_name, letter=feedback.as_text(letter))
    tell_each_kind(
        session,
        [("qa_feedback", contacts, context), ("action_plan_open", plan_people, return_context(session, ret))],
        return_id=ret.id,
    )
    return ret


def _challenges_of(session: Session, ret: AuditReturn) -> list[Challenge]:
    """The return's challenges, oldest first."""
    return list(session.exec(select(Challenge).where(Challenge.return_id == ret.id).order_by(Challenge.raised_at, Challenge.id)))


# Built once: building the UPDATE cost as much as running it.
_CLOSE_ANSWERED = (
    update(Challenge)
    .where(Challenge.return_id == bindparam("of_return"), Challenge.status == ChallengeState.ANSWERED)
    .values(status=ChallengeState.CLOSED)
    .returning(Challenge)
)


def _close_answered(session: Session, ret: AuditReturn) -> list[Challenge]:
    """Close the answered challenges (all the return's, the caller counted) and return them,
    oldest first, in one statement."""
    options = {"synchronize_session": False, "populate_existing": True}
    closed = session.scalars(_CLOSE_ANSWERED, {"of_return": ret.id}, execution_options=options).all()
    return sorted(closed, key=lambda c: (c.raised_at, c.id))


def accept_waits_for(ret: AuditReturn) -> str | None:
    """Why QA cannot accept the return yet though it is in QA, in words for the QA page; None if
    nothing in QA holds it up (whether this person may accept is `may_move`'s business)."""
    if ret.status == ReturnState.EVIDENCE_REQUESTED:
        return (
            "You can accept the return once the agency has provided the evidence requested, "
            "or return it for amendment now."
        )
    return None


def release_without_qa(session: Session, actor: User | None, return_id: int) -> AuditReturn:
    """A return QA did not pick goes straight to its live action plan (by a coordinator, or the
    scheduler when the QA window ends)."""
    ret = session.get(AuditReturn, return_id) if actor is None else visible_return(session, actor, return_id)
    reasons = []
    if selection_of(session, ret.id):
        reasons.append("This return was picked for QA: a QA reviewer must accept it.")
    move_return(session, actor, ret, "release", guard_reasons=reasons, reason="Not picked for QA")
    _announce_plan(session, ret)
    return ret


def _announce_plan(session: Session, ret: AuditReturn) -> None:
    content = return_content.load(session, ret)
    people = _plan_people(session, content, agency_contacts(session, content.agency))
    tell(session, "action_plan_open", people, return_context(session, ret), return_id=ret.id)
    statements.ask_to_sign(session, ret)


def _plan_people(
    session: Session, content: return_content.ReturnContent, contacts: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Who hears that the plan is live: the agency's contacts and each action's lead person."""
    people = list(contacts)
    leads = sorted({a.lead_user_id for a in content.actions if a.lead_user_id})
    if leads:
        found = {u.id: u for u in session.exec(select(User).where(User.id.in_(leads)))}
        people.extend((found[lead_id].email, found[lead_id].name) for lead_id in leads)
    return people


def return_for_amendment(session: Session, actor: User, return_id: int, *, reason: str) -> AuditReturn:
    """Send a submitted return back to the agency, saying what to change."""
    ret = visible_return(session, actor, return_id)
    reasons = [] if reason.strip() else ["Say why the return is sent back and what the agency must change."]
    move_return(session, actor, ret, "return_for_amendment", guard_reasons=reasons, reason=reason.strip())
    context = return_context(session, ret, reason=reason.strip(), actor_name=actor.name)
    tell(
        session,
        "returned_for_amendment",
        agency_contacts(session, return_content.load_agency(session, ret)),
        context,
        return_id=ret.id,
    )
    return ret


def withdraw(session: Session, actor: User, return_id: int, *, reason: str) -> AuditReturn:
    """A coordinator takes a return out of the cycle (the agency closed, merged, or was invited by mistake)."""
    ret = visible_return(session, actor, return_id)
    reasons = [] if reason.strip() else ["Say why the return is withdrawn."]
    move_return(session, actor, ret, "withdraw", guard_reasons=reasons, reason=reason.strip())
    context = return_context(session, ret, reason=reason.strip())
    tell(session, "withdrawn", agency_contacts(session, return_content.load_agency(session, ret)), context, return_id=ret.id)
    return ret
