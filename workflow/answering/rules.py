"""The rules a return must meet before it is submitted, said in the agency's words.

Every rule comes from the template's rating scale (which values need evidence, which need an
action plan, whether Not applicable is allowed), never from rating names written here.
"""

from models import Action, Question
from workflow.answering.content import ReturnContent
from workflow.clock import today, uk_date
from workflow.templates.spec import NOT_APPLICABLE


def action_problems(action: Action, question: Question) -> list[str]:
    """What an action still lacks: what will be done, a lead person and a target date."""
    missing = []
    if not action.description.strip():
        missing.append("a description of what will be done")
    if action.lead_user_id is None:
        missing.append("a lead person")
    if action.target_date is None:
        missing.append("a target date")
    problems = []
    if missing:
        problems.append(f"An action for question {question.ref} is missing {_and(missing)}.")
    elif action.target_date < today():
        problems.append(f"An action for question {question.ref} has a target date in the past ({uk_date(action.target_date)}).")
    return problems


def question_problems(content: ReturnContent, question: Question) -> list[str]:
    """Why one question stops the return being submitted."""
    answer = content.answers.get(question.id)
    if answer is None or not answer.rating:
        return [f"Question {question.ref} is not answered."]
    scale = content.scale
    if answer.rating == NOT_APPLICABLE:
        if not scale.not_applicable:
            return [f"Question {question.ref} cannot be marked Not applicable in this template."]
        if scale.not_applicable_needs_reason and not answer.not_applicable_reason.strip():
            return [f"Question {question.ref} is marked Not applicable but gives no reason."]
        return []
    item = scale.get(answer.rating)  # looked up once: a submission asks this of every question
    if item is None:
        return [f"Question {question.ref} has a rating this template does not use: {answer.rating}."]
    label = item.label
    problems = []
    if item.needs_evidence:
        if not answer.evidence_description.strip() and not content.files_for(question):
            problems.append(
                f"Question {question.ref} is rated {label} but has no evidence: upload a file or describe the evidence."
            )
    if item.needs_action:
        actions = content.actions_for(question)
        if not actions:
            problems.append(f"Question {question.ref} is rated {label} but has no action in the plan.")
        for action in actions:
            problems.extend(action_problems(action, question))
    return problems


def submission_problems(content: ReturnContent) -> list[str]:
    """Every reason the return cannot be submitted yet, in the template's order."""
    problems: list[str] = []
    for question in content.questions:
        problems.extend(question_problems(content, question))
    return problems


def question_status(content: ReturnContent, question: Question) -> str:
    """'not started', 'in progress' or 'completed', for the task list."""
    answer = content.answers.get(question.id)
    if answer is None or not (answer.rating or answer.narrative or answer.evidence_description):
        return "not started"
    return "in progress" if question_problems(content, question) else "completed"


def standard_status(content: ReturnContent, standard) -> str:
    """A standard's task status: completed when every question is, not started when none began."""
    statuses = {question_status(content, q) for q in content.questions_of(standard)}
    if statuses <= {"completed"}:
        return "completed"
    if statuses == {"not started"}:
        return "not started"
    return "in progress"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
