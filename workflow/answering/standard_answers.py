"""Saving one standard's page of a return at once: its answers, its actions and its evidence files.

Every file is checked first. A refused file does not cost the rest of the page: the answers,
actions and the good files chosen in the same save are kept, and each refused file comes back as
a reason naming its question and linked to that question's file field, to be chosen again.
Incomplete answers are saved as drafts (the submission rules say later what is missing), exactly
as `returns.save_answer` does.

Only what the person changed is written. The page carries what it showed of each answer and
action (`versions`); when someone else saved a change to the same one since, that one is not
written and comes back as an `EditConflict` naming the question and the other person, with their
version, while everything else on the page is saved.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from models import Action, Answer, EvidenceFile, HistoryRecord, Question, User
from models.action import ActionState
from workflow.answering import content as return_content
from workflow.answering import returns, versions
from workflow.answering.editing import Editing, read_for_saving
from workflow.answering.evidence_storage import EvidenceStore
from workflow.answering.return_view import standard_of
from workflow.answering.uploads import Upload, check_each, store_and_record
from workflow.clock import uk_date
from workflow.errors import NotFound, Reason
from workflow.lifecycle import history
from workflow.lifecycle.moves import hold_return
from workflow.templates.spec import RatingScale


@dataclass(frozen=True)
class AnswerInput:
    """One question's answer as typed."""

    question_id: int
    rating: str | None
    narrative: str = ""
    evidence_description: str = ""
    not_applicable_reason: str = ""
    # The fingerprint of what the page showed (versions.answer_fingerprint); None: compare with
    # what is saved now, for callers that have no page.
    seen: str | None = None

    @property
    def values(self) -> versions.AnswerValues:
        return versions.answer_values(self.rating, self.narrative, self.evidence_description, self.not_applicable_reason)


@dataclass(frozen=True)
class ActionInput:
    """A new action (action_id None), a change to one, or its removal from the plan."""

    question_id: int
    action_id: int | None
    description: str
    lead_user_id: int | None
    target_date: date | None
    remove: bool = False
    seen: str | None = None

    @property
    def values(self) -> versions.ActionValues:
        return versions.action_values(self.description, self.lead_user_id, self.target_date)


@dataclass(frozen=True)
class EditConflict:
    """A question (or one of its actions) someone else changed after this person's page showed it."""

    question_id: int
    question_ref: str
    action_id: int | None
    other_person: str
    theirs: list[tuple[str, str]]

    @property
    def message(self) -> str:
        what = "its answer" if self.action_id is None else "one of its actions"
        return (
            f"Question {self.question_ref}: {self.other_person} saved a change to {what} after you opened this page, "
            "so your change to it was not saved. Both versions are shown below: to keep yours, check it and save again."
        )


@dataclass(frozen=True)
class StandardSaved:
    files: list[EvidenceFile]
    conflicts: list[EditConflict]
    # Files not kept, each reason naming its question, for the field `q<question id>-file`.
    refused_files: list[Reason] = field(default_factory=list)


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
) -> StandardSaved:
    """Save what this person changed on the standard's page; say what someone else changed first."""
    actor_id = actor.id
    hold_return(session, return_id)
    # The engine's own check, read once with the standard's questions and answers: an agency user
    # of this agency, a return still being written, an open cycle (the full path says why not).
    editing = read_for_saving(session, actor_id, return_id, standard_id=standard_id)
    if editing is None or not editing.questions:
        editing = _checked_in_full(session, actor, return_id, standard_id)
    ret, on_page = editing.ret, editing.questions
    if any(a.question_id not in on_page for a in answers) or any(u.question_id not in on_page for u in uploads):
        raise NotFound("That question is not part of this standard.")
    checked, refused = check_each(uploads)
    refused_files = [
        Reason(f"Question {on_page[r.upload.question_id].ref}: {r.reason} The file was not saved; the rest was.",
               f"q{r.upload.question_id}-file")
        for r in refused
    ]
    conflicts: list[EditConflict] = []
    for answer in answers:
        saved = editing.answers.get(answer.question_id)
        if not _answer_changed(saved, answer):
            continue
        if _answer_conflicts(saved, answer):
            conflicts.append(_answer_conflict(session, editing.scale, on_page[answer.question_id], saved))
            continue
        returns.write_answer(
            session, actor, ret, on_page[answer.question_id], editing.scale, saved, answer.values, editing=editing, held=True
        )
    planned = _planned(session, ret.id) if actions else {}
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
        if not (change.remove or _action_changed(existing, change)):
            continue
        if change.remove and existing.status == ActionState.CANCELLED:
            continue  # someone else removed it already: the same change
        if _action_conflicts(existing, change):
            conflicts.append(_action_conflict(session, on_page[existing.question_id].ref, existing))
            continue
        if change.remove:
            returns.remove_action(session, actor, existing.id)
        else:
            returns.edit_action(
                session, actor, existing.id, description=change.description,
                lead_user_id=change.lead_user_id, target_date=change.target_date,
            )
    return StandardSaved(store_and_record(session, actor, ret.id, store, checked), conflicts, refused_files)


def _answer_changed(saved: Answer | None, typed: AnswerInput) -> bool:
    """Whether this person changed the answer: against what their page showed, or (no page)
    against what is saved. An untouched blank question is not an answer, so opening a page and
    pressing Save does not start the return."""
    if typed.seen is not None:
        return versions.fingerprint(typed.values) != typed.seen
    return typed.values != versions.saved_answer_values(saved)


def _answer_conflicts(saved: Answer | None, typed: AnswerInput) -> bool:
    """Someone else saved a different version since the page showed it (the same change is no conflict)."""
    now = versions.saved_answer_values(saved)
    return typed.seen is not None and versions.fingerprint(now) != typed.seen and typed.values != now


def _planned(session: Session, return_id: int) -> dict[int, Action]:
    """The return's actions, read only when the page sent any."""
    return {a.id: a for a in session.exec(select(Action).where(Action.return_id == return_id).order_by(Action.id))}


def _checked_in_full(session: Session, actor: User, return_id: int, standard_id: int) -> Editing:
    """The checks one by one, each refusal in its own words (the one read only says no)."""
    ret = returns._editable_return(session, actor, return_id, "change the answers")
    content = return_content.load(session, ret)
    on_page = {q.id: q for q in content.questions_of(standard_of(content, standard_id))}
    answers = {q: a for q, a in content.answers.items() if q in on_page}
    return Editing(ret, actor.id, actor.name, content.scale, on_page, answers, history.head_of(session, "return", ret.id))


def _answer_conflict(session: Session, scale: RatingScale, question: Question, saved: Answer | None) -> EditConflict:
    rating, narrative, evidence, reason = versions.saved_answer_values(saved)
    theirs = [
        ("Rating", scale.labels.get(rating, rating) if rating else "Not answered"),
        ("Narrative", narrative or "(blank)"),
        ("Evidence", evidence or "(blank)"),
    ]
    if reason:
        theirs.append(("Why it does not apply", reason))
    other = session.get(User, saved.updated_by_id) if saved is not None and saved.updated_by_id else None
    return EditConflict(question.id, question.ref, None, other.name if other else "Someone else", theirs)


def _action_conflict(session: Session, ref: str, action: Action) -> EditConflict:
    last = session.exec(
        select(HistoryRecord)
        .where(HistoryRecord.subject_type == "action", HistoryRecord.subject_id == action.id)
        .order_by(HistoryRecord.seq.desc())
        .limit(1)
    ).first()
    lead = session.get(User, action.lead_user_id) if action.lead_user_id else None
    theirs = [
        ("What will be done", action.description or "(blank)"),
        ("Lead person", lead.name if lead else "none yet"),
        ("Target date", f"{uk_date(action.target_date)}" if action.target_date else "none yet"),
        ("Status", "Removed from the plan" if action.status == ActionState.CANCELLED else ActionState(action.status).title),
    ]
    return EditConflict(action.question_id, ref, action.id, last.actor_name if last else "Someone else", theirs)


def _action_changed(action: Action, change: ActionInput) -> bool:
    """Whether this person changed the action: against what their page showed, or what is saved."""
    if change.seen is not None:
        return versions.fingerprint(change.values) != change.seen
    return change.values != versions.saved_action_values(action)


def _action_conflicts(action: Action, change: ActionInput) -> bool:
    """Someone else changed or removed the action since the page showed it."""
    if change.seen is None:
        return False
    if action.status == ActionState.CANCELLED:
        return True
    now = versions.saved_action_values(action)
    return versions.fingerprint(now) != change.seen and (change.remove or change.values != now)
