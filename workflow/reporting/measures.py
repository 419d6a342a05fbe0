"""The numbers behind the Board's figures on a numeric scale (a 0-3 score, a percentage): mean,
median, the share of elements at or above "met", and the distribution in bands, self-assessed
beside moderated, for each cell (agency and standard), each agency, and each group of agencies.

The database does the grouping, in one GROUP BY query per template whatever the number of
agencies: how many elements had each (self-assessed, moderated) pair of values, per agency and
standard. Groups of agencies, means, medians and bands are worked out here from those counts (a
handful of rows per agency and standard, not one per answer). Not applicable counts in no figure.
Every scale also gets the count of elements QA moderated below the agency's own rating, which is
what the over-rating list shows.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session

from models import Answer, AuditReturn, Question, Standard
from workflow.answering.ratings import RATED_STATES, CycleRatings, asked_answers, ranks
from workflow.partnerships import agency_ids_in_scope
from workflow.templates.spec import RatingScale


@dataclass(frozen=True)
class Measure:
    """Elements' scores summed up: how many were scored, their mean and median, how many were met
    (`share_met` as a percentage), and how many fell in each of the scale's bands."""

    scored: int
    mean: float | None
    median: float | None
    met: int
    bands: tuple[int, ...] = ()
    total: float = 0.0  # the scores added up, so a gap is worked out before rounding
    share_met: float | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "share_met", round(100 * self.met / self.scored, 1) if self.scored else None)

    @classmethod
    def of_counts(cls, scale: RatingScale, counts: Mapping[str, int]) -> "Measure":
        """From how many elements had each value (values off the scale, such as Not applicable, left out)."""
        given = [item for item in scale.values if counts.get(item.value)]
        scored = sum(counts[item.value] for item in given)
        met = sum(counts[item.value] for item in given if scale.meets(item))
        if any(item.score is None for item in scale.values):
            return cls(scored, None, None, met)
        scores = sorted((item.score, counts[item.value]) for item in given)
        starts = scale.band_starts() if scale.numeric else []
        bands = [0] * len(starts)
        for score, n in scores if scale.numeric else ():
            bands[scale.band_of(score, starts)] += n
        if not scored:
            return cls(0, None, None, 0, tuple(bands))
        total = sum(s * n for s, n in scores)
        return cls(scored, round(total / scored, 2), _median(scores, scored), met, tuple(bands), total)


def _median(scores: list[tuple[float, int]], total: int) -> float:
    """The median of a sorted (score, count) list: the middle value, or the mean of the two middle ones."""

    def at(position: int) -> float:
        seen = 0
        for score, n in scores:
            seen += n
            if position < seen:
                return score
        return scores[-1][0]

    return round((at((total - 1) // 2) + at(total // 2)) / 2, 2)


@dataclass(frozen=True)
class Pair:
    """Self-assessed beside moderated; `gap` is how far the agency's mean is above QA's."""

    self_assessed: Measure
    moderated: Measure
    gap: float | None = field(init=False)

    def __post_init__(self) -> None:
        own, after = self.self_assessed, self.moderated
        gap = None if own.mean is None or after.mean is None else round(own.total / own.scored - after.total / after.scored, 2)
        object.__setattr__(self, "gap", gap)


# (self-assessed value, moderated value) -> how many elements
Joint = Counter


@dataclass(frozen=True)
class CycleMeasures:
    scale: RatingScale
    cells: dict[tuple[int, str], Joint]  # (return id, standard number)
    by_group: dict[tuple[str, bool, str], Joint]  # (sector, statutory, standard number)
    by_return: dict[int, Joint] = field(default_factory=dict)  # every element of the return
    order: dict[str, float] = field(default_factory=dict)  # the scale's ranks, best highest

    def pair_of(self, joint: Joint) -> Pair:
        return pair_of(self.scale, joint)

    def cell(self, return_id: int, number: str) -> Pair:
        return self.pair_of(self.cells.get((return_id, number), Counter()))

    def of_return(self, return_id: int) -> Pair:
        """Every element the agency rated, over all standards."""
        return self.pair_of(self.by_return.get(return_id, Counter()))

    def moderated_down(self, return_id: int, number: str) -> int:
        """How many of the standard's elements QA moderated below the agency's own rating."""
        order = self.order
        joint = self.cells.get((return_id, number), Counter())
        return sum(n for (given, after), n in joint.items() if given in order and after in order and order[after] < order[given])

    def group_pair(self, number: str | None, keep=lambda sector, statutory: True) -> Pair:
        """The pair for one standard (None: every standard) over the groups `keep` picks."""
        joint: Joint = Counter()
        for (sector, statutory, n), counts in self.by_group.items():
            if (number is None or n == number) and keep(sector, statutory):
                joint.update(counts)
        return self.pair_of(joint)


def pair_of(scale: RatingScale, joint: Joint) -> Pair:
    own: Counter = Counter()
    after: Counter = Counter()
    for (given, moderated), n in joint.items():
        own[given] += n
        after[moderated] += n
    return Pair(Measure.of_counts(scale, own), Measure.of_counts(scale, after))


def load(
    session: Session,
    scales: Mapping[int, tuple[int, RatingScale]],
    who: Mapping[int, tuple[str, bool]],
    *,
    states: Collection[str] = RATED_STATES,
) -> dict[int, CycleMeasures]:
    """The measures of every return in `states` of each cycle (cycle id -> (template id, scale), as
    `ratings.load` read them; `who` is each return's agency's sector and duty): one query per template."""
    result = {}
    for template_id in sorted({t for t, _ in scales.values()}):
        these = [c for c, (t, _) in scales.items() if t == template_id]
        scale = next(scale for t, scale in scales.values() if t == template_id)
        result.update(_load_template(session, scale, these, who, states))
    return result


def of_ratings(session: Session, rated: Mapping[int, CycleRatings]) -> dict[int, CycleMeasures]:
    """`load` for the cycles `ratings.load` has read."""
    who = {r.return_id: (r.agency.sector, bool(r.agency.statutory)) for cycle in rated.values() for r in cycle.returns}
    return load(session, {cycle_id: (r.cycle.template_id, r.scale) for cycle_id, r in rated.items()}, who)


def _load_template(
    session: Session, scale: RatingScale, cycle_ids: list[int], who: Mapping[int, tuple[str, bool]], states: Collection[str]
) -> dict[int, CycleMeasures]:
    given = func.nullif(Answer.rating, "")
    after = func.coalesce(func.nullif(Answer.moderated_rating, ""), given)
    per_cell = session.exec(
        asked_answers(cycle_ids, states)
        .join(Standard, Standard.id == Question.standard_id)
        .add_columns(AuditReturn.cycle_id, Answer.return_id, Standard.number, given, after, func.count())
        .where(given.is_not(None))
        .group_by(AuditReturn.cycle_id, Answer.return_id, Standard.number, given, after)
        .where(*_in_area(session))
    ).all()
    cells: dict[int, dict] = defaultdict(lambda: defaultdict(Counter))
    by_return: dict[int, dict] = defaultdict(lambda: defaultdict(Counter))
    for cycle_id, return_id, number, value, moderated, n in per_cell:
        cells[cycle_id][return_id, number][value, moderated] += n
        by_return[cycle_id][return_id][value, moderated] += n
    # Groups of agencies add up their cells' counts: a few rows per agency and standard, already grouped.
    groups: dict[int, dict] = defaultdict(lambda: defaultdict(Counter))
    for cycle_id, per_return in cells.items():
        for (return_id, number), joint in per_return.items():
            sector, statutory = who.get(return_id, ("", False))
            groups[cycle_id][sector, statutory, number].update(joint)
    order = ranks(scale)
    return {
        cycle_id: CycleMeasures(scale, dict(cells[cycle_id]), dict(groups[cycle_id]), dict(by_return[cycle_id]), order)
        for cycle_id in cycle_ids
    }


def _in_area(session: Session) -> list:
    """Partnerships: only the agencies the reader's partnerships (or chosen area) hold count, also
    if this read stops going through the ORM's entities (a joint cycle's figures stay in area)."""
    agencies = agency_ids_in_scope(session)
    return [] if agencies is None else [AuditReturn.agency_id.in_(agencies)]


def band_counts(measures: Iterable[Measure]) -> list[int]:
    """Bands added up over several measures."""
    totals: list[int] = []
    for measure in measures:
        totals = [a + b for a, b in zip(totals or [0] * len(measure.bands), measure.bands, strict=True)]
    return totals
