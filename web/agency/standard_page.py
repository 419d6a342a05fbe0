"""The standard page's forms: one block per question (rating, narrative, evidence, file, actions).

Each block's fields carry a prefix (`q12-rating`, `a7-description`, `q12-new-description`) so a
whole standard is typed and saved at once, and shown again exactly as typed when it is refused.
Each answer and action also carries what the page showed of it (`q12-seen`, `a7-seen`), so a save
writes only what this person changed and finds what someone else changed meanwhile.
"""

from dataclasses import dataclass, field

from werkzeug.datastructures import CombinedMultiDict, MultiDict

from models import Action, EvidenceFile, Question, Standard, User
from web.returns.forms import ActionForm, QuestionForm, question_data
from web.returns.page_helpers import uploads_from
from workflow.answering.content import ReturnContent
from workflow.answering.rules import question_problems
from workflow.answering.standard_answers import ActionInput, AnswerInput, EditConflict
from workflow.answering.uploads import Upload
from workflow.answering.versions import action_fingerprint, answer_fingerprint


@dataclass
class QuestionBlock:
    question: Question
    form: QuestionForm
    actions: list[tuple[Action, ActionForm]]
    new_action: ActionForm
    files: list[EvidenceFile]
    problems: list[str]
    # Whether the rating (as typed, or as saved) asks for an action plan: the template's scale says.
    needs_action: bool = False
    descriptors: dict[str, str] = field(default_factory=dict)
    # What the page showed (versions' fingerprints): of the answer, and of each action by id.
    seen: str = ""
    actions_seen: dict[int, str] = field(default_factory=dict)
    # Someone else's version, when they changed the answer or an action after this page showed it.
    conflict: EditConflict | None = None
    action_conflicts: dict[int, EditConflict] = field(default_factory=dict)


def blocks(
    content: ReturnContent,
    standard: Standard,
    people: list[User],
    formdata: CombinedMultiDict | None = None,
    *,
    conflicts: list[EditConflict] | None = None,
) -> list[QuestionBlock]:
    """The blocks of one standard, from the saved answers (formdata None) or from what was posted.

    After a save that met `conflicts`, only the conflicting answers and actions keep what was
    typed (everything else was saved, or is shown as now saved); all of them now carry what is
    saved as what the page showed, so saving again keeps this person's version deliberately.
    """
    scale = content.scale
    choices = [(str(p.id), p.name) for p in people]
    rebased = conflicts is not None
    answer_conflicts = {c.question_id: c for c in conflicts or [] if c.action_id is None}
    action_conflicts = {c.action_id: c for c in conflicts or [] if c.action_id is not None}
    result = []
    for question in content.questions_of(standard):
        typed = formdata if (not rebased or question.id in answer_conflicts) else None
        data = None if typed is not None else question_data(content, question.id)
        form = QuestionForm(typed, prefix=f"q{question.id}", data=data).offer(scale)
        seen = _seen(typed if not rebased else None, f"q{question.id}", answer_fingerprint(content.answers.get(question.id)))
        actions, actions_seen = [], {}
        for action in content.actions_for(question):
            typed_action = formdata if (not rebased or action.id in action_conflicts) else None
            saved = None if typed_action is not None else {
                "description": action.description,
                "lead_user_id": str(action.lead_user_id or ""),
                "target_date": action.target_date,
            }
            actions.append((action, ActionForm(typed_action, prefix=f"a{action.id}", data=saved).offer(choices)))
            actions_seen[action.id] = _seen(typed_action if not rebased else None, f"a{action.id}", action_fingerprint(action))
        new_action = ActionForm(None if rebased else formdata, prefix=f"q{question.id}-new").offer(choices)
        rating = form.rating.data
        descriptors = {v.value: v.description for v in scale.values if v.description}
        descriptors.update(question.descriptors or {})
        result.append(
            QuestionBlock(
                question=question,
                form=form,
                actions=actions,
                new_action=new_action,
                files=content.files_for(question),
                problems=question_problems(content, question),
                needs_action=bool(rating) and scale.allows(rating) and scale.needs_action(rating),
                descriptors=descriptors,
                seen=seen,
                actions_seen=actions_seen,
                conflict=answer_conflicts.get(question.id),
                action_conflicts={a.id: action_conflicts[a.id] for a, _ in actions if a.id in action_conflicts},
            )
        )
    return result


def _seen(formdata: CombinedMultiDict | None, prefix: str, saved: str) -> str:
    """What the page showed: as posted back (a refused save shows the same page again), else as saved."""
    if formdata is not None:
        return formdata.get(f"{prefix}-seen", "")
    return saved


def conflict_problems(conflicts: list[EditConflict]) -> list[dict[str, str]]:
    """The error summary's items for a save that met someone else's changes, linked to each question."""
    return [{"text": c.message, "href": f"#q{c.question_id}"} for c in conflicts]


def file_problems(refused: list[str]) -> list[dict[str, str]]:
    """The error summary's items for files not kept, each linked to its question's file field."""
    return [{"text": str(r), "href": f"#{getattr(r, 'field', '')}"} for r in refused]


def mark_refused_files(page: list[QuestionBlock], refused: list[str]) -> None:
    """Each refused file's reason beside the file field of its question."""
    by_field = {block.form.file.name: block.form.file for block in page}
    for reason in refused:
        file_field = by_field.get(getattr(reason, "field", ""))
        if file_field is not None:
            file_field.errors = [*(file_field.errors or []), str(reason)]


def posted(request_form: MultiDict, request_files: MultiDict) -> CombinedMultiDict:
    return CombinedMultiDict([request_files, request_form])


def validate(page: list[QuestionBlock]) -> list[dict[str, str]]:
    """Shape errors (a date that is not a real date), as error-summary items linked to their field."""
    errors = []
    for block in page:
        for form in [block.form, block.new_action, *(f for _, f in block.actions)]:
            if not form.validate():
                for name, messages in form.errors.items():
                    errors.append({"text": f"Question {block.question.ref}: {messages[0]}", "href": f"#{form[name].id}"})
    return errors


def inputs(page: list[QuestionBlock], files: MultiDict) -> tuple[list[AnswerInput], list[ActionInput], list[Upload]]:
    """What the workflow is asked to save: every answer, every action changed or added, every file."""
    answers, actions, uploads = [], [], []
    for block in page:
        form, qid = block.form, block.question.id
        answers.append(
            AnswerInput(
                question_id=qid,
                rating=form.rating.data or None,
                narrative=form.narrative.data or "",
                evidence_description=form.evidence_description.data or "",
                not_applicable_reason=form.not_applicable_reason.data or "",
                seen=block.seen or None,
            )
        )
        for action, action_form in block.actions:
            actions.append(_action_input(qid, action.id, action_form, block.actions_seen.get(action.id) or None))
        if not block.new_action.is_blank():
            actions.append(_action_input(qid, None, block.new_action))
        uploads.extend(uploads_from(files.getlist(form.file.name), qid))
    return answers, actions, uploads


def _action_input(question_id: int, action_id: int | None, form: ActionForm, seen: str | None = None) -> ActionInput:
    return ActionInput(
        question_id=question_id,
        action_id=action_id,
        description=form.description.data or "",
        lead_user_id=form.lead(),
        target_date=form.target_date.data,
        remove=bool(form.remove.data),
        seen=seen,
    )
