"""Standard ratings of every return of one or more cycles, read in a fixed number of queries.

`content.standard_rating` reads one return at a time; the Board's figures need hundreds, so this
loads whole tables for the cycles at once and applies the same rule in Python: a standard's rating
is its weakest scored element, and Not applicable is left out. What a value means (its label, its
score, which is weakest) always comes from the cycle's own rating scale.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from models import Agency, Answer, AuditReturn, Cycle, Question, Standard, Template
from models.audit_return import ReturnState
from workflow.templates.spec import NOT_APPLICABLE, NOT_APPLICABLE_LABEL, RatingScale

# Only a submitted return is the agency's account of itself; a draft's ratings may still change.
RATED_STATES = frozenset(
    {
        ReturnState.SUBMITTED,
        ReturnState.UNDER_QA_CHALLENGE,
        ReturnState.EVIDENCE_REQUESTED,
        ReturnState.ACTION_PLAN_OPEN,
        ReturnState.COMPLIANCE_STATEMENT_SIGNED,
    }
)


@dataclass(frozen=True)
class Rating:
    """One rating in the template's own words; `score` is None for Not applicable or an unscored scale."""

    value: str
    label: str
    score: float | None


@dataclass(frozen=True)
class StandardInfo:
    number: str
    title: str


@dataclass(frozen=True)
class ReturnRatings:
    """One agency's ratings of each standard (by number), as it rated them and after QA moderation."""

    return_id: int
    agency: Agency
    status: str
    self_assessed: dict[str, Rating | None]
    moderated: dict[str, Rating | None]
    # Refs of the elements QA moderated, by standard number: the standards QA actually looked at.
    moderated_refs: dict[str, list[str]]


@dataclass(frozen=True)
class CycleRatings:
    cycle: Cycle
    scale: RatingScale
    standards: list[StandardInfo]
    returns: list[ReturnRatings]


def rating(scale: RatingScale, value: str) -> Rating:
    if value == NOT_APPLICABLE:
        return Rating(NOT_APPLICABLE, NOT_APPLICABLE_LABEL, None)
    return Rating(value, scale.label_for(value), scale.get(value).score)


def legend(scale: RatingScale) -> list[Rating]:
    """Every rating the scale allows, weakest first, Not applicable last when allowed."""
    values = sorted((item.value for item in scale.values), key=lambda v: rank(scale, v))
    if scale.not_applicable:
        values.append(NOT_APPLICABLE)
    return [rating(scale, value) for value in values]


def rank(scale: RatingScale, value: str) -> float:
    """Higher is better: the score, or the place in the list on an unscored scale (best last)."""
    item = scale.get(value)
    if scale.top_value.score is None:
        return float(scale.values.index(item))
    return item.score


def weakest(scale: RatingScale, values: Iterable[str | None]) -> Rating | None:
    """A standard's rating from its elements' values (None: unanswered)."""
    answered = [v for v in values if v]
    scored = [v for v in answered if v != NOT_APPLICABLE]
    if scored:
        return rating(scale, min(scored, key=lambda v: rank(scale, v)))
    return rating(scale, NOT_APPLICABLE) if answered else None


def load(session: Session, cycle_ids: Collection[int], *, states: Collection[str] = RATED_STATES) -> dict[int, CycleRatings]:
    """The ratings of every return in `states` of each cycle; six queries whatever the size."""
    cycles = session.exec(select(Cycle).where(Cycle.id.in_(cycle_ids))).all()
    template_ids = {c.template_id for c in cycles}
    templates = {t.id: t for t in session.exec(select(Template).where(Template.id.in_(template_ids)))}
    standards = session.exec(select(Standard).where(Standard.template_id.in_(template_ids)).order_by(Standard.position)).all()
    questions = session.exec(select(Question).where(Question.template_id.in_(template_ids)).order_by(Question.position)).all()
    returns = session.exec(
        select(AuditReturn, Agency)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.cycle_id.in_(cycle_ids), AuditReturn.status.in_(list(states)))
        .order_by(Agency.name)
    ).all()
    answers = session.exec(
        select(Answer.return_id, Answer.question_id, Answer.rating, Answer.moderated_rating)
        .join(AuditReturn, AuditReturn.id == Answer.return_id)
        .where(AuditReturn.cycle_id.in_(cycle_ids), AuditReturn.status.in_(list(states)))
    ).all()

    by_return: dict[int, dict[int, tuple[str | None, str | None]]] = defaultdict(dict)
    for return_id, question_id, value, moderated in answers:
        by_return[return_id][question_id] = (value, moderated)
    questions_of: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        questions_of[question.standard_id].append(question)

    result = {}
    for cycle in cycles:
        scale = RatingScale.from_json(templates[cycle.template_id].scale)
        own = [s for s in standards if s.template_id == cycle.template_id]
        rated = [
            _return_ratings(scale, own, questions_of, ret, agency, by_return[ret.id])
            for ret, agency in returns
            if ret.cycle_id == cycle.id
        ]
        result[cycle.id] = CycleRatings(cycle, scale, [StandardInfo(s.number, s.title) for s in own], rated)
    return result


def _return_ratings(
    scale: RatingScale,
    standards: list[Standard],
    questions_of: dict[int, list[Question]],
    ret: AuditReturn,
    agency: Agency,
    answers: dict[int, tuple[str | None, str | None]],
) -> ReturnRatings:
    self_assessed, moderated, moderated_refs = {}, {}, {}
    for standard in standards:
        # As in content.load: statutory-only questions are not asked of other agencies.
        asked = [q for q in questions_of[standard.id] if agency.statutory or not q.statutory_only]
        pairs = [(q.ref, *answers.get(q.id, (None, None))) for q in asked]
        self_assessed[standard.number] = weakest(scale, (value for _, value, _ in pairs))
        moderated[standard.number] = weakest(scale, (mod or value for _, value, mod in pairs))
        moderated_refs[standard.number] = [ref for ref, _, mod in pairs if mod]
    return ReturnRatings(ret.id, agency, ret.status, self_assessed, moderated, moderated_refs)
