"""The Board's report pages and downloads, read against the scenario whose every figure is known
(tests/report_scenario.py, with the year before it from tests/web/report_world.py).

The year is built once for the module and only read, so the tests share it and stay quick.
"""

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from flask import Flask
from matplotlib.figure import Figure
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from tests.report_scenario import Year
from tests.statement_log import statements_sent
from tests.web.conftest import Browser
from tests.web.report_world import EARLIER, NEXT, World, email, report_app, report_world
from web.reports.inline_svg import csp_safe
from workflow.reporting import exports, reports, survey_figures
from workflow.reporting.charts import Chart

CYCLE = "Section 11 audit 2026-27"


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with report_world(request) as world:
        yield world


@pytest.fixture(scope="module")
def year(world: World) -> Year:
    return world.year


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Flask]:
    app = report_app(world.engine)
    yield app
    app.extensions["s11_engine"].dispose()


@pytest.fixture(scope="module")
def people(app: Flask, year: Year) -> Callable[[str], Browser]:
    """A signed-in browser per person, signed in once for the module (the pages only read)."""
    browsers: dict[str, Browser] = {}

    def signed_in(who: str) -> Browser:
        if who not in browsers:
            browsers[who] = Browser(app.test_client())
            browsers[who].sign_in(email(year, who))
        return browsers[who]

    return signed_in


@dataclass(frozen=True)
class Shown:
    html: str
    text: str  # the words a person reads
    statements: list[str]  # the SQL the request ran


@pytest.fixture(scope="module")
def shown(app: Flask, people) -> Callable[..., Shown]:
    """A page as a person sees it, fetched once for the module, with the queries it took."""
    engine = app.extensions["s11_engine"]
    cache: dict[tuple[str, str], Shown] = {}

    def show(path: str, who: str = "coordinator") -> Shown:
        if (path, who) not in cache:
            browser = people(who)
            statements = _statements(engine, lambda: browser.open(path))
            cache[path, who] = Shown(browser.page.text, browser.text, statements)
        return cache[path, who]

    return show


class _Tables(HTMLParser):
    """Each table with an id, as rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._current: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and dict(attrs).get("id"):
            self._current = dict(attrs)["id"]
            self.tables[self._current] = []
        elif self._current and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        elif self._cell is not None and tag == "br":
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._current = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._current:
            self.tables[self._current].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def by_first_cell(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in rows[1:]}


# --- Who may read the reports -------------------------------------------------------------------


def report_paths(year: Year) -> list[str]:
    cycle = year.cycle_id
    return [
        "/reports",
        f"/cycles/{cycle}/reports",
        f"/cycles/{cycle}/reports/progress",
        f"/cycles/{cycle}/reports/compliance",
        f"/cycles/{cycle}/reports/year-on-year",
        f"/cycles/{cycle}/reports/actions",
        f"/cycles/{cycle}/exports/cycle.xlsx",
        f"/cycles/{cycle}/exports/cycle-csv.zip",
        f"/cycles/{cycle}/exports/figures.json",
        f"/cycles/{cycle}/exports/annual-report.pdf",
    ]


def test_anonymous_people_are_asked_to_sign_in_for_every_report(browser, year):
    for path in report_paths(year) + [f"/returns/{year.returns['alder']}/return.pdf"]:
        answer = browser.client.get(path)
        assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"], path


@pytest.mark.parametrize("who", ["alder", "alder_lead", "alder_exec"])
def test_agency_people_cannot_read_the_partnerships_reports(people, year, who):
    for path in report_paths(year):
        assert people(who).client.get(path).status_code == 403, path


def test_a_missing_cycle_is_not_found(people):
    for path in ["/cycles/9999/reports", "/cycles/9999/reports/compliance", "/cycles/9999/exports/figures.json"]:
        people("coordinator").open(path, expect=404)


def test_reports_are_in_the_menu_and_linked_from_the_cycle_page(shown, year):
    assert 'href="/reports"' in shown("/").html
    assert 'href="/reports"' in shown("/qa", "qa").html
    assert CYCLE in shown("/reports").text and EARLIER in shown("/reports").text
    assert f'href="/cycles/{year.cycle_id}/reports"' in shown(f"/cycles/{year.cycle_id}").html


def test_the_cycles_reports_page_leads_to_each_report_download_and_printed_return(shown, year):
    page = shown(f"/cycles/{year.cycle_id}/reports", "qa").html

    for path in report_paths(year)[2:]:
        assert f'href="{path}"' in page, path
    for who in ("alder", "cedar", "fir"):
        assert f'href="/returns/{year.returns[who]}/return.pdf"' in page


# --- The figures on the pages -------------------------------------------------------------------


def test_progress_page_counts_returns_by_state_and_lists_who_is_late(shown, year):
    found = tables(shown(f"/cycles/{year.cycle_id}/reports/progress").html)

    assert by_first_cell(found["returns-by-state"]) == {
        "Invited": ["1"],
        "In progress": ["1"],
        "Submitted": ["1"],
        "Under QA challenge": ["0"],
        "Evidence requested": ["1"],
        "Action plan open": ["1"],
        "Statement of compliance signed": ["1"],
        "Withdrawn": ["1"],
        "All returns": ["7"],
    }
    assert found["overdue-returns"][1:] == [["Cedar Youth Club", "Voluntary", "In progress", "13 May 2026", "18"]]
    assert found["overdue-evidence-requests"][1:] == [
        ["Elm Council", "Whole return", "Board terms of reference", "21 May 2026", "10"]
    ]
    assert found["overdue-actions"][1:] == [["Alder Health Trust", "2.1", "Improve 2.1", "Alder Lead", "1 May 2026", "30"]]
    assert by_first_cell(found["response-times"]) == {
        "Launch to submission": ["4", "13.0", "14.0"],
        "Evidence requested to provided": ["1", "4.0", "4.0"],
        "Challenge raised to answered": ["1", "3.0", "3.0"],
    }


def test_progress_over_time_table_has_a_row_for_each_day_something_changed(shown, year):
    over_time = tables(shown(f"/cycles/{year.cycle_id}/reports/progress").html)["states-over-time"]
    header, days = over_time[0], by_first_cell(over_time)

    assert header[0] == "Day" and "Under QA challenge" in header
    column = {state: i for i, state in enumerate(header[1:])}
    on = lambda day, state: days[day][column[state]]  # noqa: E731
    assert list(days)[0] == "1 April 2026" and list(days)[-1] == "31 May 2026"
    assert on("1 April 2026", "Invited") == "7"
    assert (on("2 April 2026", "Invited"), on("2 April 2026", "In progress")) == ("2", "5")
    assert on("6 April 2026", "Withdrawn") == "1"
    assert "3 April 2026" not in days  # nothing changed that day
    last = [on("31 May 2026", s) for s in ("Invited", "Evidence requested", "Statement of compliance signed")]
    assert last == ["1", "1", "1"]


def test_each_chart_is_inline_svg_announced_with_its_figures(shown, year):
    page = shown(f"/cycles/{year.cycle_id}/reports/progress").html

    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 2 and all('role="img"' in svg for svg in svgs)
    assert 'aria-label="Returns by state, 7 in all: Invited 1, In progress 1, Submitted 1' in page
    assert "<title>Returns by state over time</title>" in page
    # The page's CSP drops inline styles, so the colours are presentation attributes instead.
    assert " style=" not in page and "<style" not in page
    assert 'fill="#1d70b8"' in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_chart_words_stay_words_and_styles_become_attributes():
    figure = Figure()
    figure.add_subplot().barh(["<script>alert(1)</script>"], [1], color="#d4351c")
    chart = Chart("Title <b>", 'Alt "quoted" & <i>', figure)

    svg = csp_safe(chart.svg(), "chart-test")

    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert 'aria-label="Alt &quot;quoted&quot; &amp; &lt;i&gt;"' in svg
    assert " style=" not in svg and "<style" not in svg and 'fill="#d4351c"' in svg
    assert 'stroke-linejoin="round"' in svg.split(">", 1)[0]  # matplotlib's one CSS rule, now on the root
    ids = re.findall(r'\sid="([^"]+)"', svg)
    assert ids and all(i.startswith("chart-test-") for i in ids)
    assert all(ref[len("url(#") :].startswith("chart-test-") for ref in re.findall(r"url\(#[^)]+", svg))
    hrefs = re.findall(r'xlink:href="([^"]+)"', svg)
    assert hrefs and all(href.startswith("#chart-test-") for href in hrefs)


def test_heatmap_writes_each_agencys_rating_of_each_standard_in_words(shown, year):
    page = shown(f"/cycles/{year.cycle_id}/reports/compliance", "qa")
    heatmap = tables(page.html)["heatmap"]

    assert heatmap[0] == ["Agency", "1 Leadership", "2 Safer workforce", "3 Working together"]
    # Only submitted returns: Cedar and Dale have not submitted, Fir was withdrawn.
    assert by_first_cell(heatmap) == {
        "Alder Health Trust Health, statutory": ["Green QA: Amber", "Amber", "Green"],
        "Birch Police Police, statutory": ["Green", "Green", "Red QA: Red"],
        "Elm Council Local authority, statutory": ["Not applicable", "Green", "Green"],
        "Grove Sports Club Voluntary, not statutory": ["Green", "Green", "Green"],
    }
    # Colour backs the words up: each tag's colour follows the rating.
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page.html
    assert '<strong class="govuk-tag govuk-tag--yellow">QA: Amber</strong>' in page.html
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in page.html
    assert ("Ratings against the standards Ratings on the Red / Amber / Green scale from 4 submitted returns. 2 returns are "
            "not submitted yet and not counted. A standard's rating is its weakest element;") in page.text


def test_ratings_are_counted_overall_by_statutory_status_and_by_sector_self_assessed_beside_moderated(shown, year):
    page = shown(f"/cycles/{year.cycle_id}/reports/compliance", "qa")
    captions = re.findall(r'<caption class="govuk-table__caption govuk-table__caption--s">([^<]+)</caption>', page.html)
    groups = dict(zip(captions, _unnamed_tables(page.html), strict=True))

    assert captions[:2] == ["All agencies: self-assessed", "All agencies: after QA moderation"]
    assert groups["All agencies: self-assessed"][0] == ["Standard", "Red", "Amber", "Green", "Not applicable"]
    assert by_first_cell(groups["All agencies: self-assessed"]) == {
        "1 Leadership": ["0", "0", "3", "1"],
        "2 Safer workforce": ["0", "1", "3", "0"],
        "3 Working together": ["1", "0", "3", "0"],
    }
    assert by_first_cell(groups["All agencies: after QA moderation"])["1 Leadership"] == ["0", "1", "2", "1"]
    assert by_first_cell(groups["Statutory: self-assessed"])["2 Safer workforce"] == ["0", "1", "2", "0"]
    assert by_first_cell(groups["Non-statutory: self-assessed"])["2 Safer workforce"] == ["0", "0", "1", "0"]
    assert by_first_cell(groups["Police: self-assessed"])["3 Working together"] == ["1", "0", "0", "0"]
    assert "Statutory (3 agencies)" in page.text and "Voluntary (1 agency)" in page.text
    assert tables(page.html)["over-ratings"][1:] == [
        ["Alder Health Trust", "1 Leadership", "Green", "Amber", "2", "1.5", "0.5", "1.1"]
    ]
    assert len(re.findall(r'<svg\b[^>]*role="img"', page.html)) == 3  # all agencies, statutory, non-statutory


def _unnamed_tables(html: str) -> list[list[list[str]]]:
    """The tables without an id (the count tables), in page order."""
    numbers = iter(range(1000))
    numbered = re.sub(r"<table(?![^>]*\sid=)", lambda _: f'<table id="t{next(numbers)}"', html)
    found = tables(numbered)
    return [found[f"t{i}"] for i in range(sum(1 for name in found if re.fullmatch(r"t\d+", name)))]


def test_year_on_year_shows_each_cycle_and_what_changed(shown, year):
    page = shown(f"/cycles/{year.cycle_id}/reports/year-on-year")
    found = tables(page.html)

    rows = by_first_cell(found["year-on-year"])
    assert rows["Alder Health Trust Health"] == ["Green → Green Same", "Red → Amber Improved", "Green → Green Same"]
    assert rows["Birch Police Police"] == ["Green → Green Same", "Green → Green Same", "Green → Red Declined"]
    assert rows["Cedar Youth Club Voluntary"] == ["Not rated → Not rated"] * 3  # never submitted
    assert rows["Elm Council Local authority"] == ["Not rated → Not applicable", "Not rated → Green", "Not rated → Green"]
    assert "Fir Academy Education" not in rows  # withdrawn
    assert by_first_cell(found["changes"]) == {"1": ["0", "2", "0"], "2": ["1", "1", "0"], "3": ["0", "1", "1"]}
    assert f"Change since {EARLIER}" in page.text
    assert f'aria-label="Agencies whose rating changed since {EARLIER}' in page.html


def test_action_plans_page_counts_by_standard_and_by_agency(shown, year):
    found = tables(shown(f"/cycles/{year.cycle_id}/reports/actions", "qa").html)

    assert found["actions-by-standard"][0] == ["Standard", "Open", "Of which overdue", "Completed", "Cancelled", "All"]
    assert by_first_cell(found["actions-by-standard"]) == {
        "1 Leadership": ["0", "0", "0", "0", "0"],
        "2 Safer workforce": ["1", "1", "0", "0", "1"],
        "3 Working together": ["0", "0", "1", "1", "2"],
        "All standards": ["1", "1", "1", "1", "3"],
    }
    assert by_first_cell(found["actions-by-agency"]) == {
        "Alder Health Trust Health": ["1", "1", "0", "0", "1"],
        "Birch Police Police": ["0", "0", "1", "1", "2"],
    }


def test_a_cycle_not_launched_yet_has_every_page_and_nothing_to_report(shown, world):
    base = f"/cycles/{world.draft_cycle_id}/reports"

    assert NEXT not in shown("/reports").text  # a draft is not listed
    assert "The cycle has no returns yet" in shown(base).text
    progress = shown(f"{base}/progress")
    assert "The cycle has not been launched yet." in progress.text
    assert by_first_cell(tables(progress.html)["returns-by-state"])["All returns"] == ["0"]
    assert "No return has been submitted yet." in shown(f"{base}/compliance").text
    assert "No agency takes part in this cycle." in shown(f"{base}/year-on-year").text
    assert by_first_cell(tables(shown(f"{base}/actions").html)["actions-by-standard"])["All standards"] == ["0"] * 5


# --- Downloads ----------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str
    statements: list[str]


def download(app: Flask, browser: Browser, path: str, content_type: str) -> Download:
    """Fetch a file as a browser saves it: an attachment, never sniffed, of the right type."""
    answers = []
    statements = _statements(app.extensions["s11_engine"], lambda: answers.append(browser.client.get(path)))
    answer = answers[0]
    assert answer.status_code == 200, path
    assert answer.headers["Content-Type"].startswith(content_type)
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename="), disposition
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    return Download(answer.data, disposition.removeprefix("attachment; filename="), statements)


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_spreadsheet_and_csv_downloads_hold_the_cycles_records(app, people, year):
    base = f"/cycles/{year.cycle_id}/exports"
    xlsx = download(app, people("coordinator"), f"{base}/cycle.xlsx", XLSX)
    workbook = load_workbook(io.BytesIO(xlsx.data))

    assert xlsx.filename == "Section_11_audit_2026-27_records.xlsx"
    assert workbook.sheetnames == [
        "Answers", "Actions", "Challenges", "Evidence requests", "Statements",
        "Measures", "Agency measures", "Over-ratings", "Year on year",
    ]
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert len(answers) == 1 + 24  # Alder 6, Birch 6, Cedar 1, Elm 6, Grove 5
    archive = zipfile.ZipFile(io.BytesIO(download(app, people("qa"), f"{base}/cycle-csv.zip", "application/zip").data))
    names = [
        "actions.csv", "agency_measures.csv", "answers.csv", "challenges.csv", "evidence_requests.csv", "measures.csv",
        "over-ratings.csv", "statements.csv", "year_on_year.csv",
    ]
    assert sorted(archive.namelist()) == names
    assert "Board terms of reference" in archive.read("evidence_requests.csv").decode("utf-8-sig")


def test_figures_json_carries_the_pages_figures(app, people, year):
    got = download(app, people("qa"), f"/cycles/{year.cycle_id}/exports/figures.json", "application/json")
    figures = json.loads(got.data)

    assert figures["progress"]["total"] == 7 and figures["progress"]["by_state"]["withdrawn"] == 1
    assert figures["action_plans"]["total"]["overdue"] == 1
    alder = next(r for r in figures["heatmap"]["rows"] if r["agency_name"] == "Alder Health Trust")
    assert alder["cells"]["1"]["moderated"]["label"] == "Amber"
    assert [c["name"] for c in figures["year_on_year"]["cycles"]] == [EARLIER, CYCLE]


def test_annual_report_pdf_opens_with_the_figures(app, people, year):
    got = download(app, people("coordinator"), f"/cycles/{year.cycle_id}/exports/annual-report.pdf", "application/pdf")
    text = pdf_text(got.data)

    assert got.filename == "Section_11_audit_2026-27_annual_report.pdf"
    assert f"{CYCLE}: summary for the annual report" in text
    assert "Withdrawn 1 All 7" in text
    assert "Alder Health Trust Green (QA: Amber) Amber Green" in text
    # The summary is the four reports printed (and the staff survey's section): the download asks the database nothing more.
    by_reports = _report_statements(
        app, year, reports.cycle_progress, reports.compliance_heatmap, reports.year_on_year, reports.action_plans,
        survey_figures.survey_section,
    )
    assert len(got.statements) <= len(by_reports) + SIGNED_IN, got.statements


@pytest.mark.parametrize("who", ["coordinator", "qa", "alder", "alder_exec", "alder_lead"])
def test_a_printed_return_goes_to_staff_and_the_agencys_own_people(app, people, year, who):
    got = download(app, people(who), f"/returns/{year.returns['alder']}/return.pdf", "application/pdf")

    assert got.filename == "Alder_Health_Trust_Section_11_audit_2026-27_return.pdf"
    assert "Alder Health Trust: Section 11 return" in pdf_text(got.data)


def test_another_agencys_printed_return_is_not_found(people, year):
    birch = people("birch")

    assert birch.client.get(f"/returns/{year.returns['alder']}/return.pdf").status_code == 404
    assert birch.client.get("/returns/9999/return.pdf").status_code == 404


# --- Queries stay flat --------------------------------------------------------------------------


def _statements(engine, run: Callable[[], object]) -> list[str]:
    with statements_sent(engine) as seen:
        run()
    return seen


def _report_statements(app: Flask, year: Year, *reads: Callable) -> list[str]:
    """What the workflow's reads ask of the database, from a fresh session, one after the other."""
    engine = app.extensions["s11_engine"]

    def run() -> None:
        with Session(engine) as session:
            for read in reads:
                read(session, year.cycle_id)

    return _statements(engine, run)


SIGNED_IN = 3  # the person behind the session cookie, their roles, and their partnerships
VERSION = 1  # the version of the cycle's data, under which the page's figures are kept (figures_cache)


@pytest.mark.parametrize(
    ("page", "read"),
    [
        ("progress", reports.cycle_progress),
        ("compliance", reports.compliance_heatmap),
        ("year-on-year", reports.year_on_year),
        ("actions", reports.action_plans),
    ],
)
def test_a_report_page_asks_the_database_nothing_beyond_its_report(app, people, year, page, read):
    engine, browser = app.extensions["s11_engine"], people("coordinator")
    path = f"/cycles/{year.cycle_id}/reports/{page}"
    on_page = _statements(engine, lambda: browser.open(path))
    asked_again = _statements(engine, lambda: browser.open(path))

    assert len(on_page) <= len(_report_statements(app, year, read)) + VERSION + SIGNED_IN, on_page
    # Nothing changed since: the figures are the ones read before, and the page costs its version.
    assert len(asked_again) == SIGNED_IN + VERSION, asked_again


@pytest.mark.parametrize(
    ("file", "content_type", "make"),
    [
        ("cycle.xlsx", XLSX, exports.cycle_xlsx),
        ("cycle-csv.zip", "application/zip", exports.cycle_csv_zip),
        ("figures.json", "application/json", exports.cycle_figures_json),
    ],
)
def test_a_download_asks_the_database_nothing_beyond_its_export(app, people, year, file, content_type, make):
    got = download(app, people("coordinator"), f"/cycles/{year.cycle_id}/exports/{file}", content_type)

    assert len(got.statements) <= len(_report_statements(app, year, make)) + SIGNED_IN, got.statements
