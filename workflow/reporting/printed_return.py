"""What the printable return says the agency gave, in one plain shape from either source.

Once a return is submitted its printable copy comes from the latest frozen submission copy
(`answering.submission_copies`), so the paper says exactly what was submitted, whatever changed
in the rows afterwards; a return still with the agency prints from its rows, marked as a draft.
QA's findings (moderation, challenges, requests, statements) are QA's, not the agency's, so
`pdfs` reads those from the rows either way. Which answers and files the agency reused from its
return to another cycle is read from the rows too (the frozen copy does not hold it): a frozen
file is matched to its reused row by question and SHA-256.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from models import SubmissionCopy, User
from models.audit_return import AWAITING_SUBMISSION
from workflow.answering import actions as action_rules
from workflow.answering import reuse, submission_copies
from workflow.answering.content import ReturnContent
from workflow.reporting import reports


@dataclass(frozen=True)
class PrintedFile:
    """An evidence file by name and hash, so a reader can match it to the file kept; `reused_from`
    names the cycle whose return it was reused from ("" when the agency uploaded it here)."""

    filename: str
    sha256: str
    reused_from: str = ""


@dataclass(frozen=True)
class PrintedAnswer:
    """The agency's answer to one question; `reused_from` names the cycle whose return it was
    reused from ("" when answered here)."""

    rating: str | None
    narrative: str
    evidence_description: str
    not_applicable_reason: str
    files: tuple[PrintedFile, ...]
    reused_from: str = ""


@dataclass(frozen=True)
class PrintedAction:
    """One action of the plan; `status` is how it stands now (the plan is worked after submission)."""

    question_id: int | None
    description: str
    lead_name: str
    target_date: date | None
    status: str


@dataclass(frozen=True)
class PrintedReturn:
    """The agency's part of the printable return; `sha256` is the frozen copy's, None for a draft."""

    draft: bool
    submission: int | None
    sha256: str | None
    submitted_at: datetime | None
    submitted_by: str
    declaration: str
    answers: dict[int, PrintedAnswer]
    actions: list[PrintedAction]


def printed_return(session: Session, content: ReturnContent) -> PrintedReturn:
    """The frozen copy of the latest submission once submitted; the live rows while a draft."""
    draft = content.ret.status in AWAITING_SUBMISSION or content.ret.submitted_at is None  # e.g. withdrawn unsubmitted
    copy = None if draft else submission_copies.latest(session, content.ret.id)
    return from_copy(session, content, copy) if copy else from_rows(session, content, draft=draft)


def from_rows(session: Session, content: ReturnContent, *, draft: bool) -> PrintedReturn:
    """The return as its rows stand now (a draft, or a submission made before copies were kept)."""
    ret = content.ret
    plan = [a for a in content.actions if not reports.removed_from_draft(a, ret)]
    names = _names(session, {a.lead_user_id for a in plan} | {ret.submitted_by_id})
    reused = reuse.reused_cycles(session, ret.id)
    answers = {
        question.id: PrintedAnswer(
            answer.rating,
            answer.narrative,
            answer.evidence_description,
            answer.not_applicable_reason,
            tuple(PrintedFile(f.filename, f.sha256, reused.files.get(f.id, "")) for f in content.files_for(question)),
            reused.questions.get(question.id, ""),
        )
        for question in content.questions
        if (answer := content.answers.get(question.id))
    }
    actions = [
        PrintedAction(a.question_id, a.description, names.get(a.lead_user_id, ""), a.target_date, status_of(a)) for a in plan
    ]
    submitted_by = names.get(ret.submitted_by_id, "") if ret.submitted_at else ""
    return PrintedReturn(draft, None, None, ret.submitted_at, submitted_by, ret.declaration, answers, actions)


def from_copy(session: Session, content: ReturnContent, copy: SubmissionCopy) -> PrintedReturn:
    """The return exactly as the frozen copy holds it; only each action's progress is read live."""
    frozen = json.loads(copy.canonical_json)
    questions = frozen["questions"]
    listed = [(q["question_id"], a) for q in questions for a in q["actions"]]
    names = _names(session, {a["lead_user_id"] for _, a in listed})
    live = {a.id: a for a in content.actions}
    reused = reuse.reused_cycles(session, content.ret.id)
    reused_files = {(f.question_id, f.sha256): reused.files[f.id] for f in content.evidence if f.id in reused.files}
    answers = {q["question_id"]: _frozen_answer(q, reused.questions, reused_files) for q in questions}
    actions = [
        PrintedAction(
            question_id,
            a["description"],
            names.get(a["lead_user_id"], ""),
            date.fromisoformat(a["target_date"]) if a["target_date"] else None,
            status_of(live[a["action_id"]]) if a["action_id"] in live else "",
        )
        for question_id, a in listed
    ]
    return PrintedReturn(
        draft=False,
        submission=copy.number,
        sha256=copy.sha256,
        submitted_at=datetime.fromisoformat(frozen["submitted_at"]),
        submitted_by=frozen["submitted_by"]["name"],
        declaration=frozen["declaration"],
        answers=answers,
        actions=actions,
    )


def _frozen_answer(
    question: dict, reused_answers: dict[int, str], reused_files: dict[tuple[int, str], str]
) -> PrintedAnswer:
    qid = question["question_id"]
    return PrintedAnswer(
        question["rating"],
        question["narrative"],
        question["evidence_description"],
        question["not_applicable_reason"],
        tuple(
            PrintedFile(f["filename"], f["sha256"], reused_files.get((qid, f["sha256"]), ""))
            for f in question["evidence_files"]
        ),
        reused_answers.get(qid, ""),
    )


def status_of(action) -> str:
    """An action's status in words, with overdue said outright."""
    status = action.status.replace("_", " ").capitalize()
    return f"{status} (overdue)" if action_rules.is_overdue(action) else status


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = ids - {None}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(wanted))).all()) if wanted else {}
