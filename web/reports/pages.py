"""What the Board gets, on screen and as files: the cycle's progress, the ratings picture, year on
year and the action plans, each chart drawn on the server beside a table of the same figures.

Coordinators and QA reviewers read the reports and download the cycle's files; a printed return
goes to anyone who may see that return. Each page calls one report of `workflow.reporting.reports` and
renders it; the figures' wording and layout live in the templates under `reports/`.
"""

import io
import math
from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required
from markupsafe import Markup
from werkzeug.utils import secure_filename

from models.audit_return import ReturnState
from models.cycle import CycleKind
from models.user import Role
from web.common.db import read_or_404
from web.common.identity import me, roles_required
from web.common.pagination import page_asked, pagination
from web.reports.figures import change_counts, ramp_class, ramp_key, rating_tags, state_changes, states_seen
from web.reports.inline_svg import csp_safe
from workflow.access import visible_return
from workflow.answering import content
from workflow.calendar import joint_cycles, progress
from workflow.reporting import charts, exports, pdfs, report_pages, reports
from workflow.reporting.charts import Chart
from workflow.reporting.figures_cache import Kept, shelved
from workflow.reporting.report_pages import Asked

bp = Blueprint("reports", __name__)

staff_only = roles_required(Role.COORDINATOR, Role.QA_REVIEWER)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_inlined = Kept(size=256, max_age=math.inf)  # by the chart's version: never stale


def _svg(chart: Chart, key: str) -> Markup:
    """The chart as inline SVG that the page's CSP lets keep its colours; `key` keeps ids unique.
    Made once per version of the chart's figures, like the drawing itself, and shared with the
    machine's other web processes (matplotlib takes a second a chart: not once per process)."""
    if chart.version is None:
        return Markup(csp_safe(chart.svg(), f"chart-{key}"))
    made = f"{chart.version}:{key}"
    return Markup(_inlined.get(made, lambda: shelved(("inline chart", made), lambda: csp_safe(chart.svg(), f"chart-{key}"))))


def _render(template: str, **context: Any) -> str:
    return render_template(
        f"reports/{template}",
        states=list(ReturnState),
        state_titles={s.value: s.title for s in ReturnState},
        states_seen=states_seen,
        CycleKind=CycleKind,
        **context,
    )


def _area(cycle_id: int) -> joint_cycles.AreaFilter:
    """The report's area (?area=slug), for someone in several partnerships of a joint cycle: the
    reads that follow in this request count that partnership's agencies alone."""
    return read_or_404(joint_cycles.report_area, cycle_id, request.args.get("area", ""))


# --- Pages ------------------------------------------------------------------------------------


@bp.route("/reports")
@staff_only
def index() -> ResponseReturnValue:
    """Every cycle, newest first, each leading to its reports."""
    return _render("index.html", cycles=read_or_404(progress.cycle_list))


@bp.route("/cycles/<int:cycle_id>/reports")
@staff_only
def cycle(cycle_id: int) -> ResponseReturnValue:
    """The cycle's reports and downloads, and each agency's printable return."""
    area = _area(cycle_id)
    return _render("cycle.html", overview=read_or_404(progress.cycle_progress, cycle_id), area_filter=area)


def _asked(*tables: str) -> Asked:
    """The agency name looked for, and the page asked of each paged table (its address parameter)."""
    return Asked(request.args.get("q", "")[:200], tuple((table, page_asked(table)) for table in tables))


def _pages(found, endpoint: str, cycle_id: int, param: str = "page") -> dict[str, Any] | None:
    return pagination(found, f"reports.{endpoint}", param, cycle_id=cycle_id)


@bp.route("/cycles/<int:cycle_id>/reports/progress")
@staff_only
def progress_report(cycle_id: int) -> ResponseReturnValue:
    area = _area(cycle_id)
    shown = read_or_404(report_pages.progress_page, cycle_id, _asked("returns_page", "requests_page", "actions_page"))
    figures = shown.figures
    return _render(
        "progress.html",
        area_filter=area,
        shown=shown,
        figures=figures,
        cycle=figures.cycle,
        by_state_svg=_svg(charts.returns_by_state(figures), "by-state"),
        over_time_svg=_svg(charts.states_over_time(figures), "over-time") if figures.states_over_time else None,
        changes=state_changes(figures.states_over_time),
        returns_pages=_pages(shown.overdue_returns, "progress_report", cycle_id, "returns_page"),
        requests_pages=_pages(shown.overdue_evidence_requests, "progress_report", cycle_id, "requests_page"),
        actions_pages=_pages(shown.overdue_actions, "progress_report", cycle_id, "actions_page"),
    )


@bp.route("/cycles/<int:cycle_id>/reports/compliance")
@staff_only
def compliance(cycle_id: int) -> ResponseReturnValue:
    area = _area(cycle_id)
    shown = read_or_404(report_pages.heatmap_page, cycle_id, _asked("page"))
    heatmap = shown.heatmap
    by_statutory = [g for g in heatmap.by_statutory if g.agencies]
    paging = {"shown": shown, "pages": _pages(shown.agencies, "compliance", cycle_id)}
    if heatmap.scale.numeric:
        return _render(
            "compliance_numeric.html",
            area_filter=area,
            heatmap=heatmap,
            cycle=heatmap.cycle,
            scale=heatmap.scale,
            ramp_class=ramp_class,
            ramp_key=ramp_key(heatmap.scale),
            overall_svg=_svg(charts.measures_by_standard(heatmap.overall, heatmap), "overall") if heatmap.rows else None,
            bands_svg=_svg(charts.bands_by_standard(heatmap.overall, heatmap), "bands") if heatmap.rows else None,
            by_statutory=[
                (g, _svg(charts.measures_by_standard(g, heatmap), f"statutory-{i}")) for i, g in enumerate(by_statutory)
            ],
            **paging,
        )
    return _render(
        "compliance.html",
        area_filter=area,
        heatmap=heatmap,
        cycle=heatmap.cycle,
        tags=rating_tags(heatmap.legend),
        overall_svg=_svg(charts.ratings_by_standard(heatmap.overall, heatmap), "overall") if heatmap.rows else None,
        by_statutory=[(g, _svg(charts.ratings_by_standard(g, heatmap), f"statutory-{i}")) for i, g in enumerate(by_statutory)],
        **paging,
    )


@bp.route("/cycles/<int:cycle_id>/reports/year-on-year")
@staff_only
def year_on_year(cycle_id: int) -> ResponseReturnValue:
    area = _area(cycle_id)
    shown = read_or_404(report_pages.year_on_year_page, cycle_id, _asked("page"))
    figures = shown.figures
    comparable = len(figures.cycles) > 1
    return _render(
        "year_on_year.html",
        area_filter=area,
        shown=shown,
        pages=_pages(shown.agencies, "year_on_year", cycle_id),
        figures=figures,
        cycle=figures.cycles[-1],
        changes_svg=_svg(charts.year_on_year_changes(figures), "changes") if comparable else None,
        change_counts=change_counts(figures),
        scale=figures.scale,
    )


@bp.route("/cycles/<int:cycle_id>/reports/actions")
@staff_only
def actions(cycle_id: int) -> ResponseReturnValue:
    area = _area(cycle_id)
    shown = read_or_404(report_pages.action_plans_page, cycle_id, _asked("page"))
    plans = shown.plans
    return _render(
        "actions.html",
        area_filter=area,
        shown=shown,
        pages=_pages(shown.agencies, "actions", cycle_id),
        plans=plans,
        cycle=plans.cycle,
        by_standard_svg=_svg(charts.actions_by_standard(plans), "actions") if plans.by_standard else None,
    )


# --- Downloads --------------------------------------------------------------------------------


def _attachment(data: bytes, filename: str, mimetype: str) -> ResponseReturnValue:
    """A file to save, never shown or sniffed by the browser, and not kept in shared caches."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _cycle_file(cycle_id: int, make: Callable[..., bytes | str], suffix: str, mimetype: str) -> ResponseReturnValue:
    # Read first for the file's name and held on to: the export then finds it in the session
    # (whose identity map holds rows only while something refers to them) instead of asking again.
    cycle = read_or_404(reports.cycle_of, cycle_id)
    _area(cycle_id)  # a file of one area of a joint cycle, when the person chose one
    data = read_or_404(make, cycle.id)
    body = data.encode("utf-8") if isinstance(data, str) else data
    return _attachment(body, _filename(f"{cycle.name} {suffix}"), mimetype)


def _filename(words: str) -> str:
    """A safe, readable file name ('Section 11 2026 figures.json' → 'Section_11_2026_figures.json')."""
    return secure_filename(words) or "download"


@bp.route("/cycles/<int:cycle_id>/exports/cycle.xlsx")
@staff_only
def cycle_xlsx(cycle_id: int) -> ResponseReturnValue:
    return _cycle_file(cycle_id, exports.cycle_xlsx, "records.xlsx", XLSX)


@bp.route("/cycles/<int:cycle_id>/exports/cycle-csv.zip")
@staff_only
def cycle_csv_zip(cycle_id: int) -> ResponseReturnValue:
    return _cycle_file(cycle_id, exports.cycle_csv_zip, "records csv.zip", "application/zip")


@bp.route("/cycles/<int:cycle_id>/exports/figures.json")
@staff_only
def figures_json(cycle_id: int) -> ResponseReturnValue:
    return _cycle_file(cycle_id, exports.cycle_figures_json, "figures.json", "application/json")


@bp.route("/cycles/<int:cycle_id>/exports/annual-report.pdf")
@staff_only
def annual_report_pdf(cycle_id: int) -> ResponseReturnValue:
    return _cycle_file(cycle_id, pdfs.annual_report_pdf, "annual report.pdf", "application/pdf")


@bp.route("/returns/<int:return_id>/return.pdf")
@login_required
def return_pdf(return_id: int) -> ResponseReturnValue:
    """The printable return, for partnership staff and the agency's own people; others get 404."""
    ret = read_or_404(visible_return, me(), return_id)
    # Read for the file's name and held on to, so the printing finds them in the session.
    agency, cycle = read_or_404(content.load_agency, ret), read_or_404(content.load_cycle, ret)
    data = read_or_404(pdfs.return_pdf, ret.id)
    return _attachment(data, _filename(f"{agency.name} {cycle.name} return.pdf"), "application/pdf")
