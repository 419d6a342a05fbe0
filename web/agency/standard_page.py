"""The standard page's forms: one block per question (rating, narrative, evidence, file, actions).

Each block's fields carry a prefix (`q12-rating`, `a7-description`, `q12-new-description`) so a
whole standard is typed and saved at once, and shown again exactly as typed when it is refused.
"""

from dataclasses import dataclass, field

from werkzeug.datastructures import CombinedMultiDict, MultiDict

from models import Action, EvidenceFile, Question, Standard, User
from web.returns.forms import ActionForm, QuestionForm, question_data
from web.returns.page_helpers import uploads_from
from workflow.answering.content import ReturnContent
from workflow.answering.rules import question_problems
from workflow.answering.standard_answers import ActionInput, AnswerInput
from workflow.answering.uploads import Upload


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


def blocks(
    content: ReturnContent, standard: Standard, people: list[User], formdata: CombinedMultiDict | None = None
) -> list[QuestionBlock]:
    """The blocks of one standard, from the saved answers (formdata None) or from what was posted."""
    scale = content.scale
    choices = [(str(p.id), p.name) for p in people]
    result = []
    for question in content.questions_of(standard):
        data = None if formdata is not None else question_data(content, question.id)
        form = QuestionForm(formdata, prefix=f"q{question.id}", data=data).offer(scale)
        actions = []
        for action in content.actions_for(question):
            saved = None if formdata is not None else {
                "description": action.description,
                "lead_user_id": str(action.lead_user_id or ""),
                "target_date": action.target_date,
            }
            actions.append((action, ActionForm(formdata, prefix=f"a{action.id}", data=saved).offer(choices)))
        new_action = ActionForm(formdata, prefix=f"q{question.id}-new").offer(choices)
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
            )
        )
    return result


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
            )
        )
        for action, action_form in block.actions:
            actions.append(_action_input(qid, action.id, action_form))
        if not block.new_action.is_blank():
            actions.append(_action_input(qid, None, block.new_action))
        uploads.extend(uploads_from(files.getlist(form.file.name), qid))
    return answers, actions, uploads


def _action_input(question_id: int, action_id: int | None, form: ActionForm) -> ActionInput:
    return ActionInput(
        question_id=question_id,
        action_id=action_id,
        description=form.description.data or "",
        lead_user_id=form.lead(),
        target_date=form.target_date.data,
        remove=bool(form.remove.data),
    )
