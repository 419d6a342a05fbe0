"""Staff agreement set beside each agency's self-rating, standard by standard, with flags where
the two disagree: the intelligence QA uses to pick returns.

A standard's self-rating is its weakest scored element (`answering.ratings`, the rule every report
uses). Staff agreement is the share of counted answers ("Don't know" is not counted) that agree,
over every survey question mapped to the standard, summed in SQL. No figure is given for an agency
or a sector with fewer responses than the cycle's minimum: not the agreement, not a flag.
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import case
from sqlmodel import Session, func, select

from models import Agency, AuditReturn, Cycle, CycleSurvey, Standard, SurveyLink, SurveyQuestionStandard, SurveyResponse
from models import SurveyResponseAnswer as Answer
from workflow.answering import ratings
from workflow.answering.ratings import Rating
from workflow.errors import NotFound
from workflow.survey.settings import survey_of
from workflow.templates.spec import RatingScale


class Flag(StrEnum):
    TOP_BUT_STAFF_DISAGREE = "top_but_staff_disagree"
    LOW_BUT_STAFF_CONFIDENT = "low_but_staff_confident"


@dataclass(frozen=True)
class Agreement:
    """Staff answers for one standard: how many agree of those counted, from how many responses."""

    responses: int
    agreeing: int
    counted: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.agreeing / self.counted) if self.counted else None


@dataclass(frozen=True)
class Cell:
    """One agency × standard. `agreement` is None when withheld (too few responses) or unanswered."""

    standard_number: str
    self_rating: Rating | None
    moderated: Rating | None
    agreement: Agreement | None
    withheld: bool
    flag: Flag | None
    minimum: int
    low: int
    confident: int

    @property
    def self_words(self) -> str:
        return f"Rated {self.self_rating.label}" if self.self_rating else "No submitted rating yet"

    @property
    def moderated_words(self) -> str:
        if self.moderated is None:
            return "No rating to moderate yet"
        if self.self_rating and self.moderated.value != self.self_rating.value:
            return f"QA moderated to {self.moderated.label}"
        return f"{self.moderated.label}, as rated"

    @property
    def staff_words(self) -> str:
        if self.withheld:
            return f"Withheld: fewer than {self.minimum} staff responses"
        if self.agreement is None or self.agreement.percent is None:
            return "No staff answers on this standard"
        a = self.agreement
        return f"{a.percent}% of staff answers agree ({a.agreeing} of {a.counted}, from {a.responses} staff)"

    @property
    def flag_words(self) -> str:
        if self.flag is Flag.TOP_BUT_STAFF_DISAGREE:
            return f"Flag: rated {self.self_rating.label} but staff agreement is below {self.low}%"
        if self.flag is Flag.LOW_BUT_STAFF_CONFIDENT:
            return f"Flag: rated {self.self_rating.label} but {self.confident}% or more of staff answers agree"
        return "No flag"


class _Counted:
    """A count of responses is itself withheld below the minimum, like every other figure."""

    responses: int
    minimum: int

    @property
    def responses_shown(self) -> int | None:
        return self.responses if self.responses >= self.minimum else None

    @property
    def responses_words(self) -> str:
        if self.responses_shown is None:
            return f"fewer than {self.minimum} staff responses"
        return f"{self.responses} staff {'response' if self.responses == 1 else 'responses'}"


@dataclass(frozen=True)
class AgencyRow(_Counted):
    agency_id: int
    agency_name: str
    sector: str
    return_id: int | None
    responses: int
    minimum: int
    cells: list[Cell]

    @property
    def flagged(self) -> list[Cell]:
        return [c for c in self.cells if c.flag]


@dataclass(frozen=True)
class SectorRow(_Counted):
    sector: str
    responses: int
    minimum: int
    cells: list[Cell]


@dataclass(frozen=True)
class Triangulation:
    cycle: Cycle
    survey: CycleSurvey | None
    standards: list[ratings.StandardInfo]
    agencies: list[AgencyRow]
    sectors: list[SectorRow]

    @property
    def flagged(self) -> list[tuple[AgencyRow, Cell]]:
        return [(row, cell) for row in self.agencies for cell in row.flagged]


def triangulation(session: Session, cycle_id: int) -> Triangulation:
    """The whole picture for one cycle, in a fixed number of queries whatever the responses."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    survey = survey_of(session, cycle_id)
    rated = ratings.load(session, [cycle_id])[cycle_id]
    minimum = survey.minimum_responses if survey else 5
    low = survey.low_agreement if survey else 50
    confident = survey.confident_agreement if survey else 80
    numbers = {s.id: s.number for s in session.exec(select(Standard).where(Standard.template_id == cycle.template_id))}
    by_return = {r.agency.id: r for r in rated.returns}

    agencies = session.exec(
        select(Agency.id, Agency.name, Agency.sector, AuditReturn.id)
        .join(AuditReturn, AuditReturn.agency_id == Agency.id)
        .where(AuditReturn.cycle_id == cycle_id)
        .order_by(Agency.name)
    ).all()
    sector_of = {agency_id: sector for agency_id, _, sector, _ in agencies}
    responses = _responses_by_agency(session, cycle_id)
    agreement = _agreement_by_agency(session, cycle_id, numbers)

    def cell(number: str, own: ratings.ReturnRatings | None, count: int, figures: tuple[int, int] | None) -> Cell:
        withheld = count < minimum
        shown = None if withheld or figures is None else Agreement(count, *figures)
        self_rating = own.self_assessed.get(number) if own else None
        moderated = own.moderated.get(number) if own else None
        return Cell(
            number,
            self_rating,
            moderated,
            shown,
            withheld,
            _flag(rated.scale, self_rating, shown, low, confident),
            minimum,
            low,
            confident,
        )

    rows = [
        AgencyRow(
            agency_id,
            name,
            sector,
            return_id,
            responses.get(agency_id, 0),
            minimum,
            [
                cell(s.number, by_return.get(agency_id), responses.get(agency_id, 0), agreement.get((agency_id, s.number)))
                for s in rated.standards
            ],
        )
        for agency_id, name, sector, return_id in agencies
    ]
    # A sector's figures are its agencies' sums (a few hundred numbers, already added up by the database).
    sector_responses: dict[str, int] = defaultdict(int)
    for agency_id, count in responses.items():
        sector_responses[sector_of[agency_id]] += count
    sector_agreement: dict[tuple[str, str], tuple[int, int]] = {}
    for (agency_id, number), (agreeing, counted) in agreement.items():
        before = sector_agreement.get((sector_of[agency_id], number), (0, 0))
        sector_agreement[(sector_of[agency_id], number)] = (before[0] + agreeing, before[1] + counted)
    sectors = [
        SectorRow(
            sector,
            count,
            minimum,
            [cell(s.number, None, count, sector_agreement.get((sector, s.number))) for s in rated.standards],
        )
        for sector, count in sorted(sector_responses.items())
    ]
    return Triangulation(cycle, survey, rated.standards, rows, sectors)


def _flag(scale: RatingScale, rating: Rating | None, agreement: Agreement | None, low: int, confident: int) -> Flag | None:
    """Top of the scale with agreement below `low`, or the lower half of it with agreement at `confident` or more."""
    if rating is None or agreement is None or agreement.percent is None or scale.get(rating.value) is None:
        return None  # nothing rated, nothing shown, or Not applicable
    if rating.value == scale.top_value.value and agreement.percent < low:
        return Flag.TOP_BUT_STAFF_DISAGREE
    ranks = [ratings.rank(scale, item.value) for item in scale.values]
    if ratings.rank(scale, rating.value) < (min(ranks) + max(ranks)) / 2 and agreement.percent >= confident:
        return Flag.LOW_BUT_STAFF_CONFIDENT
    return None


def _responses_by_agency(session: Session, cycle_id: int) -> dict[int, int]:
    query = (
        select(SurveyLink.agency_id, func.count(SurveyResponse.id))
        .join(SurveyResponse, SurveyResponse.link_id == SurveyLink.id)
        .where(SurveyLink.cycle_id == cycle_id)
        .group_by(SurveyLink.agency_id)
    )
    return dict(session.exec(query).all())


def _agreement_by_agency(session: Session, cycle_id: int, numbers: dict[int, str]) -> dict[tuple[int, str], tuple[int, int]]:
    """(agency, standard number) -> (agreeing answers, counted answers), summed by the database.

    Answers are first summed per link and question (a few hundred rows), and only then spread over
    the standards each question speaks to, so the many answers are read once, not once per standard.
    """
    per_question = (
        select(
            SurveyResponse.link_id.label("link_id"),
            Answer.survey_question_id.label("question_id"),
            func.sum(case((Answer.agrees.is_(True), 1), else_=0)).label("agreeing"),
            func.count(Answer.agrees).label("counted"),
        )
        .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
        .where(SurveyResponse.link_id.in_(select(SurveyLink.id).where(SurveyLink.cycle_id == cycle_id)))
        .group_by(SurveyResponse.link_id, Answer.survey_question_id)
        .subquery()
    )
    query = (
        select(
            SurveyLink.agency_id,
            SurveyQuestionStandard.standard_id,
            func.sum(per_question.c.agreeing),
            func.sum(per_question.c.counted),
        )
        .select_from(per_question)
        .join(SurveyLink, SurveyLink.id == per_question.c.link_id)
        .join(SurveyQuestionStandard, SurveyQuestionStandard.survey_question_id == per_question.c.question_id)
        .group_by(SurveyLink.agency_id, SurveyQuestionStandard.standard_id)
    )
    return {
        (agency_id, numbers[standard_id]): (int(agreeing or 0), int(counted or 0))
        for agency_id, standard_id, agreeing, counted in session.exec(query)
    }


@dataclass(frozen=True)
class ReturnFlag:
    """A flag as QA's queue shows it: the standard, and the figures in words."""

    standard_number: str
    words: str


def flags_for_returns(session: Session, return_ids: Collection[int]) -> dict[int, list[ReturnFlag]]:
    """Each return's triangulation flags, for QA's queue (one triangulation per cycle involved)."""
    if not return_ids:
        return {}
    cycle_ids = set(session.exec(select(AuditReturn.cycle_id).where(AuditReturn.id.in_(list(return_ids)))))
    cycle_ids &= set(session.exec(select(CycleSurvey.cycle_id)))
    flags: dict[int, list[ReturnFlag]] = {}
    for cycle_id in cycle_ids:
        for row in triangulation(session, cycle_id).agencies:
            if row.return_id in return_ids and row.flagged:
                flags[row.return_id] = [
                    ReturnFlag(c.standard_number, f"Standard {c.standard_number}: {c.self_words}; {c.staff_words}")
                    for c in row.flagged
                ]
    return flags
