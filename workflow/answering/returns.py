"""What an agency does with its return: answer, plan actions, attach evidence, submit."""

from datetime import date

from sqlalchemy import exists, func
from sqlmodel import Session, select

from models import Action, Answer, AuditReturn, CarriedStandard, EvidenceFile, Question, SubmissionCopy, User
from models.action import ActionState
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.user import Role
from workflow.access import require_role, visible_return
from workflow.answering import carry_forward, lead_notice, submission_copies, versions
from workflow.answering import content as return_content
from workflow.answering.editing import EDITABLE_STATES, Editing, read_for_saving
from workflow.answering.rules import submission_problems
from workflow.clock import uk_date_time, utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.lifecycle.moves import move_return, touch_return
from workflow.lifecycle.moving import read_for_move
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts, coordinators
from workflow.templates.spec import NOT_APPLICABLE, RatingScale

DECLARATION = (
    "I confirm that I am submitting this return on behalf of the organisation, and that to the "
    "best of my knowledge the answers and evidence are accurate and complete."
)


def _editable_return(session: Session, actor: User, return_id: int, what: str) -> AuditReturn:
    """The return, as long as the actor is one of its agency's users and it is still being written."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.AGENCY_USER}, what, agency_id=ret.agency_id)
    if ret.status not in EDITABLE_STATES:
        raise DomainError(f"You cannot {what} because the return is {ReturnState(ret.status).title.lower()}.")
    cycle_state = return_content.load_cycle(session, ret).status
    if cycle_state != CycleState.OPEN:
        raise DomainError(f"You cannot {what} because the cycle is {cycle_state}.")
    return ret


def _start_if_invited(session: Session, actor: User, ret: AuditReturn) -> None:
    """The first answer moves an invited return to in progress, recorded like any other move."""
    if ret.status == ReturnState.INVITED:
        move_return(session, actor, ret, "start")
    else:
        touch_return(session, ret)


def _question_of(session: Session, ret: AuditReturn, question_id: int) -> Question:
    content = return_content.load(session, ret)
    for question in content.questions:
        if question.id == question_id:
            return question
    raise NotFound("That question is not part of this return.")


def save_answer(
    session: Session,
    actor: User,
    return_id: int,
    question_id: int,
    *,
    rating: str | None,
    narrative: str = "",
    evidence_description: str = "",
    not_applicable_reason: str = "",
) -> Answer:
    """Save an answer as typed; only a rating the template does not know is refused.

    Incomplete answers are kept (a draft is never lost); the submission rules say what is missing.
    One read finds everything the save needs (`editing`); when it finds the change not allowed,
    the full checks say why.
    """
    actor_id = actor.id
    values = versions.answer_values(rating, narrative, evidence_description, not_applicable_reason)
    editing = read_for_saving(session, actor_id, return_id, question_ids=[question_id])
    if editing is None or question_id not in editing.questions:
        editing = _checked_in_full(session, actor, return_id, question_id)
    return write_answer(
        session, actor, editing.ret, editing.questions[question_id], editing.scale,
        editing.answers.get(question_id), values, editing=editing,
    )


def _checked_in_full(session: Session, actor: User, return_id: int, question_id: int) -> Editing:
    """The checks one by one: each refusal in its own words (the one read only says no)."""
    ret = _editable_return(session, actor, return_id, "change the answers")
    question = _question_of(session, ret, question_id)
    existing = session.exec(select(Answer).where(Answer.return_id == ret.id, Answer.question_id == question.id)).first()
    return Editing(
        ret, actor.id, actor.name, return_content.load_scale(session, ret), {question.id: question},
        {question.id: existing} if existing else {}, history.head_of(session, "return", ret.id),
    )


def write_answer(
    session: Session,
    actor: User,
    ret: AuditReturn,
    question: Question,
    scale: RatingScale,
    existing: Answer | None,
    values: versions.AnswerValues,
    *,
    editing: Editing,
    held: bool = False,
) -> Answer:
    """Write one answer of a return already checked as editable by this actor, and its history.

    `editing` is what the one read found (the actor's name and the history's head, which moves on
    with each record written). A held return (`moves.hold_return`) has had its version taken
    already; otherwise the write takes it, so a concurrent move loses cleanly.
    """
    rating = values[0]
    if rating == NOT_APPLICABLE and not scale.not_applicable:
        raise DomainError(f"Question {question.ref} cannot be marked Not applicable in this template.")
    if rating and rating != NOT_APPLICABLE and not scale.allows(rating):
        raise DomainError(
            f"Choose one of {', '.join(scale.label_for(v.value) for v in scale.values)} for question {question.ref}."
        )
    answer = existing or Answer(return_id=ret.id, question_id=question.id)
    before = versions.saved_answer_values(existing)
    if values == before:
        return answer  # nothing changed: no write, no history, and an untouched return is not started
    answer.rating, answer.narrative, answer.evidence_description, answer.not_applicable_reason = values
    answer.updated_at = utcnow()
    answer.updated_by_id = editing.actor_id
    session.add(answer)
    if ret.status == ReturnState.INVITED:
        started = move_return(session, actor, ret, "start")
        editing.head.seq, editing.head.hash = started.seq, started.hash
    elif not held:
        touch_return(session, ret)
    history.append_to(
        session,
        editing.head,
        actor_id=editing.actor_id,
        actor_name=editing.actor_name,
        return_id=ret.id,
        trigger="answer",
        details=answer_details(question, before, values),
    )
    return answer


ANSWER_FIELDS = ("rating", "narrative", "evidence_description", "not_applicable_reason")


def answer_details(question: Question, before: versions.AnswerValues, after: versions.AnswerValues) -> dict:
    """What the history keeps of an answer's change: the whole new answer, and what it was before."""
    changed = [name for name, old, new in zip(ANSWER_FIELDS, before, after, strict=True) if old != new]
    return {
        "question": question.ref,
        "question_id": question.id,
        "changed": changed,
        "before": {name: before[ANSWER_FIELDS.index(name)] for name in changed},
        **dict(zip(ANSWER_FIELDS, after, strict=True)),
    }


def add_action(
    session: Session,
    actor: User,
    return_id: int,
    question_id: int,
    *,
    description: str,
    lead_user_id: int | None,
    target_date: date | None,
) -> Action:
    """Add an action to the plan; its lead person must be one of the agency's people."""
    ret = _editable_return(session, actor, return_id, "change the action plan")
    question = _question_of(session, ret, question_id)
    _check_lead(session, ret, lead_user_id)
    action = Action(
        return_id=ret.id,
        question_id=question.id,
        description=description.strip(),
        lead_user_id=lead_user_id,
        target_date=target_date,
        created_by_id=actor.id,
    )
    session.add(action)
    session.flush()
    history.append(
        session,
        subject_type="action",
        subject_id=action.id,
        return_id=ret.id,
        actor=actor,
        trigger="create",
        to_state=ActionState.OPEN,
        details={"question": question.ref, "description": action.description},
    )
    _start_if_invited(session, actor, ret)
    lead_notice.tell_lead(session, action)
    return action


def edit_action(
    session: Session,
    actor: User,
    action_id: int,
    *,
    description: str,
    lead_user_id: int | None,
    target_date: date | None,
) -> Action:
    """Change a planned action while the return is still being written."""
    action = _action_of(session, actor, action_id)
    ret = _editable_return(session, actor, action.return_id, "change the action plan")
    _check_lead(session, ret, lead_user_id)
    before = versions.saved_action_values(action)
    notice_before = lead_notice.before_change(action)
    action.description = description.strip()
    action.lead_user_id = lead_user_id
    action.target_date = target_date
    session.add(action)
    after = versions.saved_action_values(action)
    if after != before:
        names = ("description", "lead_user_id", "target_date")
        history.append(
            session,
            subject_type="action",
            subject_id=action.id,
            return_id=ret.id,
            actor=actor,
            trigger="edit",
            details={
                "changed": [n for n, old, new in zip(names, before, after, strict=True) if old != new],
                **dict(zip(names, after, strict=True)),
            },
        )
    touch_return(session, ret)
    lead_notice.tell_lead(session, action, notice_before)
    return action


def remove_action(session: Session, actor: User, action_id: int) -> None:
    """Take a planned action out of the plan before submission (it is cancelled, never deleted)."""
    action = _action_of(session, actor, action_id)
    ret = _editable_return(session, actor, action.return_id, "change the action plan")
    from_state = action.status
    action.status = ActionState.CANCELLED
    action.closing_reason = "Removed from the plan before submission"
    action.closed_at = utcnow()
    session.add(action)
    history.append(
        session,
        subject_type="action",
        subject_id=action.id,
        return_id=ret.id,
        actor=actor,
        trigger="remove",
        from_state=from_state,
        to_state=action.status,
        reason=action.closing_reason,
    )
    touch_return(session, ret)


def record_evidence_file(
    session: Session,
    actor: User,
    return_id: int,
    *,
    filename: str,
    content_type: str,
    size: int,
    sha256: str,
    question_id: int | None = None,
    action_id: int | None = None,
    evidence_request_id: int | None = None,
) -> EvidenceFile:
    """Record a stored upload against the return (the bytes are stored by the caller, by hash)."""
    ret = visible_return(session, actor, return_id)
    require_role(session, actor, {Role.AGENCY_USER, Role.LEAD_PERSON}, "upload evidence", agency_id=ret.agency_id)
    record = EvidenceFile(
        return_id=ret.id,
        question_id=question_id,
        action_id=action_id,
        evidence_request_id=evidence_request_id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    history.append(
        session,
        subject_type="return",
        subject_id=ret.id,
        return_id=ret.id,
        actor=actor,
        trigger="upload_evidence",
        details={"file": filename, "sha256": sha256, "size": size},
    )
    touch_return(session, ret)
    return record


# What a submission's one read counts besides the return: the last frozen copy's number, the
# carried standards still to confirm, and whether there are actions and files to read at all.
SUBMIT_EXTRA = (
    ("copies", select(func.max(SubmissionCopy.number)).where(SubmissionCopy.return_id == AuditReturn.id).scalar_subquery()),
    (
        "unconfirmed",
        select(func.count(CarriedStandard.id))
        .where(CarriedStandard.return_id == AuditReturn.id, CarriedStandard.confirmed_at.is_(None))
        .scalar_subquery(),
    ),
    ("actions", exists().where(Action.return_id == AuditReturn.id)),
    ("files", exists().where(EvidenceFile.return_id == AuditReturn.id)),
)


def submit(session: Session, actor: User, return_id: int, *, declaration_confirmed: bool) -> AuditReturn:
    """Submit on behalf of the organisation; refused with every reason while anything is missing.

    One read (`moving`) finds the return, who may move it, the head of its history, the people to
    tell and what the guards count; a second the questions and answers (and the actions and files,
    when there are any); then the return's UPDATE, its sealed record and frozen copy in one flush,
    and the e-mails in one INSERT."""
    found = read_for_move(session, actor, return_id, tell=("contacts", "coordinators"), extra=SUBMIT_EXTRA)
    ret = visible_return(session, actor, return_id)
    if found is None:
        content = return_content.load(session, ret)
        unconfirmed = carry_forward.unconfirmed_problems(session, ret)
        number = submission_copies.next_number(session, ret.id)
    else:
        extra = found.extra
        content = return_content.load_known(
            session, ret, found.cycle, found.agency, found.template, actions=bool(extra["actions"]), evidence=bool(extra["files"])
        )
        unconfirmed = carry_forward.unconfirmed_problems(session, ret) if extra["unconfirmed"] else []
        number = (extra["copies"] or 0) + 1
    reasons = submission_problems(content) + unconfirmed
    if not declaration_confirmed:
        reasons.append("Confirm the declaration that you are submitting on behalf of the organisation.")
    if content.cycle.status != CycleState.OPEN:
        reasons.insert(0, f"The cycle is {content.cycle.status}: returns can no longer be submitted.")
    at = utcnow()
    frozen = submission_copies.canonical_json(content, actor, at, number, DECLARATION)
    digest = submission_copies.sha256_of(frozen)
    copy = SubmissionCopy(
        return_id=ret.id, number=number, submitted_at=at, submitted_by_id=actor.id, canonical_json=frozen, sha256=digest
    )
    move_return(
        session, actor, ret, "submit", guard_reasons=reasons,
        details={"declaration": DECLARATION, "copy_number": number, "copy_sha256": digest},
        also={"submitted_by_id": actor.id, "submitted_at": at, "declaration": DECLARATION},
        head=found.head if found else None, rows=[copy],
    )
    context = return_context(session, ret, submitted_by=actor.name, submitted_at=uk_date_time(ret.submitted_at))
    people = (
        found.people["contacts"] + found.people["coordinators"]
        if found
        else agency_contacts(session, content.agency) + coordinators(session, ret)
    )
    tell(session, "submission_receipt", people, context, return_id=ret.id)
    return ret


def _check_lead(session: Session, ret: AuditReturn, lead_user_id: int | None) -> None:
    if lead_user_id is None:
        return
    lead = session.get(User, lead_user_id)
    if lead is None or lead.agency_id != ret.agency_id or not lead.active:
        raise DomainError("The lead person must be one of your agency's people.")


def _action_of(session: Session, actor: User, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound("There is no such action.")
    visible_return(session, actor, action.return_id)
    return action
