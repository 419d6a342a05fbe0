"""What each of the Board's report pages shows: the report's figures whole, and its agency tables
one page at a time, found by the agency's name.

A partnership that also audits its schools has a thousand agencies or more: a table of every one
of them is megabytes of HTML that takes seconds to draw and nobody reads whole. Each page's
summaries (counts, charts, measures) still cover every agency; the tables of agencies show
PER_PAGE rows, searched and paged, and the files (CSV, spreadsheet, PDF) still hold every row.

The figures come from `figures_cache`: read once per change of the cycle's data, so a page asked
again (another person, another page of a table, a search) costs one small query and the paging.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import TypeVar

from sqlmodel import Session

from workflow.people.directories import Page
from workflow.reporting import reports
from workflow.reporting.figures_cache import kept_figures
from workflow.reporting.reports import (
    ActionPlans,
    AgencyActions,
    CycleProgress,
    Heatmap,
    HeatmapRow,
    OverdueAction,
    OverdueEvidenceRequest,
    OverdueReturn,
    OverRating,
    YearOnYear,
    YearOnYearRow,
)

PER_PAGE = 50
T = TypeVar("T")


@dataclass(frozen=True)
class Asked:
    """What the person asked of a page: an agency name to look for, and which page of each table."""

    search: str = ""
    pages: tuple[tuple[str, int], ...] = ()

    def page(self, table: str) -> int:
        return dict(self.pages).get(table, 1)


def page_of(rows: Sequence[T], search: str, page: int, name: Callable[[T], str], per_page: int = PER_PAGE) -> Page[T]:
    """The rows whose agency name holds `search` (any case), cut to page `page` (out of range: the nearest)."""
    words = search.strip().casefold()
    found = [row for row in rows if words in name(row).casefold()] if words else list(rows)
    number = min(max(1, page), max(1, ceil(len(found) / per_page)))
    return Page(found[(number - 1) * per_page : number * per_page], len(found), number, per_page)


@dataclass(frozen=True)
class ProgressPage:
    figures: CycleProgress
    search: str
    overdue_returns: Page[OverdueReturn]
    overdue_evidence_requests: Page[OverdueEvidenceRequest]
    overdue_actions: Page[OverdueAction]


def progress_page(session: Session, cycle_id: int, asked: Asked = Asked()) -> ProgressPage:
    figures = kept_figures(session, cycle_id, reports.cycle_progress)
    return ProgressPage(
        figures,
        asked.search,
        _agencies(figures.overdue_returns, asked, "returns_page"),
        _agencies(figures.overdue_evidence_requests, asked, "requests_page"),
        _agencies(figures.overdue_actions, asked, "actions_page"),
    )


@dataclass(frozen=True)
class HeatmapPage:
    heatmap: Heatmap
    search: str
    agencies: Page[HeatmapRow]
    over_ratings: list[OverRating]  # those of the agencies on this page of the table


def heatmap_page(session: Session, cycle_id: int, asked: Asked = Asked()) -> HeatmapPage:
    heatmap = kept_figures(session, cycle_id, reports.compliance_heatmap)
    agencies = _agencies(heatmap.rows, asked)
    shown = {row.return_id for row in agencies.rows}
    return HeatmapPage(heatmap, asked.search, agencies, [o for o in heatmap.over_ratings if o.return_id in shown])


@dataclass(frozen=True)
class YearOnYearPage:
    figures: YearOnYear
    search: str
    agencies: Page[YearOnYearRow]


def year_on_year_page(session: Session, cycle_id: int, asked: Asked = Asked()) -> YearOnYearPage:
    figures = kept_figures(session, cycle_id, reports.year_on_year)
    return YearOnYearPage(figures, asked.search, _agencies(figures.rows, asked))


@dataclass(frozen=True)
class ActionPlansPage:
    plans: ActionPlans
    search: str
    agencies: Page[AgencyActions]


def action_plans_page(session: Session, cycle_id: int, asked: Asked = Asked()) -> ActionPlansPage:
    plans = kept_figures(session, cycle_id, reports.action_plans)
    return ActionPlansPage(plans, asked.search, _agencies(plans.by_agency, asked))


def _agencies(rows: Sequence[T], asked: Asked, table: str = "page") -> Page[T]:
    """One of a page's tables of agencies, as the search and the page of `table` asked: every
    table of agencies is paged and searched alike."""
    return page_of(rows, asked.search, asked.page(table), lambda row: row.agency_name)
