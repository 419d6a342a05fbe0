"""The numbers behind the Board's figures: each standard's weakest element, and on a scored scale
the mean, median, share of elements at or above "met" and the distribution in bands, self-assessed
beside moderated, for each cell (agency and standard), each agency, and each group of agencies.

The database does the grouping, in one GROUP BY query whatever the number of agencies: how many
elements had each (self-assessed, moderated) pair of values, per return and standard, with the
refs of the elements QA moderated. Everything else is worked out here from those counts, once per
group of identical counts, not once per answer: a cell holds a handful of rows, and cells with the
same counts share one `Measure`. Not applicable counts in no figure. Every scale also gets the
count of elements QA moderated below the agency's own rating, which is what the over-rating list shows.

Each read joins the answers to their returns and agencies as ORM entities, so a signed-in reader's
partnership scope (or chosen area) narrows it like any other read (`workflow.partnerships`): a
joint cycle's figures count only the reader's area with no narrowing of their own.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, func, null
from sqlmodel import Session, select

from models import Agency, Answer, AuditReturn, Question, Standard
from models.audit_return import ReturnState
from workflow.answering.ratings import RATED_STATES, Rating, asked_answers, rank, rating
from workflow.templates.spec import NOT_APPLICABLE, RatingScale


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


Counts = dict[str, int]  # value -> how many elements


class Scorer:
    """What the figures need of each of the scale's values (score, met, band, rank, words), worked
    out once; a Measure or Pair of counts already seen is given again, not worked out again."""

    def __init__(self, scale: RatingScale) -> None:
        self.scale = scale
        self.scored = all(item.score is not None for item in scale.values)
        starts = scale.band_starts() if scale.numeric and self.scored else []
        self.bands = len(starts)
        self.facts = {
            item.value: (item.score, scale.meets(item), scale.band_of(item.score, starts) if starts else -1)
            for item in scale.values
        }
        self.rank = {item.value: rank(scale, item.value) for item in scale.values}
        self.rating = {item.value: rating(scale, item.value) for item in scale.values}
        self.not_applicable = rating(scale, NOT_APPLICABLE)
        self._measures: dict[frozenset, Measure] = {}
        self._pairs: dict[tuple[frozenset, frozenset], Pair] = {}

    def measure(self, counts: Mapping[str, int]) -> Measure:
        key = frozenset(counts.items())
        found = self._measures.get(key)
        if found is None:
            found = self._measures[key] = self._measure(counts)
        return found

    def pair(self, own: Counts, after: Counts) -> Pair:
        key = frozenset(own.items()), frozenset(after.items())
        found = self._pairs.get(key)
        if found is None:
            found = self._pairs[key] = Pair(self.measure(own), self.measure(after))
        return found

    def _measure(self, counts: Mapping[str, int]) -> Measure:
        facts = self.facts
        given = [(facts[value], n) for value, n in counts.items() if n and value in facts]
        scored = sum(n for _, n in given)
        met = sum(n for (_, meets, _), n in given if meets)
        if not self.scored:
            return Measure(scored, None, None, met)
        bands = [0] * self.bands
        for (_, _, band), n in given:
            if band >= 0:
                bands[band] += n
        if not scored:
            return Measure(0, None, None, 0, tuple(bands))
        scores = sorted((score, n) for (score, _, _), n in given)
        total = sum(s * n for s, n in scores)
        return Measure(scored, round(total / scored, 2), _median(scores, scored), met, tuple(bands), total)

    def weakest(self, values: Iterable[str]) -> Rating | None:
        """A standard's rating from the values its elements were given: the lowest ranked, Not
        applicable when every answer was, None when none was answered."""
        ranked = [value for value in values if value in self.rank]
        if ranked:
            return self.rating[min(ranked, key=self.rank.__getitem__)]
        return self.not_applicable if values else None


class Cell:
    """One return's elements of one standard, worked out from its rows of (value as rated, value
    after QA, how many): how many had each value as rated (`own`) and after QA (`after`), the
    weakest of each, how many QA moderated below the agency's rating, and the measures. Cells with
    the same rows share one Cell, so each of these is worked out once per distinct set of rows."""

    __slots__ = ("own", "after", "self_assessed", "moderated", "down", "pair")

    def __init__(self, scorer: Scorer, rows: Iterable[tuple[str | None, str | None, int]]) -> None:
        own: Counts = {}
        after: Counts = {}
        unrated_after: set[str] = set()  # values QA gave elements the agency left unrated
        down = 0
        ranks = scorer.rank
        for given, moderated, n in rows:
            if given is None:
                if moderated is not None:
                    unrated_after.add(moderated)
                continue
            own[given] = own.get(given, 0) + n
            after[moderated] = after.get(moderated, 0) + n
            if moderated != given and given in ranks and moderated in ranks and ranks[moderated] < ranks[given]:
                down += n
        self.own, self.after, self.down = own, after, down
        self.self_assessed = scorer.weakest(own.keys())
        self.moderated = scorer.weakest(after.keys() | unrated_after)
        self.pair = scorer.pair(own, after)


@dataclass(frozen=True)
class RatedReturn:
    """A return in the figures, with its agency's columns."""

    return_id: int
    cycle_id: int
    status: str
    agency_id: int
    agency_name: str
    sector: str
    statutory: bool


@dataclass
class CycleMeasures:
    """A cycle's cells (by return id and standard number) and what follows from them."""

    scorer: Scorer
    cells: dict[tuple[int, str], Cell]
    refs: dict[tuple[int, str], list[str]]  # the refs QA moderated, where it moderated any
    who: dict[int, tuple[str, bool]]  # return id -> its agency's sector and duty
    _groups: dict[tuple[str, bool, str], tuple[Counts, Counts]] | None = None

    @property
    def scale(self) -> RatingScale:
        return self.scorer.scale

    def cell(self, return_id: int, number: str) -> Pair:
        found = self.cells.get((return_id, number))
        return found.pair if found else self.scorer.pair({}, {})

    def weakest(self, return_id: int, number: str) -> tuple[Rating | None, Rating | None]:
        """The standard's weakest element as rated and after QA."""
        found = self.cells.get((return_id, number))
        return (found.self_assessed, found.moderated) if found else (None, None)

    def moderated_down(self, return_id: int, number: str) -> int:
        found = self.cells.get((return_id, number))
        return found.down if found else 0

    def moderated_refs(self, return_id: int, number: str) -> list[str]:
        return self.refs.get((return_id, number), [])

    def of_return(self, return_id: int, numbers: Iterable[str]) -> Pair:
        """Every element the agency rated, over all standards."""
        own: Counts = defaultdict(int)
        after: Counts = defaultdict(int)
        for number in numbers:
            found = self.cells.get((return_id, number))
            if found:
                _add(own, found.own)
                _add(after, found.after)
        return self.scorer.pair(own, after)

    def group_pair(self, number: str | None, keep=lambda sector, statutory: True) -> Pair:
        """The pair for one standard (None: every standard) over the groups `keep` picks."""
        own: Counts = defaultdict(int)
        after: Counts = defaultdict(int)
        for (sector, statutory, n), (group_own, group_after) in self.groups.items():
            if (number is None or n == number) and keep(sector, statutory):
                _add(own, group_own)
                _add(after, group_after)
        return self.scorer.pair(own, after)

    @property
    def groups(self) -> dict[tuple[str, bool, str], tuple[Counts, Counts]]:
        """(sector, statutory, standard number) -> its cells' counts added up: how many cells of
        each kind a group has, then each kind's counts once."""
        if self._groups is None:
            kinds: dict[tuple[str, bool, str], Counter] = defaultdict(Counter)
            who = self.who
            for (return_id, number), found in self.cells.items():
                sector, statutory = who.get(return_id, ("", False))
                kinds[sector, statutory, number][found] += 1
            groups = {}
            for group, cells in kinds.items():
                own: Counts = defaultdict(int)
                after: Counts = defaultdict(int)
                for found, times in cells.items():
                    _add(own, found.own, times)
                    _add(after, found.after, times)
                groups[group] = (own, after)
            self._groups = groups
        return self._groups


def _add(total: dict[str, int], counts: Mapping[str, int], times: int = 1) -> None:
    for value, n in counts.items():
        total[value] += n * times


REF_SEPARATOR = "\x1f"  # between the refs of moderated elements, as the database joins them


def rated_returns(session: Session, cycle_ids: Collection[int]) -> list[RatedReturn]:
    """Every return of the cycles but the withdrawn ones, by agency name: their columns, not objects."""
    rows = session.exec(
        select(
            AuditReturn.id,
            AuditReturn.cycle_id,
            AuditReturn.status,
            Agency.id,
            Agency.name,
            Agency.sector,
            Agency.statutory,
        )
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.cycle_id.in_(list(cycle_ids)), AuditReturn.status != ReturnState.WITHDRAWN)
        .order_by(Agency.name, AuditReturn.id)
    ).all()
    return [RatedReturn(r, c, s, a, name, sector, bool(statutory)) for r, c, s, a, name, sector, statutory in rows]


def read(
    session: Session,
    scales: Mapping[int, RatingScale],
    returns: Iterable[RatedReturn],
    *,
    ref_order: Mapping[str, int] | None = None,
    states: Collection[str] = RATED_STATES,
) -> dict[int, CycleMeasures]:
    """The cells of every return in `states` of each cycle (cycle id -> its scale), in one query;
    `returns` are the cycles' returns as `rated_returns` read them. With `ref_order` (each
    question's place in the template) the refs QA moderated are read too, in that order."""
    returns = [r for r in returns if r.status in states]
    cycle_of = {r.return_id: r.cycle_id for r in returns}
    scorers: dict[int, Scorer] = {}
    by_scale: dict[str, Scorer] = {}
    for cycle_id, scale in scales.items():
        scorers[cycle_id] = by_scale.setdefault(scale.model_dump_json(), Scorer(scale))
    rows_of: dict[tuple[int, str], list] = {}
    refs: dict[tuple[int, str], list[str]] = {}
    query = _cells_query(list(scales), states, ref_order)
    for return_id, number, given, moderated, n, moderated_refs in session.exec(query):
        key = (return_id, number)
        row = (given or None, moderated or given or None, n)
        found = rows_of.get(key)
        if found is None:
            rows_of[key] = [row]
        else:
            found.append(row)
        if moderated_refs:
            refs.setdefault(key, []).extend(moderated_refs.split(REF_SEPARATOR))
    if ref_order is not None:
        for found in refs.values():
            found.sort(key=lambda ref: ref_order.get(ref, 0))
    # Cells of the same rows are one Cell: worked out once per scale and set of rows.
    known: dict[tuple[int, tuple], Cell] = {}
    cells: dict[int, dict[tuple[int, str], Cell]] = {cycle_id: {} for cycle_id in scales}
    for key, rows in rows_of.items():
        cycle_id = cycle_of.get(key[0])
        if cycle_id is None:
            continue
        scorer = scorers[cycle_id]
        kind = (id(scorer), tuple(rows))
        cell = known.get(kind)
        if cell is None:
            cell = known[kind] = Cell(scorer, rows)
        cells[cycle_id][key] = cell
    who = {r.return_id: (r.sector, r.statutory) for r in returns}
    return {
        cycle_id: CycleMeasures(
            scorers[cycle_id], cells[cycle_id], {k: v for k, v in refs.items() if cycle_of.get(k[0]) == cycle_id}, who
        )
        for cycle_id in scales
    }


def _cells_query(cycle_ids: list[int], states: Collection[str], ref_order: Mapping[str, int] | None):
    """(return id, standard number, rating, moderated rating, how many, refs QA moderated or None
    when not asked for). The columns are grouped as stored (an empty rating is "", or NULL): the
    caller reads both as none given, which costs less here than asking the database to."""
    refs = func.aggregate_strings(case((Answer.moderated_rating != "", Question.ref)), REF_SEPARATOR)
    return (
        asked_answers(cycle_ids, states)
        .join(Standard, Standard.id == Question.standard_id)
        .add_columns(
            Answer.return_id,
            Standard.number,
            Answer.rating,
            Answer.moderated_rating,
            func.count(),
            null() if ref_order is None else refs,
        )
        .group_by(Answer.return_id, Standard.number, Answer.rating, Answer.moderated_rating)
    )


def weakest_by_standard(
    session: Session, scales: Mapping[int, RatingScale], returns: Iterable[RatedReturn], *, states: Collection[str] = RATED_STATES
) -> dict[tuple[int, str], tuple[Rating | None, float | None]]:
    """(return id, standard number) -> the weakest self-assessed element, and on a numeric scale
    the mean score of the standard's elements, for the returns in `states` of each cycle (cycle id
    -> its scale): one GROUP BY per distinct scale, one row per return and standard."""
    cycles_of: dict[str, list[int]] = defaultdict(list)
    scale_of: dict[str, RatingScale] = {}
    for cycle_id, scale in scales.items():
        key = scale.model_dump_json()
        cycles_of[key].append(cycle_id)
        scale_of[key] = scale
    wanted = {r.return_id for r in returns if r.status in states}
    result = {}
    for key, cycle_ids in cycles_of.items():
        scale = scale_of[key]
        scorer = Scorer(scale)
        by_place = sorted(scorer.rating.values(), key=lambda r: scorer.rank[r.value])
        place = {r.value: i for i, r in enumerate(by_place)}
        least, answered = func.min(case(place, value=Answer.rating)), func.count(func.nullif(Answer.rating, ""))
        columns = [Answer.return_id, Standard.number, least, answered]
        if scale.numeric:
            score = case({item.value: item.score for item in scale.values}, value=Answer.rating)
            columns += [func.count(score), func.sum(score)]
        query = (
            asked_answers(cycle_ids, states)
            .join(Standard, Standard.id == Question.standard_id)
            .add_columns(*columns)
            .group_by(Answer.return_id, Standard.number)
        )
        for return_id, number, least, answered, *scores in session.exec(query):
            if return_id not in wanted:
                continue
            weakest = by_place[least] if least is not None else scorer.not_applicable if answered else None
            mean = round(scores[1] / scores[0], 2) if scores and scores[0] else None
            result[return_id, number] = (weakest, mean)
    return result


def standard_pairs(
    session: Session, scales: Mapping[int, RatingScale], *, states: Collection[str] = RATED_STATES
) -> dict[int, dict[str | None, Pair]]:
    """Cycle id -> standard number -> the measures of every return in `states` (None: every
    standard), from one GROUP BY of how many elements had each pair of values per cycle and standard."""
    scorers: dict[str, Scorer] = {}
    counts: dict[int, dict[str | None, tuple[Counts, Counts]]] = {cycle_id: {} for cycle_id in scales}
    query = (
        asked_answers(list(scales), states)
        .join(Standard, Standard.id == Question.standard_id)
        .add_columns(AuditReturn.cycle_id, Standard.number, Answer.rating, Answer.moderated_rating, func.count())
        .group_by(AuditReturn.cycle_id, Standard.number, Answer.rating, Answer.moderated_rating)
    )
    for cycle_id, number, given, moderated, n in session.exec(query):
        if not given:
            continue
        for key in (number, None):
            own, after = counts[cycle_id].setdefault(key, (defaultdict(int), defaultdict(int)))
            own[given] += n
            after[moderated or given] += n
    result = {}
    for cycle_id, scale in scales.items():
        scorer = scorers.setdefault(scale.model_dump_json(), Scorer(scale))
        result[cycle_id] = defaultdict(lambda scorer=scorer: scorer.pair({}, {}))
        for key, (own, after) in counts[cycle_id].items():
            result[cycle_id][key] = scorer.pair(own, after)
    return result

