"""What the Board gets: the cycle's progress, the ratings picture, year on year, the action plans.

Pure reads. Each report runs a fixed number of queries whatever the number of agencies or
questions (whole tables for the cycle, grouped in Python), so the coordinator's pages and the
annual-report exports stay quick for a partnership with hundreds of agencies.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from statistics import fmean, median

from sqlalchemy import CompoundSelect, Date, Select, and_, bindparam, case, literal_column, or_, union_all
from sqlmodel import Session, func, select

from models import (
    Action,
    Agency,
    AuditReturn,
    Challenge,
    Cycle,
    DeadlineExtension,
    EvidenceRequest,
    HistoryRecord,
    Question,
    Standard,
    Template,
    User,
)
from models.action import ActionState
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.cycle import CycleKind
from models.evidence import EvidenceRequestState
from workflow.answering import ratings
from workflow.answering.ratings import RATED_STATES, Rating, StandardInfo
from workflow.calendar.progress import is_overdue
from workflow.clock import today
from workflow.errors import NotFound
from workflow.reporting import measures, statement_figures
from workflow.reporting.measures import CycleMeasures, Pair
from workflow.reporting.utc_days import utc_day, utc_days_between
from workflow.templates.spec import NOT_APPLICABLE, RatingScale

# Returns that should have been submitted (or, in a statement year, signed) and have not been, yet.


@dataclass(frozen=True)
class CycleInfo:
    """The cycle's facts, detached from the database so figures can be cached or exported."""

    id: int
    name: str
    kind: str
    status: str
    opens_on: date
    submission_deadline: date
    qa_window_ends: date
    action_plan_review: date
    statement_deadline: date
    launched_at: datetime | None
    closed_at: datetime | None
    previous_cycle_id: int | None

    @classmethod
    def of(cls, cycle: Cycle) -> "CycleInfo":
        return cls(**{name: getattr(cycle, name) for name in cls.__dataclass_fields__})


# --- Progress -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueReturn:
    return_id: int
    agency_name: str
    sector: str
    status: str
    deadline: date
    extended: bool
    days_overdue: int


@dataclass(frozen=True)
class DayStates:
    """How many returns were in each state at the end of one day."""

    day: date
    counts: dict[str, int]


@dataclass(frozen=True)
class OverdueEvidenceRequest:
    id: int
    return_id: int
    agency_name: str
    question_ref: str
    description: str
    due_date: date
    days_overdue: int


@dataclass(frozen=True)
class OverdueAction:
    id: int
    return_id: int
    agency_name: str
    standard_number: str
    question_ref: str
    description: str
    lead_name: str
    target_date: date
    days_overdue: int


@dataclass(frozen=True)
class TimeSummary:
    """Whole days taken, over `count` cases; None when there is no case yet."""

    count: int
    median_days: float | None
    mean_days: float | None

    @classmethod
    def of(cls, days: list[int]) -> "TimeSummary":
        if not days:
            return cls(0, None, None)
        return cls(len(days), round(float(median(days)), 1), round(fmean(days), 1))


@dataclass(frozen=True)
class ResponseTimes:
    launch_to_submission: TimeSummary
    evidence_request_to_provision: TimeSummary
    challenge_to_answer: TimeSummary


@dataclass(frozen=True)
class CycleProgress:
    cycle: CycleInfo
    by_state: dict[str, int]  # every ReturnState value, in lifecycle order
    total: int
    overdue_returns: list[OverdueReturn]
    states_over_time: list[DayStates]
    overdue_evidence_requests: list[OverdueEvidenceRequest]
    overdue_actions: list[OverdueAction]
    response_times: ResponseTimes


def cycle_progress(session: Session, cycle_id: int) -> CycleProgress:
    """Where every return stands, who is late with what, and how quickly people respond."""
    cycle = cycle_of(session, cycle_id)
    now = today()
    reads = _progress_reads()
    given = {"cycle_id": cycle.id, "today": now}
    # The database counts and filters; only the rows the page lists (and the times it sums up) come back.
    counts = dict(session.exec(reads.counts, params=given).all())
    awaiting = session.exec(reads.awaiting, params=given).all()
    moves = session.exec(reads.moves, params=given).all()
    requests = session.exec(reads.requests, params=given).all()
    waits = session.exec(reads.waits, params=given).all()
    late_actions = session.exec(reads.late_actions, params=given).all()

    by_state = {state.value: counts.get(state.value, 0) for state in ReturnState}
    # In a statement year the awaited act is the executive's statement, due by its own date.
    due = cycle.statement_deadline if cycle.kind == CycleKind.STATEMENT_YEAR else cycle.submission_deadline
    overdue_returns = []
    for return_id, name, sector, status, extended_to in awaiting:
        deadline = max(due, extended_to or due)
        if is_overdue(status, deadline, now):
            overdue_returns.append(
                OverdueReturn(return_id, name, sector, status, deadline, extended_to is not None, (now - deadline).days)
            )
    overdue_requests = [
        OverdueEvidenceRequest(id_, return_id, name, ref or "", description, due_date, (now - due_date).days)
        for id_, return_id, name, ref, description, due_date in requests
    ]
    overdue_actions = [
        OverdueAction(id_, return_id, name, number, ref, description, lead or "", target, (now - target).days)
        for id_, return_id, name, number, ref, description, lead, target in late_actions
    ]
    overdue_actions.sort(key=lambda a: (a.target_date, a.agency_name, a.id))
    # Each return's first submission: read backwards, the earliest day is the one that stays.
    first_submission = {return_id: day for return_id, day, trigger, _ in reversed(moves) if trigger == "submit"}
    launched = cycle.launched_at.date() if cycle.launched_at else None
    times = ResponseTimes(
        TimeSummary.of([(day - launched).days for day in first_submission.values()] if launched else []),
        TimeSummary.of([days for kind, days, n in waits if kind == "evidence" for _ in range(n)]),
        TimeSummary.of([days for kind, days, n in waits if kind == "challenge" for _ in range(n)]),
    )
    return CycleProgress(
        CycleInfo.of(cycle),
        by_state,
        sum(counts.values()),
        overdue_returns,
        _states_over_time(cycle, moves, now),
        overdue_requests,
        overdue_actions,
        times,
    )


@dataclass(frozen=True)
class ProgressReads:
    """The progress page's reads, built once (the page is asked for often); each is given the
    cycle (`cycle_id`) and today's date (`today`) when it runs."""

    counts: Select
    awaiting: Select
    moves: Select
    requests: Select
    waits: CompoundSelect
    late_actions: Select


@cache
def _progress_reads() -> ProgressReads:
    of_cycle = AuditReturn.cycle_id == bindparam("cycle_id")
    now = bindparam("today", type_=Date)
    # The response times as how many cases took each number of days: a few rows, whatever the cases.
    provided = utc_days_between(EvidenceRequest.requested_at, EvidenceRequest.provided_at)
    answered = utc_days_between(Challenge.raised_at, Challenge.responded_at)
    return ProgressReads(
        counts=select(AuditReturn.status, func.count()).where(of_cycle).group_by(AuditReturn.status),
        awaiting=select(AuditReturn.id, Agency.name, Agency.sector, AuditReturn.status, func.max(DeadlineExtension.new_deadline))
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .outerjoin(DeadlineExtension, DeadlineExtension.return_id == AuditReturn.id)
        .where(of_cycle, AuditReturn.status.in_(list(AWAITING_SUBMISSION)))
        .group_by(AuditReturn.id, Agency.name, Agency.sector, AuditReturn.status)
        .order_by(Agency.name, AuditReturn.id),
        moves=select(HistoryRecord.return_id, utc_day(HistoryRecord.at), HistoryRecord.trigger, HistoryRecord.to_state)
        .join(AuditReturn, AuditReturn.id == HistoryRecord.return_id)
        .where(of_cycle, HistoryRecord.subject_type == "return", HistoryRecord.to_state != "")
        .order_by(HistoryRecord.at, HistoryRecord.id),
        requests=select(
            EvidenceRequest.id,
            EvidenceRequest.return_id,
            Agency.name,
            Question.ref,
            EvidenceRequest.description,
            EvidenceRequest.due_date,
        )
        .join(AuditReturn, AuditReturn.id == EvidenceRequest.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .outerjoin(Question, Question.id == EvidenceRequest.question_id)
        .where(
            of_cycle,
            EvidenceRequest.status == EvidenceRequestState.OPEN,
            EvidenceRequest.due_date < now,
            AuditReturn.status != ReturnState.WITHDRAWN,
        )
        .order_by(EvidenceRequest.due_date, EvidenceRequest.id),
        waits=union_all(
            select(literal_column("'evidence'"), provided, func.count())
            .join(AuditReturn, AuditReturn.id == EvidenceRequest.return_id)
            .where(of_cycle, EvidenceRequest.provided_at.is_not(None))
            .group_by(provided),
            select(literal_column("'challenge'"), answered, func.count())
            .join(AuditReturn, AuditReturn.id == Challenge.return_id)
            .where(of_cycle, Challenge.responded_at.is_not(None))
            .group_by(answered),
        ),
        late_actions=select(
            Action.id,
            Action.return_id,
            Agency.name,
            Standard.number,
            Question.ref,
            Action.description,
            User.name,
            Action.target_date,
        )
        .join(AuditReturn, AuditReturn.id == Action.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Question, Question.id == Action.question_id)
        .join(Standard, Standard.id == Question.standard_id)
        .outerjoin(User, User.id == Action.lead_user_id)
        .where(
            of_cycle,
            AuditReturn.status.in_(list(RATED_STATES)),
            Action.status.in_([ActionState.OPEN, ActionState.IN_PROGRESS]),
            Action.target_date < now,
        ),
    )


STATES = [state.value for state in ReturnState]


def _states_over_time(cycle: Cycle, moves: Sequence[tuple[int, date, str, str]], now: date) -> list[DayStates]:
    """Each day from launch to today (or to the day the cycle closed), replaying the history
    (each move's return, the UTC day it was made, its trigger and the state it left the return in)."""
    if cycle.launched_at is None:
        return []
    last = cycle.closed_at.date() if cycle.closed_at else now
    state_of: dict[int, str] = {}
    counts: Counter = Counter()  # kept up to date move by move, not recounted each day
    days, i, day = [], 0, cycle.launched_at.date()
    while day <= last:
        while i < len(moves) and moves[i][1] <= day:
            return_id, _, _, state = moves[i]
            if return_id in state_of:
                counts[state_of[return_id]] -= 1
            state_of[return_id] = state
            counts[state] += 1
            i += 1
        days.append(DayStates(day, {state: counts.get(state, 0) for state in STATES}))
        day += timedelta(days=1)
    return days


# --- The ratings picture ------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleFacts:
    """What the figures need to know of the scale: whether it is numeric (so cells show a mean,
    not the weakest), its range and unit, what counts as met, and the bands of its distribution."""

    name: str
    kind: str
    numeric: bool
    unit: str  # "%" on a percentage scale
    lowest: float | None
    highest: float | None
    met_from: float | None
    band_labels: list[str]

    @classmethod
    def of(cls, scale: RatingScale) -> "ScaleFacts":
        scores = [item.score for item in scale.values if item.score is not None]
        return cls(
            scale.name,
            scale.kind,
            scale.numeric,
            "%" if scale.kind == "percentage" else "",
            min(scores) if scores else None,
            max(scores) if scores else None,
            scale.met_threshold,
            scale.band_labels() if scale.numeric else [],
        )

    def number(self, value: float | None) -> str:
        """A score in words: "2.5", "85%"; "No score" when nothing was scored."""
        return "No score" if value is None else f"{value:g}{self.unit}"

    @property
    def met_words(self) -> str:
        """What counts as met, e.g. "2 or more", "80% or more"."""
        return f"{self.number(self.met_from)} or more" if self.met_from is not None else "needs no action"


@dataclass(frozen=True)
class HeatmapCell:
    self_assessed: Rating | None
    moderated: Rating | None  # the weakest element after QA's moderation; the same when QA moderated none
    was_moderated: bool
    # Mean score of the elements, as rated and after QA, and how many QA moderated below the agency's rating.
    measures: Pair | None = None
    moderated_down: int = 0
    statement_evidence: str | None = None  # set when a signed statement says it is now fully met


@dataclass(frozen=True)
class HeatmapRow:
    return_id: int
    agency_id: int
    agency_name: str
    sector: str
    statutory: bool
    status: str
    cells: dict[str, HeatmapCell]  # by standard number
    overall: Pair | None = None  # every element of the return: mean, median, share met


@dataclass(frozen=True)
class GroupSummary:
    """How many agencies of a group gave each rating to each standard (standard -> value -> count),
    and the measures of the group's elements per standard and over all standards."""

    group: str
    agencies: int
    self_assessed: dict[str, dict[str, int]]
    moderated: dict[str, dict[str, int]]
    measures: dict[str, Pair] = field(default_factory=dict)
    overall: Pair | None = None


@dataclass(frozen=True)
class OverRating:
    """An agency that rated a standard higher than QA did, and the elements QA moderated."""

    return_id: int
    agency_name: str
    sector: str
    standard_number: str
    standard_title: str
    self_assessed: Rating
    moderated: Rating
    moderated_refs: list[str]
    # The numbers: the standard's mean score as rated and after QA, the gap, the elements moderated down.
    self_mean: float | None = None
    moderated_mean: float | None = None
    gap: float | None = None
    elements_down: int = 0


@dataclass(frozen=True)
class Heatmap:
    cycle: CycleInfo
    scale_name: str
    legend: list[Rating]  # every rating the scale allows, weakest first
    standards: list[StandardInfo]
    rows: list[HeatmapRow]  # submitted returns (submitted or later), by agency name
    awaiting: int  # returns not yet submitted, so not in the picture
    overall: GroupSummary
    by_sector: list[GroupSummary]
    by_statutory: list[GroupSummary]
    over_ratings: list[OverRating]
    scale: ScaleFacts | None = None


def compliance_heatmap(session: Session, cycle_id: int) -> Heatmap:
    """Agencies by standards, self-assessed beside moderated, summarised by sector and by duty."""
    cycle, scale = _cycle_and_scale(session, cycle_id)
    standards, ref_order = _standards(session, cycle.template_id)
    every = measures.rated_returns(session, [cycle.id])
    rated = [r for r in every if r.status in RATED_STATES]
    numbers_of = measures.read(session, {cycle.id: scale}, rated, ref_order=ref_order)[cycle.id]
    numbers = [s.number for s in standards]
    cell_of = _cells(numbers_of)
    rows = [
        HeatmapRow(
            r.return_id,
            r.agency_id,
            r.agency_name,
            r.sector,
            r.statutory,
            r.status,
            {n: cell_of(r.return_id, n) for n in numbers},
            numbers_of.of_return(r.return_id, numbers),
        )
        for r in rated
    ]
    rows = statement_figures.heatmap_rows(session, cycle.id, scale, rows)
    legend = ratings.legend(scale)
    sectors = sorted({row.sector for row in rows})
    over = [
        OverRating(
            row.return_id,
            row.agency_name,
            row.sector,
            standard.number,
            standard.title,
            cell.self_assessed,
            cell.moderated,
            numbers_of.moderated_refs(row.return_id, standard.number),
            cell.measures.self_assessed.mean,
            cell.measures.moderated.mean,
            cell.measures.gap,
            cell.moderated_down,
        )
        for row in rows
        for standard in standards
        if (cell := row.cells[standard.number]).moderated_down
    ]
    return Heatmap(
        CycleInfo.of(cycle),
        scale.name,
        legend,
        standards,
        rows,
        len(every) - len(rated),
        _summary("All agencies", rows, numbers, legend, numbers_of, lambda sector, statutory: True),
        [
            _summary(sector, [r for r in rows if r.sector == sector], numbers, legend, numbers_of, _in_sector(sector))
            for sector in sectors
        ],
        [
            _summary(name, [r for r in rows if r.statutory is flag], numbers, legend, numbers_of, _with_duty(flag))
            for name, flag in (("Statutory", True), ("Non-statutory", False))
        ],
        over,
        ScaleFacts.of(scale),
    )


def _cycle_and_scale(session: Session, cycle_id: int) -> tuple[Cycle, RatingScale]:
    """The cycle (from the session's own copy when it has one) and its template's rating scale."""
    cycle = cycle_of(session, cycle_id)
    return cycle, RatingScale.from_json(session.exec(select(Template.scale).where(Template.id == cycle.template_id)).one())


def _standards(session: Session, template_id: int) -> tuple[list[StandardInfo], dict[str, int]]:
    """The template's standards in order, and each question's place (by ref), in one query."""
    standards: dict[str, StandardInfo] = {}
    order: dict[str, int] = {}
    for number, title, ref in session.exec(
        select(Standard.number, Standard.title, Question.ref)
        .outerjoin(Question, Question.standard_id == Standard.id)
        .where(Standard.template_id == template_id)
        .order_by(Standard.position, Question.position)
    ):
        standards.setdefault(number, StandardInfo(number, title))
        if ref is not None:
            order[ref] = len(order)
    return list(standards.values()), order


def _in_sector(wanted: str):
    return lambda sector, statutory: sector == wanted


def _with_duty(wanted: bool):
    return lambda sector, statutory: statutory is wanted


def _cells(numbers_of: CycleMeasures):
    """The heatmap's cell of a return and standard; cells alike are one object, made once."""
    made: dict[tuple[object, bool], HeatmapCell] = {}
    empty = HeatmapCell(None, None, False, numbers_of.cell(0, ""), 0)

    def cell_of(return_id: int, number: str) -> HeatmapCell:
        found = numbers_of.cells.get((return_id, number))
        if found is None:
            return empty
        kind = (found, (return_id, number) in numbers_of.refs)
        cell = made.get(kind)
        if cell is None:
            cell = made[kind] = HeatmapCell(found.self_assessed, found.moderated, kind[1], found.pair, found.down)
        return cell

    return cell_of


def _summary(
    group: str, rows: list[HeatmapRow], numbers: list[str], legend: list[Rating], numbers_of: CycleMeasures, keep
) -> GroupSummary:
    """Counts of each rating per standard, in one pass over the group's cells."""
    own: Counter = Counter()
    after_qa: Counter = Counter()
    for row in rows:
        for number, cell in row.cells.items():
            if cell.self_assessed is not None:
                own[number, cell.self_assessed.value] += 1
            if cell.moderated is not None:
                after_qa[number, cell.moderated.value] += 1

    def table(given: Counter) -> dict[str, dict[str, int]]:
        return {number: {item.value: given[number, item.value] for item in legend} for number in numbers}

    return GroupSummary(
        group,
        len(rows),
        table(own),
        table(after_qa),
        {number: numbers_of.group_pair(number, keep) for number in numbers},
        numbers_of.group_pair(None, keep),
    )


# --- Year on year -----------------------------------------------------------------------------


@dataclass(frozen=True)
class YearOnYearRow:
    agency_id: int
    agency_name: str
    sector: str
    ratings: dict[str, list[Rating | None]]  # by standard number, one per cycle, oldest first
    change: dict[str, str | None]  # "improved", "declined", "same", or None when not comparable
    # On a numeric scale: the mean score of the standard's elements, one per cycle, oldest first.
    means: dict[str, list[float | None]] = field(default_factory=dict)
    evidenced: dict[str, str] = field(default_factory=dict)  # improvements evidenced by a signed statement


@dataclass(frozen=True)
class YearOnYear:
    cycles: list[CycleInfo]  # the chain of previous cycles, oldest first, ending with this one
    standards: list[StandardInfo]  # this cycle's; earlier cycles are matched by standard number
    rows: list[YearOnYearRow]
    scale: ScaleFacts | None = None
    # Per standard, the measures of every agency rated in each cycle on a comparable scale (None for
    # a cycle whose scale does not compare), oldest first; `overall` over all standards.
    by_standard: dict[str, list[Pair | None]] = field(default_factory=dict)
    overall: list[Pair | None] = field(default_factory=list)


def year_on_year(session: Session, cycle_id: int) -> YearOnYear:
    """Each standard's self-assessed rating per cycle for the agencies taking part in this one.

    The change compares this cycle with the one before, and only when both used the same scale:
    a 0-3 score and a Fully met do not compare. On a numeric scale the change is of the mean score
    of the standard's elements, and every cycle's mean, median and share met are given beside.
    """
    everything = {c.id: c for c in session.exec(select(Cycle)).all()}
    if cycle_id not in everything:
        raise NotFound("There is no such cycle.")
    chain, current = [], everything[cycle_id]
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = everything.get(current.previous_cycle_id)
    template_ids = {c.template_id for c in chain}
    scale_of = {
        template_id: RatingScale.from_json(scale)
        for template_id, scale in session.exec(select(Template.id, Template.scale).where(Template.id.in_(template_ids)))
    }
    scales = {c.id: scale_of[c.template_id] for c in chain}
    this_scale = scales[cycle_id]
    standards, _ = _standards(session, everything[cycle_id].template_id)
    every = measures.rated_returns(session, [c.id for c in chain])
    cells = measures.weakest_by_standard(session, scales, every)
    taking_part = [r for r in every if r.cycle_id == cycle_id]
    rated = {(r.cycle_id, r.agency_id): r.return_id for r in every if r.status in RATED_STATES}
    before = chain[-2].id if len(chain) > 1 else None
    comparable = before is not None and this_scale.comparable_with(scales[before])
    order = ratings.ranks(this_scale)
    numeric = this_scale.numeric
    nothing = (None, None)
    rows = []
    for agency in taking_part:
        per_standard, change, means = {}, {}, {}
        returns = [rated.get((c.id, agency.agency_id)) for c in chain]
        for standard in standards:
            number = standard.number
            found = [cells.get((return_id, number), nothing) for return_id in returns]
            per_standard[number] = [weakest for weakest, _ in found]
            if numeric:
                means[number] = [mean for _, mean in found]
                change[number] = _mean_change(means[number][-2:]) if comparable else None
            else:
                change[number] = _change(order, per_standard[number][-2:]) if comparable else None
        rows.append(YearOnYearRow(agency.agency_id, agency.agency_name, agency.sector, per_standard, change, means))
    rows = statement_figures.year_on_year_rows(session, cycle_id, this_scale, rows)
    same = [c.id == cycle_id or scales[c.id].comparable_with(this_scale) for c in chain]
    pairs = measures.standard_pairs(session, {c.id: scales[c.id] for c, ok in zip(chain, same, strict=True) if ok})
    by_standard = {
        s.number: [pairs[c.id][s.number] if ok else None for c, ok in zip(chain, same, strict=True)] for s in standards
    }
    overall = [pairs[c.id][None] if ok else None for c, ok in zip(chain, same, strict=True)]
    return YearOnYear([CycleInfo.of(c) for c in chain], standards, rows, ScaleFacts.of(this_scale), by_standard, overall)


def _mean_change(pair: list[float | None]) -> str | None:
    before, now = pair
    if before is None or now is None:
        return None
    return "improved" if now > before else "declined" if now < before else "same"


def _change(order: dict[str, float], pair: list[Rating | None]) -> str | None:
    before, now = pair
    if before is None or now is None or NOT_APPLICABLE in (before.value, now.value):
        return None
    was, is_ = order[before.value], order[now.value]
    return "improved" if is_ > was else "declined" if is_ < was else "same"


# --- Action plans -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionCounts:
    """`open` counts every live action (open or in progress), `overdue` the open ones past their date."""

    open: int = 0
    overdue: int = 0
    completed: int = 0
    cancelled: int = 0
    total: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", self.open + self.completed + self.cancelled)


@dataclass(frozen=True)
class StandardActions:
    standard: StandardInfo
    counts: ActionCounts


@dataclass(frozen=True)
class AgencyActions:
    return_id: int
    agency_name: str
    sector: str
    counts: ActionCounts


@dataclass(frozen=True)
class ActionPlans:
    cycle: CycleInfo
    total: ActionCounts
    by_standard: list[StandardActions]  # in the template's order
    by_agency: list[AgencyActions]  # agencies with at least one action, by name


def action_plans(session: Session, cycle_id: int) -> ActionPlans:
    """The submitted action plans: open, overdue, completed and cancelled, by standard and by agency."""
    cycle = cycle_of(session, cycle_id)
    params = {"cycle_id": cycle.id, "today": today(), "template_id": cycle.template_id}
    by_standard = [
        StandardActions(StandardInfo(number, title), ActionCounts(*counts))
        for number, title, *counts in session.exec(_plan_counts_by_standard(), params=params)
    ]
    # Counts alike are one object (they are frozen), made once: most agencies' plans look alike.
    made: dict[tuple[int, ...], ActionCounts] = {}
    by_agency = []
    for return_id, name, sector, *counts in session.exec(_plan_counts_by_agency(), params=params):
        key = tuple(counts)
        found = made.get(key)
        if found is None:
            found = made[key] = ActionCounts(*counts)
        by_agency.append(AgencyActions(return_id, name, sector, found))
    every = [s.counts for s in by_standard]
    total = ActionCounts(*(sum(getattr(c, part) for c in every) for part in ("open", "overdue", "completed", "cancelled")))
    return ActionPlans(
        CycleInfo.of(cycle),
        total,
        by_standard,
        by_agency,
    )


def _plan_counts(*by) -> Select:
    """The submitted plans' actions counted by the database, grouped `by` the columns given: live
    (open or in progress), overdue (live and past its date), completed and cancelled. The cycle and
    today's date are bound on each read."""
    live = Action.status.in_([ActionState.OPEN, ActionState.IN_PROGRESS])

    def how_many(condition):
        return func.sum(case((condition, 1), else_=0))

    return (
        select(
            *by,
            how_many(live).label("live"),
            how_many(and_(live, Action.target_date < bindparam("today", type_=Date))).label("overdue"),
            how_many(Action.status == ActionState.COMPLETED).label("completed"),
            how_many(Action.status == ActionState.CANCELLED).label("cancelled"),
        )
        .select_from(Action)
        .join(AuditReturn, AuditReturn.id == Action.return_id)
        .where(
            AuditReturn.cycle_id == bindparam("cycle_id"),
            AuditReturn.status.in_(list(RATED_STATES)),
            _not_removed_from_draft(),
        )
        .group_by(*by)
    )


@cache
def _plan_counts_by_standard() -> Select:
    """Every standard of the template in order, with its actions counted (none: noughts), in one
    statement (the template is bound on each read). Built once."""
    counts = _plan_counts(Question.standard_id).join(Question, Question.id == Action.question_id).subquery()
    return (
        select(Standard.number, Standard.title, *(func.coalesce(counts.c[part], 0) for part in PLAN_COUNTS))
        .select_from(Standard)
        .outerjoin(counts, counts.c.standard_id == Standard.id)
        .where(Standard.template_id == bindparam("template_id"))
        .order_by(Standard.position)
    )


PLAN_COUNTS = ("live", "overdue", "completed", "cancelled")  # ActionCounts' fields, in order


@cache
def _plan_counts_by_agency() -> Select:
    """Per agency's return, by name; agencies of one name in the order of their first action, as
    the plan lists them. Built once."""
    return (
        _plan_counts(Action.return_id, Agency.name, Agency.sector)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .order_by(Agency.name, func.min(Action.id))
    )


def _not_removed_from_draft():
    """`cancelled_from_draft` in SQL: an action counts unless cancelled before the return was (last) submitted."""
    return or_(
        Action.status != ActionState.CANCELLED,
        and_(AuditReturn.submitted_at.is_not(None), Action.closed_at > AuditReturn.submitted_at),
    )


def removed_from_draft(action: Action, ret: AuditReturn) -> bool:
    """Cancelled before the return was (last) submitted: taken out of a draft plan, not given up."""
    return cancelled_from_draft(action.status, action.closed_at, ret.submitted_at)


def cancelled_from_draft(status: str, closed_at: datetime | None, submitted_at: datetime | None) -> bool:
    """`removed_from_draft` from the values alone."""
    return status == ActionState.CANCELLED and (submitted_at is None or closed_at <= submitted_at)


def cycle_of(session: Session, cycle_id: int) -> Cycle:
    """The cycle, or NotFound."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle
