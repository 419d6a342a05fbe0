"""What the return pages show and which buttons they offer, asked of the engine's own checks.

Pages never decide a rule. Each predicate here is built from the same pieces the operation uses
(the lifecycle's moves, `require_role`, `submission_problems`), so a button is shown exactly when
the move would be allowed; tests/web/test_return_view.py checks that they agree with the moves.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Action, AuditReturn, Challenge, EvidenceFile, EvidenceRequest, Standard, User
from models.action import ActionState
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.user import Role
from workflow.access import can_see_return, commissioner_may_see, require_role, visible_return
from workflow.answering import carry_forward, returns
from workflow.answering.actions import is_overdue
from workflow.answering.content import ReturnContent, load_scale
from workflow.answering.rules import question_problems, standard_status, submission_problems
from workflow.errors import DomainError, NotFound
from workflow.lifecycle.machines import ACTION_LIFECYCLE, QA_STATES, RETURN_LIFECYCLE
from workflow.lifecycle.moves import refusal_for_state


def editing_refusal(session: Session, actor: User, ret: AuditReturn) -> str | None:
    """Why this person cannot change the answers now, or None when they can (the engine's check)."""
    try:
        returns._editable_return(session, actor, ret.id, "change the answers")
    except DomainError as refused:
        return refused.reasons[0]
    return None


def may_move(session: Session, actor: User, ret: AuditReturn, trigger: str) -> bool:
    """Whether the person holds a role for this move and the return is in a state it starts from.

    Guards that need typing (a reason, answered challenges) are left to the operation, which
    says what is missing when the button is pressed.
    """
    move = RETURN_LIFECYCLE.moves[trigger]
    try:
        require_role(session, actor, move.roles, move.title, agency_id=ret.agency_id)
    except DomainError:
        return False
    return RETURN_LIFECYCLE.allows(trigger, ret.status)


# The states in which `qa.answer_challenge` takes an answer.
REPLY_STATES = {ReturnState.UNDER_QA_CHALLENGE, ReturnState.EVIDENCE_REQUESTED}


def may_reply(session: Session, actor: User, ret: AuditReturn) -> bool:
    """Whether the person may answer QA's challenges and evidence requests on this return now."""
    try:
        require_role(session, actor, {Role.AGENCY_USER}, "answer QA", agency_id=ret.agency_id)
    except DomainError:
        return False
    return ret.status in REPLY_STATES


def may_moderate(session: Session, actor: User, ret: AuditReturn) -> bool:
    """Whether `qa.moderate` would take a moderated rating from this person now."""
    try:
        require_role(session, actor, {Role.QA_REVIEWER}, "moderate a rating")
    except DomainError:
        return False
    return ret.status in QA_STATES and load_scale(session, ret).moderation


def submit_refusals(session: Session, actor: User, content: ReturnContent) -> list[str]:
    """Every reason `returns.submit` would give now, apart from the declaration still to be ticked."""
    ret = content.ret
    move = RETURN_LIFECYCLE.moves["submit"]
    if not can_see_return(session, actor, ret):
        return ["There is no such return."]  # as `visible_return` says: QA before submission, say
    try:
        require_role(session, actor, move.roles, move.title, agency_id=ret.agency_id)
    except DomainError as refused:
        return refused.reasons
    state = refusal_for_state(RETURN_LIFECYCLE, "submit", ret.status, "return")
    if state:
        return [state]
    reasons = submission_problems(content) + carry_forward.unconfirmed_problems(session, ret)
    if content.cycle.status != CycleState.OPEN:
        reasons.insert(0, f"The cycle is {content.cycle.status}: returns can no longer be submitted.")
    return reasons


@dataclass(frozen=True)
class Problem:
    """A reason the return cannot be submitted, with the question it is about (when there is one)."""

    text: str
    standard_id: int | None = None
    question_id: int | None = None


def located_problems(content: ReturnContent, reasons: list[str]) -> list[Problem]:
    """The engine's reasons, each placed on its question so the page can link to it."""
    where: dict[str, tuple[int, int]] = {}
    for question in content.questions:
        for text in question_problems(content, question):
            where.setdefault(text, (question.standard_id, question.id))
    located = []
    for text in reasons:
        standard_id, question_id = where.get(text, (None, None))
        located.append(Problem(text, standard_id, question_id))
    return located


@dataclass(frozen=True)
class Task:
    """One standard as a task on the return's task list."""

    standard: Standard
    status: str
    questions: int


def task_list(content: ReturnContent) -> list[Task]:
    """The standards in the template's order, each with its status from the submission rules."""
    return [Task(s, standard_status(content, s), len(content.questions_of(s))) for s in content.standards]


def standard_of(content: ReturnContent, standard_id: int) -> Standard:
    for standard in content.standards:
        if standard.id == standard_id:
            return standard
    raise NotFound("That standard is not part of this return.")


def agency_people(session: Session, agency_id: int) -> list[User]:
    """Who may lead an action: the agency's active people (the engine's `_check_lead` rule)."""
    return list(
        session.exec(select(User).where(User.agency_id == agency_id, User.active == True).order_by(User.name))  # noqa: E712
    )


def people_named(session: Session, ids: set[int]) -> dict[int, str]:
    """Names for the user ids a page shows (lead persons, authors), in one query."""
    if not ids:
        return {}
    return {u.id: u.name for u in session.exec(select(User).where(User.id.in_(ids)))}


def challenges_of(session: Session, return_id: int) -> list[Challenge]:
    return list(session.exec(select(Challenge).where(Challenge.return_id == return_id).order_by(Challenge.id)))


def evidence_requests_of(session: Session, return_id: int) -> list[EvidenceRequest]:
    return list(session.exec(select(EvidenceRequest).where(EvidenceRequest.return_id == return_id).order_by(EvidenceRequest.id)))


def files_of_request(session: Session, request_id: int) -> list[EvidenceFile]:
    query = select(EvidenceFile).where(EvidenceFile.evidence_request_id == request_id).order_by(EvidenceFile.id)
    return list(session.exec(query))


def visible_file(session: Session, user: User, file_id: int) -> EvidenceFile:
    """An evidence file, only for people who may see its return (others: NotFound, as for the return)."""
    record = session.get(EvidenceFile, file_id)
    if record is None:
        raise NotFound("There is no such file.")
    ret = session.get(AuditReturn, record.return_id)
    if not commissioner_may_see(session, user, ret):  # a commissioner reads the provider's evidence too
        visible_return(session, user, record.return_id)
    return record


def state_title(value: str) -> str:
    """A return's or an action's state in words ('Under QA challenge', 'In progress')."""
    if value in ReturnState._value2member_map_:
        return ReturnState(value).title
    if value in ActionState._value2member_map_:
        return ActionState(value).title
    return value.replace("_", " ").capitalize()


# Records that are not moves of a lifecycle (`note_on_return`, actions' own records), in words.
NOTE_TITLES = {
    "launch": "Invite the agency (the cycle was launched)",
    "answer": "Change an answer",
    "edit": "Change an action",
    "create": "Add an action to the plan",
    "remove": "Remove an action from the plan",
    "upload_evidence": "Upload evidence",
    "pick_for_qa": "Pick the return for QA",
    "answer_challenge": "Answer a challenge",
    "provide_evidence": "Provide evidence",
    "moderate": "Moderate a rating",
    "extend_deadline": "Extend the deadline",
    "progress": "Record progress on an action",
    "qa_meeting_decision": "Decision of the QA meeting",
    "mark_good_practice": "Share an answer as good practice",
    "sample_action_plan": "Draw the action plan in QA's dip sample",
    "review_action_plan": "Review the sampled action plan",
    "peer_review_arrange": "Arrange a peer review",
    "peer_review_submit": "Submit the peer review",
    "peer_review_answer": "Answer the peer review",
    "peer_review_cancel": "Cancel the peer review",
    "carry_forward": "Carry forward the answers of the last return",
    "confirm_carried_standard": "Confirm a standard carried forward",
    "commissioner_comment": "Comment as the commissioning agency",
}


def sentence(text: str) -> str:
    """'Open the action plan without QA': the first letter raised, the rest (QA) left as it is."""
    return text[:1].upper() + text[1:]


def trigger_title(trigger: str) -> str:
    """What a history record's trigger did, in words."""
    move = RETURN_LIFECYCLE.moves.get(trigger) or ACTION_LIFECYCLE.moves.get(trigger)
    if move is not None:
        return sentence(move.title)
    return NOTE_TITLES.get(trigger, sentence(trigger.replace("_", " ")))


@dataclass(frozen=True)
class LifecycleStep:
    """One state of the return's lifecycle, the moves out of it, and whether the return is in it."""

    value: str
    title: str
    current: bool
    moves: list[tuple[str, str]]


def lifecycle_steps(current: str) -> list[LifecycleStep]:
    """The lifecycle diagram as a list a screen reader can follow: drawn from the same machine as
    the mermaid text (`RETURN_LIFECYCLE.mermaid`)."""
    steps = []
    for state in RETURN_LIFECYCLE.states:
        moves = [
            (sentence(move.title), ReturnState(move.dest).title)
            for move in RETURN_LIFECYCLE.moves.values()
            if state in move.sources
        ]
        steps.append(LifecycleStep(state, ReturnState(state).title, state == current, moves))
    return steps


@dataclass(frozen=True)
class PlanRow:
    """One action of a return's plan, with what the page says about it."""

    action: Action
    question_ref: str
    lead_name: str
    overdue: bool


def action_plan(session: Session, content: ReturnContent) -> list[PlanRow]:
    """The return's actions in the template's order of questions (cancelled ones too, marked so)."""
    refs = {q.id: q.ref for q in content.questions}
    order = {q.id: i for i, q in enumerate(content.questions)}
    names = people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id})
    return [
        PlanRow(a, refs.get(a.question_id, ""), names.get(a.lead_user_id, ""), is_overdue(a))
        for a in sorted(content.actions, key=lambda a: (order.get(a.question_id, 0), a.id))
    ]
