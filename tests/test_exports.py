"""The files the Board takes away, opened and read back: spreadsheet, CSV, JSON, PDFs, charts."""

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from models.user import Role
from tests.factories import add_agency, add_person, launch_cycle
from tests.report_scenario import install_rag_template
from workflow.reporting import charts, exports, pdfs, reports
from workflow.reporting.exports import Sheet
from workflow.reporting.pdf_layout import build, para, words


def pdf_text(data: bytes) -> str:
    """The document's words with every run of spaces and line breaks made one space."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_spreadsheet_has_a_sheet_per_part_with_every_record_of_the_cycle(reader, year):
    workbook = load_workbook(io.BytesIO(exports.cycle_xlsx(reader, year.cycle_id)))

    assert workbook.sheetnames == [
        "Answers", "Actions", "Challenges", "Evidence requests", "Statements",
        "Measures", "Agency measures", "Over-ratings", "Year on year",
    ]
    rows = {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}
    answers = [dict(zip(rows["Answers"][0], row, strict=True)) for row in rows["Answers"][1:]]
    # Alder 6, Birch 6, Cedar 1 (a draft), Elm 6, Grove 5 (not asked the statutory-only 2.2).
    assert len(answers) == 24
    alder_1_1 = next(a for a in answers if a["Agency"] == "Alder Health Trust" and a["Question"] == "1.1")
    assert (alder_1_1["Rating"], alder_1_1["Moderated rating"], alder_1_1["Standard"]) == ("Green", "Amber", "1")
    assert alder_1_1["Return state"] == "Statement of compliance signed"
    elm = [a["Rating"] for a in answers if a["Agency"] == "Elm Council" and a["Standard"] == "1"]
    assert elm == ["Not applicable", "Not applicable"]

    actions = [dict(zip(rows["Actions"][0], row, strict=True)) for row in rows["Actions"][1:]]
    assert [(a["Agency"], a["Question"], a["Status"], a["Overdue"], a["Lead person"]) for a in actions] == [
        ("Alder Health Trust", "1.2", "Cancelled", "No", "Alder Lead"),
        ("Alder Health Trust", "2.1", "Open", "Yes", "Alder Lead"),
        ("Birch Police", "3.1", "Completed", "No", "Birch Lead"),
        ("Birch Police", "3.2", "Cancelled", "No", "Birch Lead"),
    ]
    assert actions[1]["Target date"] == datetime(2026, 5, 1)  # a real date, so it sorts and filters
    challenge = dict(zip(rows["Challenges"][0], rows["Challenges"][1], strict=True))
    assert (challenge["Agency"], challenge["Raised by"], challenge["Answer"]) == (
        "Birch Police",
        "Quinn Reviewer",
        "We audit referrals every quarter.",
    )
    assert [r[0] for r in rows["Evidence requests"][1:]] == ["Birch Police", "Elm Council"]
    statement = dict(zip(rows["Statements"][0], rows["Statements"][1], strict=True))
    assert (statement["Agency"], statement["Choice"], statement["Signed name"]) == (
        "Alder Health Trust",
        "Signed",
        "Alder Executive",
    )
    assert workbook["Answers"].freeze_panes == "A2"
    # A listed scale's over-rating list: Alder's 1.1 Green moderated to Amber, with the numbers.
    over = [dict(zip(rows["Over-ratings"][0], row, strict=True)) for row in rows["Over-ratings"][1:]]
    assert [(o["Agency"], o["Standard"], o["Self-assessed mean"], o["Moderated mean"], o["Gap"]) for o in over] == [
        ("Alder Health Trust", "1 Leadership", 2.0, 1.5, 0.5),
    ]


def test_csv_zip_holds_the_same_tables(reader, year):
    archive = zipfile.ZipFile(io.BytesIO(exports.cycle_csv_zip(reader, year.cycle_id)))

    assert archive.namelist() == [
        "answers.csv", "actions.csv", "challenges.csv", "evidence_requests.csv", "statements.csv",
        "measures.csv", "agency_measures.csv", "over-ratings.csv", "year_on_year.csv",
    ]
    answers = list(csv.DictReader(io.StringIO(archive.read("answers.csv").decode("utf-8-sig"))))
    assert len(answers) == 24
    assert {(a["Agency"], a["Question"], a["Rating"]) for a in answers if a["Question"] == "3.1"} == {
        ("Alder Health Trust", "3.1", "Green"),
        ("Birch Police", "3.1", "Red"),
        ("Elm Council", "3.1", "Green"),
        ("Grove Sports Club", "3.1", "Green"),
    }
    assert answers[0]["Statutory"] == "Yes" and answers[0]["Updated at"].startswith("2026-04-02")


def test_typed_text_that_looks_like_a_formula_stays_text():
    sheet = Sheet("Answers", ["Narrative", "Count"], [['=HYPERLINK("http://evil")', 3], ["+44 20 7946 0000", 4]])

    rows = list(csv.reader(io.StringIO(exports.sheet_csv(sheet).decode("utf-8-sig"))))
    assert rows[1:] == [['\'=HYPERLINK("http://evil")', "3"], ["'+44 20 7946 0000", "4"]]
    cell = load_workbook(io.BytesIO(exports.workbook_bytes([sheet])))["Answers"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil")', "s")


def test_figures_json_round_trips_to_the_same_figures(reader, year):
    text = exports.cycle_figures_json(reader, year.cycle_id)
    figures = json.loads(text)

    assert figures == exports.cycle_figures(reader, year.cycle_id)
    assert figures["progress"]["by_state"] == reports.cycle_progress(reader, year.cycle_id).by_state
    assert figures["progress"]["overdue_returns"][0]["agency_name"] == "Cedar Youth Club"
    assert figures["progress"]["overdue_returns"][0]["deadline"] == "2026-05-13"
    alder = next(r for r in figures["heatmap"]["rows"] if r["agency_name"] == "Alder Health Trust")
    assert alder["cells"]["1"]["self_assessed"] == {"value": "green", "label": "Green", "score": 2}
    assert alder["cells"]["1"]["moderated"]["label"] == "Amber"
    assert figures["action_plans"]["total"] == {"open": 1, "overdue": 1, "completed": 1, "cancelled": 1, "total": 3}
    assert figures["year_on_year"]["cycles"][0]["name"] == "Section 11 audit 2026-27"


def test_printed_return_shows_answers_qa_findings_and_the_action_plan(reader, year):
    data = pdfs.return_pdf(reader, year.returns["alder"])
    text = pdf_text(data)

    assert PdfReader(io.BytesIO(data)).metadata.title == "Alder Health Trust: Section 11 return, Section 11 audit 2026-27"
    assert "Alder Health Trust: Section 11 return" in text
    assert "Submitted 11 April 2026 at 1pm by Alder User" in text
    assert "1 Leadership Green Amber" in text  # the standard, self-assessed and after moderation
    assert "2 Safer workforce Amber Amber" in text
    assert "1.1 There is a named lead for safeguarding. Rating Green QA moderated rating Amber" in text
    assert "2.1 Improve 2.1 Alder Lead 1 May 2026 Open (overdue)" in text
    assert "Improve 1.2" not in text  # removed from the draft before submission
    assert "Signed by Alder Executive on 16 May 2026." in text


def test_printed_return_shows_challenges_and_evidence_requests(reader, year):
    text = pdf_text(pdfs.return_pdf(reader, year.returns["birch"]))

    assert "How do you know staff share information?" in text and "We audit referrals every quarter." in text
    assert "The information-sharing audit" in text and "Audit attached" in text
    assert "3 Working together Red Red" in text


def test_annual_summary_puts_each_figure_in_a_table_beside_its_chart(reader, year):
    data = pdfs.annual_report_pdf(reader, year.cycle_id)
    text = pdf_text(data)

    assert "Section 11 audit 2026-27: summary for the annual report" in text
    assert "Invited 1 In progress 1 Submitted 1 Under QA challenge 0 Evidence requested 1 Action plan open 1" in text
    assert "Withdrawn 1 All 7" in text
    assert "Cedar Youth Club Voluntary In progress 13 May 2026 18" in text
    assert "Elm Council Board terms of reference 21 May 2026 10" in text
    assert "Launch to submission 4 13.0 14.0" in text
    assert "1 Leadership 0 0 3 1 2 Safer workforce 0 1 3 0 3 Working together 1 0 3 0" in text
    assert "Alder Health Trust Green (QA: Amber) Amber Green" in text
    assert "Alder Health Trust 1 Leadership Green Amber 2 1.5 0.5 1.1" in text  # the over-rating, with numbers
    assert "All standards 1 1 1 1 3" in text
    assert "This is the first cycle" in text
    # Every chart is an image in the document.
    images = sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)
    assert images == 6  # by state, over time, ratings (all, statutory, non-statutory), actions


def test_charts_carry_alt_text_and_words_not_colour_alone(reader, year):
    heatmap = reports.compliance_heatmap(reader, year.cycle_id)
    grid = charts.heatmap_grid(heatmap)
    svg = grid.svg()

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Ratings by agency and standard (self-assessed)</title>" in svg
    assert grid.alt in svg
    assert "standard 1: Green 3, Not applicable 1" in grid.alt
    # Each cell's rating is written in it.
    for label in ("Green", "Amber", "Red", "Not applicable"):
        assert f">{label}<" in svg
    png = charts.returns_by_state(reports.cycle_progress(reader, year.cycle_id)).png()
    assert png.startswith(b"\x89PNG")


def test_pdf_prints_any_name_as_typed():
    name = "St John’s “Ōtautahi” Trust — Ærø & <Ümlaut>"

    assert name in pdf_text(build("A test", [para(name)]))


def test_dates_print_in_words():
    assert words(date(2026, 5, 1)) == "1 May 2026"


def test_a_cycle_with_nothing_submitted_yet_still_reports_and_prints(engine, session):
    agency = add_agency(session, name="Alder Health Trust")
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    template = install_rag_template(session)
    cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)

    heatmap = reports.compliance_heatmap(session, cycle.id)
    progress = reports.cycle_progress(session, cycle.id)
    assert (heatmap.rows, heatmap.awaiting, progress.by_state["invited"]) == ([], 1, 1)
    for chart in (
        charts.heatmap_grid(heatmap),
        charts.ratings_by_standard(heatmap.overall, heatmap),
        charts.states_over_time(progress),
        charts.returns_by_state(progress),
        charts.actions_by_standard(reports.action_plans(session, cycle.id)),
        charts.year_on_year_changes(reports.year_on_year(session, cycle.id)),
    ):
        assert chart.svg().startswith("<svg")
    assert "No return is past its deadline." in pdf_text(pdfs.annual_report_pdf(session, cycle.id))
    assert "There are no actions in the plan." in pdf_text(pdfs.return_pdf(session, launched[0].id))
    assert len(load_workbook(io.BytesIO(exports.cycle_xlsx(session, cycle.id)))["Answers"]["A"]) == 1
