"""What a page showed of an answer or an action, as a short fingerprint the form carries back.

A save compares three things per question: what the page showed (the fingerprint it carried),
what the person typed, and what is saved now. Only what the person changed is written; a change
to something someone else saved since the page was opened is refused for that question alone.
A fingerprint of the values (not a counter) means a change made and undone by someone else, or
the same change made by both, is no conflict at all.
"""

import hashlib
import json
from datetime import date

from models import Action, Answer
from workflow.templates.spec import NOT_APPLICABLE

AnswerValues = tuple[str | None, str, str, str]
ActionValues = tuple[str, int | None, str]
BLANK_ANSWER: AnswerValues = (None, "", "", "")


def _text(value: str) -> str:
    """As stored: trimmed, with a browser's CRLF line ends read as LF."""
    return value.replace("\r\n", "\n").strip()


def answer_values(rating: str | None, narrative: str, evidence_description: str, not_applicable_reason: str) -> AnswerValues:
    """An answer as it would be stored: the reason for Not applicable only with that rating."""
    reason = _text(not_applicable_reason) if rating == NOT_APPLICABLE else ""
    return (rating or None, _text(narrative), _text(evidence_description), reason)


def saved_answer_values(answer: Answer | None) -> AnswerValues:
    if answer is None:
        return BLANK_ANSWER
    return answer_values(answer.rating, answer.narrative, answer.evidence_description, answer.not_applicable_reason)


def action_values(description: str, lead_user_id: int | None, target_date: date | None) -> ActionValues:
    return (_text(description), lead_user_id, target_date.isoformat() if target_date else "")


def saved_action_values(action: Action) -> ActionValues:
    return action_values(action.description, action.lead_user_id, action.target_date)


def fingerprint(values: tuple) -> str:
    """A short stable digest of the values; it only has to tell two versions apart."""
    encoded = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:20]


def answer_fingerprint(answer: Answer | None) -> str:
    return fingerprint(saved_answer_values(answer))


def action_fingerprint(action: Action) -> str:
    return fingerprint(saved_action_values(action))
