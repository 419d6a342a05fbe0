"""Which of one return's answers fit another return's questions, and taking them across: what
carry-forward (last year's return) and reuse (another cycle's return) share. A question matches
when the other template asks a question with the same reference, on the same rating scale, and
the other return answered it; anything else is named with the reason it does not match."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Answer, AuditReturn, Cycle, EvidenceFile, Question, Template
from workflow.answering import content as return_content
from workflow.clock import utcnow


@dataclass(frozen=True)
class Match:
    """The target's question and the source's answer to the question with the same reference."""

    question: Question
    answer: Answer


@dataclass(frozen=True)
class Unmatched:
    """A question of the target that the source cannot answer, and why."""

    question: Question
    reason: str


@dataclass(frozen=True)
class Matching:
    same_scale: bool
    matches: list[Match]
    unmatched: list[Unmatched]


def has_content(answer: Answer | None) -> bool:
    """Whether an answer says anything (a rating, a narrative or an evidence description)."""
    return bool(answer and (answer.rating or answer.narrative.strip() or answer.evidence_description.strip()))


def match_questions(session: Session, target: AuditReturn, source: AuditReturn) -> Matching:
    """The source's answers to the target's questions (same ref, same scale); none if the scales differ."""
    scales = dict(
        session.exec(
            select(Cycle.id, Template.scale)
            .join(Template, Template.id == Cycle.template_id)
            .where(Cycle.id.in_([target.cycle_id, source.cycle_id]))
        ).all()
    )
    asked = return_content.load(session, target).questions
    if scales.get(target.cycle_id) != scales.get(source.cycle_id):
        return Matching(False, [], [Unmatched(q, "The two templates use different rating scales.") for q in asked])
    source_template = select(Cycle.template_id).where(Cycle.id == source.cycle_id).scalar_subquery()
    refs = set(session.exec(select(Question.ref).where(Question.template_id == source_template)))
    answered = {
        ref: answer
        for answer, ref in session.exec(
            select(Answer, Question.ref).join(Question, Question.id == Answer.question_id).where(Answer.return_id == source.id)
        ).all()
        if has_content(answer)
    }
    matches, unmatched = [], []
    for question in asked:
        if question.ref in answered:
            matches.append(Match(question, answered[question.ref]))
        elif question.ref in refs:
            unmatched.append(Unmatched(question, "Not answered in the other return."))
        else:
            unmatched.append(Unmatched(question, "The other template has no question with this reference."))
    return Matching(True, matches, unmatched)


def fill_answer(answer: Answer, source: Answer, actor_id: int) -> Answer:
    """The answer takes the source's rating, narrative, evidence description and reason for N/A."""
    answer.rating = source.rating
    answer.narrative = source.narrative
    answer.evidence_description = source.evidence_description
    answer.not_applicable_reason = source.not_applicable_reason
    answer.updated_by_id, answer.updated_at = actor_id, utcnow()
    return answer


def of_answers(return_id: int, question_ids: list[int]) -> tuple:
    """Where an evidence file was given with an answer (not for an action or a QA request)."""
    return (
        EvidenceFile.return_id == return_id,
        EvidenceFile.question_id.in_(question_ids),
        EvidenceFile.action_id.is_(None),
        EvidenceFile.evidence_request_id.is_(None),
    )


def answer_files(session: Session, return_id: int, question_ids: list[int]) -> list[EvidenceFile]:
    """The evidence files given with the answers to these questions, in upload order."""
    return list(session.exec(select(EvidenceFile).where(*of_answers(return_id, question_ids)).order_by(EvidenceFile.id)))


def copy_files(session: Session, return_id: int, files: list[EvidenceFile], new_question: dict[int, int]) -> list[EvidenceFile]:
    """Records of the same stored files (by hash) on the target's matching questions, in the
    files' order; the upload's person and time stay the file's (its age is checked by them)."""
    copies = [
        EvidenceFile(
            return_id=return_id,
            question_id=new_question[f.question_id],
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,  # the bytes are stored once, by their hash
            uploaded_by_id=f.uploaded_by_id,
            uploaded_at=f.uploaded_at,
        )
        for f in files
    ]
    session.add_all(copies)
    return copies
