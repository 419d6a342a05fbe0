"""Reuse across cycles: when two cycles run at the same time on templates that share questions
(the same reference on the same rating scale), the agency may start one return from its latest
answers to the other, standard by standard, choosing the source and the standards itself.

The source may still be a draft or already submitted. Nothing overwrites an answer already given
in the target. Evidence files come across as the same stored bytes (by SHA-256), each remembered
as reused so the pages can say where it came from. Every reuse is a history record on the target
return. No e-mail is sent: the person reusing is the agency itself, choosing on its own draft,
and the history says who took what; its contacts hear about the return when it is submitted.
"""

from dataclasses import dataclass

from sqlalchemy import exists, func
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select

from models import Answer, AuditReturn, Cycle, EvidenceFile, ReusedAnswer, ReusedEvidence, Standard, User
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.user import Role
from workflow.access import AGENCY_ROLES, require_role, roles_of, visible_return
from workflow.answering.question_matching import (
    Match,
    Matching,
    answer_files,
    copy_files,
    fill_answer,
    has_content,
    match_questions,
    of_answers,
)
from workflow.answering.returns import EDITABLE_STATES
from workflow.clock import utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle.moves import hold_return, move_return, note_on_return

ALREADY_ANSWERED = "Already answered in this return: your answer stays."


@dataclass(frozen=True)
class SourceChoice:
    """One of the agency's returns to another open cycle that answers could come from."""

    return_id: int
    cycle_name: str
    state: str  # "Submitted", "In progress", ... (a draft's answers may still change)


@dataclass(frozen=True)
class QuestionLine:
    ref: str
    text: str
    reusable: bool
    reason: str  # why not, when it is not
    files: int


@dataclass(frozen=True)
class StandardOffer:
    standard_id: int
    number: str
    title: str
    lines: list[QuestionLine]

    @property
    def reusable(self) -> int:
        return sum(line.reusable for line in self.lines)

    @property
    def files(self) -> int:
        return sum(line.files for line in self.lines if line.reusable)


@dataclass(frozen=True)
class ReuseOffer:
    """What the agency could reuse from the source, question by question, or why it may not."""

    target_id: int
    source_id: int
    source_cycle_name: str
    source_state: str
    source_submitted: bool
    standards: list[StandardOffer]
    refusals: list[str]

    @property
    def available(self) -> bool:
        return not self.refusals


def sources(session: Session, actor: User, target_id: int) -> list[SourceChoice]:
    """The agency's other returns, in cycles open now, that have at least one answer."""
    rows = session.exec(_other_returns(_agency_return(session, actor, target_id))).all()
    return [SourceChoice(i, name, ReturnState(status).title) for i, name, status in rows]


def standing(session: Session, actor: User, ret: AuditReturn) -> str:
    """One sentence for the return's page when the agency could reuse answers into it; "" when
    not (or for someone who cannot act on it). One query."""
    if ret.status not in EDITABLE_STATES or ret.agency_id != actor.agency_id:
        return ""
    if session.exec(_other_returns(ret).limit(1)).first() is None:
        return ""
    return "Your agency is answering another cycle running now: you can reuse its answers here."


def _other_returns(target: AuditReturn) -> Select:
    """The agency's other returns with at least one answer, in cycles open now, newest first."""
    answered = exists().where(Answer.return_id == AuditReturn.id)
    return (
        select(AuditReturn.id, Cycle.name, AuditReturn.status)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            AuditReturn.agency_id == target.agency_id,
            AuditReturn.id != target.id,
            Cycle.status == CycleState.OPEN,
            AuditReturn.status != ReturnState.WITHDRAWN,
            answered,
        )
        .order_by(Cycle.opens_on.desc(), AuditReturn.id)
    )


def _agency_return(session: Session, actor: User, target_id: int) -> AuditReturn:
    """The target, for one of its agency's users only (reuse is the agency's own choice). The role
    is asked first of partnership staff, so those of any partnership are refused in words rather than
    told the return is missing; another agency's people are told it is missing."""
    if not roles_of(session, actor) & AGENCY_ROLES:
        require_role(session, actor, {Role.AGENCY_USER}, "reuse your agency's answers")
    target = visible_return(session, actor, target_id)
    require_role(session, actor, {Role.AGENCY_USER}, "reuse your agency's answers", agency_id=target.agency_id)
    return target


def offer(session: Session, actor: User, target_id: int, source_id: int) -> ReuseOffer:
    """What may be reused from the source into the target, per standard and question, with every
    reason it may not. Another agency's return is refused without showing what it holds."""
    return _assess(session, actor, target_id, source_id)[0]


def _assess(session: Session, actor: User, target_id: int, source_id: int) -> tuple[ReuseOffer, Matching, set[int]]:
    """The offer, with the matching it was made from and the questions the target has answered."""
    target = _agency_return(session, actor, target_id)
    source = session.get(AuditReturn, source_id)
    if source is None:
        raise NotFound("There is no such return.")
    if source.agency_id != target.agency_id:
        refused = "The return to reuse from belongs to another agency: only your agency's own answers can be reused."
        return ReuseOffer(target.id, source.id, "", "", False, [], [refused]), Matching(False, [], []), set()
    cycles = {c.id: c for c in session.exec(select(Cycle).where(Cycle.id.in_([target.cycle_id, source.cycle_id])))}
    target_cycle, source_cycle = cycles[target.cycle_id], cycles[source.cycle_id]
    reasons = _refusals(target, source, target_cycle, source_cycle)
    matching = match_questions(session, target, source) if source.id != target.id else Matching(True, [], [])
    if not matching.same_scale:
        reasons.append(f"{source_cycle.name} uses a different rating scale from {target_cycle.name}: no answer can be reused.")
    answered_here = _answered_questions(session, target)
    standards = _standards(session, matching, answered_here)
    if matching.same_scale and source.id != target.id and not any(s.reusable for s in standards):
        reasons.append(
            f"No unanswered question of this return matches an answered question of {source_cycle.name} "
            "(same reference and rating scale): there is nothing to reuse."
        )
    state = ReturnState(source.status)
    offered = ReuseOffer(target.id, source.id, source_cycle.name, state.title, state not in EDITABLE_STATES, standards, reasons)
    return offered, matching, answered_here


def _refusals(target: AuditReturn, source: AuditReturn, target_cycle: Cycle, source_cycle: Cycle) -> list[str]:
    reasons = []
    if source.id == target.id:
        reasons.append("Choose a return to another cycle: a return cannot reuse its own answers.")
    if target.status not in EDITABLE_STATES:
        reasons.append(f"The return is {ReturnState(target.status).title.lower()}: nothing can be reused into it now.")
    if target_cycle.status != CycleState.OPEN:
        reasons.append(f"{target_cycle.name} is {target_cycle.status}: nothing can be reused into its return now.")
    if source.id != target.id and source_cycle.status != CycleState.OPEN:
        reasons.append(
            f"{source_cycle.name} is {source_cycle.status}: answers are reused only between cycles running at the same "
            "time (a closed cycle's return is carried forward into a new full audit instead)."
        )
    if source.status == ReturnState.WITHDRAWN:
        reasons.append("The return to reuse from was withdrawn: its answers cannot be reused.")
    return reasons


def _answered_questions(session: Session, target: AuditReturn) -> set[int]:
    return {a.question_id for a in session.exec(select(Answer).where(Answer.return_id == target.id)) if has_content(a)}


def _file_counts(session: Session, source_id: int, question_ids: list[int]) -> dict[int, int]:
    counts = select(EvidenceFile.question_id, func.count()).where(*of_answers(source_id, question_ids))
    return dict(session.exec(counts.group_by(EvidenceFile.question_id)).all())


def _standards(session: Session, matching: Matching, answered_here: set[int]) -> list[StandardOffer]:
    """Every standard of the target with each question: reusable, or the reason it is not."""
    source_ids = [m.answer.question_id for m in matching.matches]
    files = _file_counts(session, matching.matches[0].answer.return_id, source_ids) if matching.matches else {}
    lines: dict[int, list[tuple[int, QuestionLine]]] = {}
    for m in matching.matches:
        kept = m.question.id in answered_here
        line = QuestionLine(m.question.ref, m.question.text, not kept, ALREADY_ANSWERED if kept else "",
                            files.get(m.answer.question_id, 0))
        lines.setdefault(m.question.standard_id, []).append((m.question.position, line))
    for u in matching.unmatched:
        line = QuestionLine(u.question.ref, u.question.text, False, u.reason, 0)
        lines.setdefault(u.question.standard_id, []).append((u.question.position, line))
    standards = sorted(session.exec(select(Standard).where(Standard.id.in_(list(lines)))), key=lambda s: s.position)
    return [
        StandardOffer(s.id, s.number, s.title, [line for _, line in sorted(lines[s.id], key=lambda pair: pair[0])])
        for s in standards
    ]


def reuse(session: Session, actor: User, target_id: int, source_id: int, standard_ids: list[int]) -> dict:
    """The agency takes the answers of the standards it chose from its return to another open
    cycle: each unanswered matching question gets the source's latest answer and its evidence
    files (the same stored bytes), marked as reused. One history record on the target."""
    hold_return(session, _agency_return(session, actor, target_id).id)
    offered, matching, answered_here = _assess(session, actor, target_id, source_id)
    reasons = list(offered.refusals)
    chosen = [s for s in offered.standards if s.standard_id in set(standard_ids)]
    if offered.available and not standard_ids:
        reasons.append("Choose at least one standard to reuse.")
    for s in chosen:
        if offered.available and not s.reusable:
            reasons.append(f"Standard {s.number} has nothing left to reuse: each of its questions is answered here or "
                           "does not match.")
    if offered.available and len(chosen) != len(set(standard_ids)):
        reasons.append("Choose standards of this return's template.")
    if reasons:
        raise DomainError(reasons)
    target, source = session.get(AuditReturn, target_id), session.get(AuditReturn, source_id)
    wanted = {s.standard_id for s in chosen}
    matches = [m for m in matching.matches if m.question.standard_id in wanted and m.question.id not in answered_here]
    _copy_answers(session, actor, target, source, matches)
    files = _copy_files(session, target, source, matches)
    if target.status == ReturnState.INVITED:
        move_return(session, actor, target, "start")
    details = {
        "from_return": source.id,
        "from_cycle": offered.source_cycle_name,
        "source_state": offered.source_state,
        "standards": [s.number for s in chosen],
        "questions": [m.question.ref for m in matches],
        "files": files,
        "kept": [line.ref for s in chosen for line in s.lines if line.reason == ALREADY_ANSWERED],
    }
    note_on_return(session, actor, target, "reuse_answers", reason=f"Reused from {offered.source_cycle_name}",
                   details=details)
    session.flush()
    return details


def _copy_answers(session: Session, actor: User, target: AuditReturn, source: AuditReturn, matches: list[Match]) -> None:
    current = {a.question_id: a for a in session.exec(select(Answer).where(Answer.return_id == target.id))}
    marked = {r.question_id: r for r in session.exec(select(ReusedAnswer).where(ReusedAnswer.return_id == target.id))}
    for m in matches:
        answer = current.get(m.question.id) or Answer(return_id=target.id, question_id=m.question.id)
        session.add(fill_answer(answer, m.answer, actor.id))
        # An answer emptied since an earlier reuse may be reused again: its mark follows.
        mark = marked.get(m.question.id) or ReusedAnswer(return_id=target.id, question_id=m.question.id,
                                                         from_return_id=source.id, reused_by_id=actor.id)
        mark.from_return_id, mark.reused_by_id, mark.reused_at = source.id, actor.id, utcnow()
        session.add(mark)


def _copy_files(session: Session, target: AuditReturn, source: AuditReturn, matches: list[Match]) -> int:
    new_question = {m.answer.question_id: m.question.id for m in matches}
    files = answer_files(session, source.id, list(new_question))
    copies = copy_files(session, target.id, files, new_question)
    session.flush()
    session.add_all(ReusedEvidence(evidence_file_id=c.id, from_file_id=f.id, from_return_id=source.id)
                    for c, f in zip(copies, files, strict=True))
    return len(files)


@dataclass(frozen=True)
class ReusedFrom:
    """The cycle each reused answer and evidence file of a return came from, by name."""

    questions: dict[int, str]  # question id: the source return's cycle name
    files: dict[int, str]  # evidence file id: the source return's cycle name


def reused_cycles(session: Session, return_id: int) -> ReusedFrom:
    """Where the return's reused answers and files came from (two queries), for pages and paper to
    put in their own words."""
    answers = session.exec(
        select(ReusedAnswer.question_id, Cycle.name)
        .join(AuditReturn, AuditReturn.id == ReusedAnswer.from_return_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(ReusedAnswer.return_id == return_id)
    ).all()
    files = session.exec(
        select(ReusedEvidence.evidence_file_id, Cycle.name)
        .join(EvidenceFile, EvidenceFile.id == ReusedEvidence.evidence_file_id)
        .join(AuditReturn, AuditReturn.id == ReusedEvidence.from_return_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(EvidenceFile.return_id == return_id)
    ).all()
    return ReusedFrom(dict(answers), dict(files))


def reused_from(session: Session, return_id: int) -> dict[str, dict[int, str]]:
    """Where the return's reused answers and files came from, in words for the agency's and QA's
    pages: {"questions": {question id: words}, "files": {evidence file id: words}}."""
    cycles = reused_cycles(session, return_id)
    return {
        "questions": {q: f"Reused from your return for {name}" for q, name in cycles.questions.items()},
        "files": {f: f"reused from your return for {name}" for f, name in cycles.files.items()},
    }
