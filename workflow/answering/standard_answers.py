"""Saving one standard's page of a return at once: its answers, its actions and its evidence files.

The page is one unit: every file is checked first and any refusal saves nothing, so the person
sees the reason with everything they typed still on the page. Incomplete answers are saved as
drafts (the submission rules say later what is missing), exactly as `returns.save_answer` does.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from models import Action, Answer, EvidenceFile, User
from workflow.answering import content as return_content
from workflow.answering import returns
from workflow.answering.evidence_storage import EvidenceStore
from workflow.answering.return_view import standard_of
from workflow.answering.uploads import Upload, check_all, store_and_record
from workflow.errors import NotFound
from workflow.templates.spec import NOT_APPLICABLE


@dataclass(frozen=True)
class AnswerInput:
    """One question's answer as typed."""

    question_id: int
    rating: str | None
    narrative: str = ""
    evidence_description: str = ""
    not_applicable_reason: str = ""


@dataclass(frozen=True)
class ActionInput:
    """A new action (action_id None), a change to one, or its removal from the plan."""

    question_id: int
    action_id: int | None
    description: str
    lead_user_id: int | None
    target_date: date | None
    remove: bool = False


def save_standard(
    session: Session,
    actor: User,
    return_id: int,
    standard_id: int,
    *,
    answers: list[AnswerInput],
    actions: list[ActionInput],
    uploads: list[Upload],
    store: EvidenceStore,
) -> list[EvidenceFile]:
    """Save what changed on the standard's page; returns the evidence files recorded."""
    # The engine's own check: an agency user of this agency, a return still being written, an open cycle.
    ret = returns._editable_return(session, actor, return_id, "change the answers")
    content = return_content.load(session, ret)
    standard = standard_of(content, standard_id)
    on_page = {q.id for q in content.questions_of(standard)}
    if any(a.question_id not in on_page for a in answers) or any(u.question_id not in on_page for u in uploads):
        raise NotFound("That question is not part of this standard.")
    checked = check_all(uploads)
    for answer in answers:
        if _changed(content.answers.get(answer.question_id), answer):
            returns.save_answer(
                session, actor, ret.id, answer.question_id, rating=answer.rating, narrative=answer.narrative,
                evidence_description=answer.evidence_description, not_applicable_reason=answer.not_applicable_reason,
            )
    planned = {a.id: a for a in content.actions}
    for change in actions:
        if change.action_id is None:
            returns.add_action(
                session, actor, ret.id, change.question_id, description=change.description,
                lead_user_id=change.lead_user_id, target_date=change.target_date,
            )
            continue
        existing = planned.get(change.action_id)
        if existing is None or existing.question_id not in on_page:
            raise NotFound("That action is not part of this standard.")
        if change.remove:
            returns.remove_action(session, actor, existing.id)
        elif _action_changed(existing, change):
            returns.edit_action(
                session, actor, existing.id, description=change.description,
                lead_user_id=change.lead_user_id, target_date=change.target_date,
            )
    return store_and_record(session, actor, ret.id, store, checked)


def _changed(saved: Answer | None, typed: AnswerInput) -> bool:
    """Whether saving would change anything; an untouched blank question is not an answer, so
    opening a page and pressing Save does not start the return."""
    reason = typed.not_applicable_reason.strip() if typed.rating == NOT_APPLICABLE else ""
    now = (typed.rating or None, typed.narrative.strip(), typed.evidence_description.strip(), reason)
    before = (
        (saved.rating, saved.narrative, saved.evidence_description, saved.not_applicable_reason)
        if saved is not None
        else (None, "", "", "")
    )
    return now != before


def _action_changed(action: Action, change: ActionInput) -> bool:
    return (action.description, action.lead_user_id, action.target_date) != (
        change.description.strip(),
        change.lead_user_id,
        change.target_date,
    )
