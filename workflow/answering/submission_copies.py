"""The frozen copy of each submission, and what changed between one submission and the next.

On submit the whole return (answers, evidence files by hash, actions, declaration, who and when)
is written once as canonical JSON; its SHA-256 goes into the submit record's sealed details, so
the copy cannot be changed or swapped unseen (`history.verify` checks both). When a return comes
back after amendment, QA reads what changed since the last submission, question by question.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models import SubmissionCopy, User
from models.action import ActionState
from workflow.answering.content import ReturnContent


def canonical_json(content: ReturnContent, actor: User, at: datetime, number: int, declaration: str) -> str:
    """The return as submitted, in one stable form: sorted keys, no spaces, questions in order."""
    files_of: dict[int | None, list[dict]] = {}
    for file in content.evidence:
        files_of.setdefault(file.question_id, []).append({"filename": file.filename, "sha256": file.sha256, "size": file.size})
    questions = []
    for question in content.questions:
        answer = content.answers.get(question.id)
        questions.append(
            {
                "question_id": question.id,
                "ref": question.ref,
                "rating": answer.rating if answer else None,
                "narrative": answer.narrative if answer else "",
                "evidence_description": answer.evidence_description if answer else "",
                "not_applicable_reason": answer.not_applicable_reason if answer else "",
                "evidence_files": files_of.get(question.id, []),
                "actions": [
                    {
                        "action_id": action.id,
                        "description": action.description,
                        "lead_user_id": action.lead_user_id,
                        "target_date": action.target_date.isoformat() if action.target_date else None,
                    }
                    for action in content.actions
                    if action.question_id == question.id and action.status != ActionState.CANCELLED
                ],
            }
        )
    document = {
        "return_id": content.ret.id,
        "cycle_id": content.cycle.id,
        "agency": {"id": content.agency.id, "name": content.agency.name},
        "template": {"id": content.template.id, "name": content.template.name},
        "submission": number,
        "submitted_at": at.isoformat(timespec="microseconds"),
        "submitted_by": {"id": actor.id, "name": actor.name},
        "declaration": declaration,
        "questions": questions,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def next_number(session: Session, return_id: int) -> int:
    last = latest(session, return_id)
    return last.number + 1 if last else 1


def latest(session: Session, return_id: int) -> SubmissionCopy | None:
    return session.exec(
        select(SubmissionCopy).where(SubmissionCopy.return_id == return_id).order_by(SubmissionCopy.number.desc()).limit(1)
    ).first()


@dataclass(frozen=True)
class QuestionChange:
    """One question that differs between two submissions, in words."""

    question_id: int
    ref: str
    changes: list[str]


def changes_since_last_submission(
    session: Session, return_id: int, labels: dict[str, str] | None = None
) -> list[QuestionChange] | None:
    """What the latest submission changed against the one before it; None for a first submission."""
    copies = list(
        session.exec(
            select(SubmissionCopy).where(SubmissionCopy.return_id == return_id).order_by(SubmissionCopy.number.desc()).limit(2)
        )
    )
    if len(copies) < 2:
        return None
    labels = labels or {}
    now, before = (json.loads(c.canonical_json) for c in copies)
    earlier = {q["question_id"]: q for q in before["questions"]}
    result = []
    for question in now["questions"]:
        old = earlier.get(question["question_id"], {})
        changes = [
            f"{words} changed"
            + (f": {_label(labels, old.get(key))} → {_label(labels, question[key])}" if key == "rating" else "")
            for key, words in (
                ("rating", "Rating"),
                ("narrative", "Narrative"),
                ("evidence_description", "Evidence description"),
                ("not_applicable_reason", "Reason it does not apply"),
            )
            if (old.get(key) or None) != (question[key] or None)
        ]
        if _hashes(old.get("evidence_files", [])) != _hashes(question["evidence_files"]):
            changes.append("Evidence files changed")
        if old.get("actions", []) != question["actions"]:
            changes.append("Actions changed")
        if changes:
            result.append(QuestionChange(question["question_id"], question["ref"], changes))
    return result


def _hashes(files: list[dict]) -> list[str]:
    return sorted(f["sha256"] for f in files)


def _label(labels: dict[str, str], value: str | None) -> str:
    return labels.get(value, value) if value else "not answered"
