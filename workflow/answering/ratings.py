"""Standard ratings of every return of one or more cycles, read in a fixed number of queries.

`content.standard_rating` reads one return at a time; the Board's figures need hundreds, so this
loads whole tables for the cycles at once and applies the same rule in Python: a standard's rating
is its weakest scored element, and Not applicable is left out. What a value means (its label, its
score, which is weakest) always comes from the cycle's own rating scale.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, or_
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


def ranks(scale: RatingScale) -> dict[str, float]:
    """`rank` of every value of the scale, worked out once for a report that compares thousands."""
    return {item.value: rank(scale, item.value) for item in scale.values}


def weakest(scale: RatingScale, values: Iterable[str | None]) -> Rating | None:
    """A standard's rating from its elements' values (None: unanswered)."""
    answered = [v for v in values if v]
    scored = [v for v in answered if v != NOT_APPLICABLE]
    if scored:
        return rating(scale, min(scored, key=lambda v: rank(scale, v)))
    return rating(scale, NOT_APPLICABLE) if answered else None


def load(session: Session, cycle_ids: Collection[int], *, states: Collection[str] = RATED_STATES) -> dict[int, CycleRatings]:
    """The ratings of every return in `states` of each cycle, in a fixed number of queries.

    The database does the grouping: one row per return and standard with its weakest element (the
    scale's order written as a CASE, one query per distinct scale), not one row per answer.
    """
    cycles = session.exec(select(Cycle).where(Cycle.id.in_(cycle_ids)).order_by(Cycle.id)).all()
    template_ids = {c.template_id for c in cycles}
    templates = {t.id: t for t in session.exec(select(Template).where(Template.id.in_(template_ids)))}
    standards = session.exec(select(Standard).where(Standard.template_id.in_(template_ids)).order_by(Standard.position)).all()
    returns = session.exec(
        select(AuditReturn.id, AuditReturn.cycle_id, AuditReturn.status, Agency)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.cycle_id.in_(cycle_ids), AuditReturn.status.in_(list(states)))
        .order_by(Agency.name)
    ).all()
    scales = {template_id: RatingScale.from_json(template.scale) for template_id, template in templates.items()}
    cells: dict[int, dict[int, tuple[Rating | None, Rating | None]]] = defaultdict(dict)
    for template_id in sorted(template_ids):
        these = [c.id for c in cycles if c.template_id == template_id]
        for return_id, standard_id, cell in _weakest_by_standard(session, scales[template_id], these, states):
            cells[return_id][standard_id] = cell
    moderated_refs: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for return_id, standard_id, ref in session.exec(_moderated_refs(cycle_ids, states)):
        moderated_refs[return_id][standard_id].append(ref)

    result = {}
    for cycle in cycles:
        own = [s for s in standards if s.template_id == cycle.template_id]
        rated = [
            _return_ratings(own, return_id, agency, status, cells[return_id], moderated_refs[return_id])
            for return_id, cycle_id, status, agency in returns
            if cycle_id == cycle.id
        ]
        result[cycle.id] = CycleRatings(cycle, scales[cycle.template_id], [StandardInfo(s.number, s.title) for s in own], rated)
    return result


def asked_answers(cycle_ids: Collection[int], states: Collection[str]):
    """Answers to the questions asked of each return (as in content.load: statutory-only
    questions are not asked of other agencies), with their question and agency; the caller adds
    the columns. The figures of every scale count from this one rule."""
    return (
        select()
        .select_from(Answer)
        .join(AuditReturn, AuditReturn.id == Answer.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            AuditReturn.cycle_id.in_(cycle_ids),
            AuditReturn.status.in_(list(states)),
            or_(Agency.statutory == True, Question.statutory_only == False),  # noqa: E712
        )
    )


def _weakest_by_standard(
    session: Session, scale: RatingScale, cycle_ids: list[int], states: Collection[str]
) -> list[tuple[int, int, tuple[Rating | None, Rating | None]]]:
    """(return id, standard id, (self-assessed, moderated)) from one GROUP BY over the answers."""
    order = sorted(scale.values, key=lambda item: rank(scale, item.value))
    place = {item.value: i for i, item in enumerate(order)}
    given = func.nullif(Answer.rating, "")
    after_qa = func.coalesce(func.nullif(Answer.moderated_rating, ""), given)
    query = (
        asked_answers(cycle_ids, states)
        .add_columns(
            Answer.return_id,
            Question.standard_id,
            func.min(case(place, value=given)),
            func.count(given),
            func.min(case(place, value=after_qa)),
            func.count(after_qa),
        )
        .group_by(Answer.return_id, Question.standard_id)
    )

    # One Rating per value, shared by every cell that holds it.
    by_place = [rating(scale, item.value) for item in order]
    not_applicable = rating(scale, NOT_APPLICABLE)

    def weakest_of(least: int | None, answered: int) -> Rating | None:
        if least is not None:
            return by_place[least]
        return not_applicable if answered else None

    return [
        (return_id, standard_id, (weakest_of(least, answered), weakest_of(least_after, answered_after)))
        for return_id, standard_id, least, answered, least_after, answered_after in session.exec(query)
    ]


def _moderated_refs(cycle_ids: Collection[int], states: Collection[str]):
    """The refs of the elements QA moderated, with their return and standard, in template order."""
    return (
        asked_answers(cycle_ids, states)
        .add_columns(Answer.return_id, Question.standard_id, Question.ref)
        .where(func.coalesce(Answer.moderated_rating, "") != "")
        .order_by(Question.position)
    )


def _return_ratings(
    standards: list[Standard],
    return_id: int,
    agency: Agency,
    status: str,
    cells: dict[int, tuple[Rating | None, Rating | None]],
    moderated_refs: dict[int, list[str]],
) -> ReturnRatings:
    self_assessed, moderated, refs = {}, {}, {}
    for standard in standards:
        self_assessed[standard.number], moderated[standard.number] = cells.get(standard.id, (None, None))
        refs[standard.number] = moderated_refs.get(standard.id, [])
    return ReturnRatings(return_id, agency, status, self_assessed, moderated, refs)
