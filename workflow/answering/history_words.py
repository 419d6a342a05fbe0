"""What a history record changed, in words for the return's history page."""

from datetime import date

from models import HistoryRecord
from workflow.clock import uk_date
from workflow.templates.spec import NOT_APPLICABLE, NOT_APPLICABLE_LABEL, RatingScale

FIELD_WORDS = {
    "rating": "rating",
    "narrative": "narrative",
    "evidence_description": "evidence",
    "not_applicable_reason": "reason it does not apply",
    "description": "what will be done",
    "lead_user_id": "lead person",
    "target_date": "target date",
}


def describe(record: HistoryRecord, scale: RatingScale) -> str:
    """One line saying what the record changed; empty when its trigger and reason say it all."""
    details = record.details or {}
    if record.trigger == "answer":
        return _answer(details, scale)
    if record.trigger == "edit" and record.subject_type == "action":
        return f"Changed {_fields(details.get('changed', []))}."
    if record.trigger == "create" and record.subject_type == "action":
        return f"Question {details.get('question', '')}: {details.get('description', '')}"
    if record.trigger == "moderate":
        return (
            f"Question {details.get('question', '')}: moderated to {_label(scale, details.get('moderated'))} "
            f"(the agency said {_label(scale, details.get('self_assessed'))})."
        )
    if record.trigger in ("upload_evidence", "provide_evidence") and details.get("file"):
        return f"File {details['file']} (SHA-256 {str(details.get('sha256', ''))[:12]}…)."
    if record.trigger == "challenge":
        where = f"Question {details['question']}: " if details.get("question") else ""
        return f"{where}{details.get('text', '')}"
    if record.trigger == "answer_challenge":
        return str(details.get("response", ""))
    if record.trigger == "extend_deadline" and details.get("to"):
        return f"Deadline moved from {_day(details.get('from'))} to {_day(details['to'])}."
    if record.trigger == "reuse_answers":
        return _reuse(details)
    if record.trigger == "submit" and details.get("copy_sha256"):
        return f"Frozen copy of the return kept (SHA-256 {details['copy_sha256'][:12]}…)."
    return ""


def _reuse(details: dict) -> str:
    questions, files = details.get("questions", []), details.get("files", 0)
    words = (f"Standards {', '.join(details.get('standards', []))}: questions {', '.join(questions) or 'none'}, "
             f"{files} evidence {'file' if files == 1 else 'files'}")
    if details.get("kept"):
        words += f"; already answered here, kept: {', '.join(details['kept'])}"
    return words + "."


def _answer(details: dict, scale: RatingScale) -> str:
    changed = details.get("changed", [])
    words = f"Question {details.get('question', '')}: changed {_fields(changed)}"
    if "rating" in changed:
        before = details.get("before", {}).get("rating")
        words += f"; rating now {_label(scale, details.get('rating'))} (was {_label(scale, before)})"
    return words + "."


def _fields(names: list[str]) -> str:
    words = [FIELD_WORDS.get(name, name.replace("_", " ")) for name in names]
    if len(words) <= 1:
        return words[0] if words else "nothing"
    return ", ".join(words[:-1]) + " and " + words[-1]


def _label(scale: RatingScale, value: str | None) -> str:
    if not value:
        return "not answered"
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_LABEL
    return scale.labels.get(value, value)


def _day(value: str | None) -> str:
    try:
        return f"{uk_date(date.fromisoformat(value or ''))}"
    except ValueError:
        return value or ""
