"""Reading a return's content: its template, scale, questions, answers, actions and evidence."""

from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

from sqlalchemy import Select, and_, bindparam
from sqlmodel import Session, select

from models import (
    Action,
    Agency,
    Answer,
    AuditReturn,
    Cycle,
    DeadlineExtension,
    EvidenceFile,
    Question,
    Standard,
    Template,
)
from models.action import ActionState
from models.cycle import CycleKind
from workflow.answering.ratings import weakest
from workflow.templates.spec import NOT_APPLICABLE, RatingScale


@dataclass
class ReturnContent:
    """Everything about one return that rules and pages need, read in a fixed number of queries."""

    ret: AuditReturn
    cycle: Cycle
    agency: Agency
    template: Template
    standards: list[Standard]
    questions: list[Question]
    answers: dict[int, Answer]
    actions: list[Action]
    evidence: list[EvidenceFile]
    extensions: list[DeadlineExtension] = field(default_factory=list)

    @cached_property
    def scale(self) -> RatingScale:
        return RatingScale.from_json(self.template.scale)

    def questions_of(self, standard: Standard) -> list[Question]:
        return [q for q in self.questions if q.standard_id == standard.id]

    def actions_for(self, question: Question) -> list[Action]:
        return [a for a in self.actions if a.question_id == question.id and a.status != ActionState.CANCELLED]

    def files_for(self, question: Question) -> list[EvidenceFile]:
        return [f for f in self.evidence if f.question_id == question.id]

    @property
    def deadline(self) -> date:
        """The submission deadline for this agency: the cycle's, or its latest extension."""
        return max([cycle_submission_deadline(self.cycle)] + [e.new_deadline for e in self.extensions])


def load(session: Session, ret: AuditReturn) -> ReturnContent:
    """Read a return's content; statutory-only questions are left out for non-statutory agencies."""
    cycle, agency, template = session.exec(
        select(Cycle, Agency, Template)
        .join(Template, Template.id == Cycle.template_id)
        .join(Agency, Agency.id == ret.agency_id)
        .where(Cycle.id == ret.cycle_id)
    ).one()
    # The standards with their questions in one read (a standard with none asked still comes back).
    query = (
        select(Standard, Question)
        .outerjoin(Question, and_(Question.standard_id == Standard.id, *_asked(agency)))
        .where(Standard.template_id == template.id)
        .order_by(Standard.position, Standard.id, Question.position)
    )
    standards, questions = [], []
    for standard, question in session.exec(query):
        if not standards or standards[-1] is not standard:
            standards.append(standard)
        if question is not None:
            questions.append(question)
    answers = {a.question_id: a for a in session.exec(select(Answer).where(Answer.return_id == ret.id))}
    actions = list(session.exec(select(Action).where(Action.return_id == ret.id).order_by(Action.id)))
    evidence = list(session.exec(select(EvidenceFile).where(EvidenceFile.return_id == ret.id).order_by(EvidenceFile.id)))
    extensions = list(
        session.exec(select(DeadlineExtension).where(DeadlineExtension.return_id == ret.id).order_by(DeadlineExtension.id))
    )
    return ReturnContent(ret, cycle, agency, template, standards, questions, answers, actions, evidence, extensions)


@dataclass(frozen=True)
class QuestionRow:
    """A question as a move reads it: what the rules, the frozen copy and QA's letter use."""

    id: int
    ref: str
    text: str
    standard_id: int
    position: int


@dataclass(frozen=True)
class AnswerRow:
    """An answer as a move reads it (nothing a move changes)."""

    question_id: int
    rating: str | None
    narrative: str
    evidence_description: str
    not_applicable_reason: str
    moderated_rating: str | None


def load_known(
    session: Session, ret: AuditReturn, cycle: Cycle, agency: Agency, template: Template, *, actions: bool, evidence: bool
) -> ReturnContent:
    """A return's content for a move whose one read (`lifecycle.moving`) found its cycle, agency and
    template: the asked questions with their answers in one statement, read as plain rows (a move
    changes neither), and the actions and evidence files only when that read counted some. The
    standards and extensions are not read: what a move checks, keeps and writes to people does
    not depend on them."""
    questions, answers = [], {}
    params = {"return_id": ret.id, "template_id": template.id}
    for row in session.exec(_questions_and_answers(bool(agency.statutory)), params=params):
        questions.append(QuestionRow(*row[:5]))
        if row[5] is not None:
            answers[row[5]] = AnswerRow(*row[5:])
    found_actions = (
        list(session.exec(select(Action).where(Action.return_id == ret.id).order_by(Action.id))) if actions else []
    )
    files = (
        list(session.exec(select(EvidenceFile).where(EvidenceFile.return_id == ret.id).order_by(EvidenceFile.id)))
        if evidence
        else []
    )
    return ReturnContent(ret, cycle, agency, template, [], questions, answers, found_actions, files)


@cache
def _questions_and_answers(statutory: bool) -> Select:
    """`load_known`'s read, built once (a move runs often)."""
    return (
        select(
            Question.id, Question.ref, Question.text, Question.standard_id, Question.position, Answer.question_id,
            Answer.rating, Answer.narrative, Answer.evidence_description, Answer.not_applicable_reason, Answer.moderated_rating,
        )
        .join(Standard, Standard.id == Question.standard_id)
        .outerjoin(Answer, and_(Answer.return_id == bindparam("return_id"), Answer.question_id == Question.id))
        .where(
            Standard.template_id == bindparam("template_id"),
            *([] if statutory else [Question.statutory_only == False]),  # noqa: E712 (SQL comparison)
        )
        .order_by(Standard.position, Standard.id, Question.position)
    )


def _asked(agency: Agency) -> list:
    """Statutory-only questions are left out for non-statutory agencies."""
    return [] if agency.statutory else [Question.statutory_only == False]  # noqa: E712 (SQL comparison)


def effective_deadline(session: Session, ret: AuditReturn) -> date:
    """The agency's submission deadline without reading the whole return."""
    cycle = session.get(Cycle, ret.cycle_id)
    extended = session.exec(select(DeadlineExtension.new_deadline).where(DeadlineExtension.return_id == ret.id)).all()
    return max([cycle_submission_deadline(cycle), *extended])


def cycle_submission_deadline(cycle: Cycle) -> date:
    """When a return is due before any extension. In a statement year the only returns completed
    are re-audits by peer review, chosen instead of the statement: they are due by the statement
    deadline, not by the submission deadline of the year's (unused) full audit."""
    if cycle.kind == CycleKind.STATEMENT_YEAR:
        return cycle.statement_deadline
    return cycle.submission_deadline


def standard_rating(content: ReturnContent, standard: Standard) -> str | None:
    """A standard's rating is its weakest scored element (Not applicable is left out)."""
    found = weakest(
        content.scale, (content.answers[q.id].rating for q in content.questions_of(standard) if q.id in content.answers)
    )
    return found.value if found and found.value != NOT_APPLICABLE else None


def load_cycle(session: Session, ret: AuditReturn) -> Cycle:
    return session.get(Cycle, ret.cycle_id)


def load_scale(session: Session, ret: AuditReturn) -> RatingScale:
    template = session.get(Template, load_cycle(session, ret).template_id)
    return RatingScale.from_json(template.scale)


def load_agency(session: Session, ret: AuditReturn) -> Agency:
    return session.get(Agency, ret.agency_id)
