"""Figures true to every rating scale: a 0-3 score with QA's moderated score beside it, and a
percentage in 5% steps, each written in a few lines of template, run through submission and QA
moderation, and every figure checked against one worked out by hand (tests/numeric_scenario.py)."""

import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from tests.numeric_scenario import (
    PERCENTAGE,
    PERCENTAGE_ANSWERS,
    PERCENTAGE_MODERATIONS,
    SCORED,
    SCORED_ANSWERS,
    SCORED_MODERATIONS,
    install,
    partnership,
    run_year,
)
from tests.test_chart_drawing import drawings  # noqa: F401 (a fixture)
from tests.test_exports import pdf_text
from workflow.errors import DomainError
from workflow.reporting import charts, exports, pdfs, reports
from workflow.templates.files import load_template_file


def _means(heatmap) -> dict[str, dict[str, tuple]]:
    """Each agency's cells as (self-assessed mean, moderated mean, elements moderated down)."""
    return {
        row.agency_name: {
            n: (c.measures.self_assessed.mean, c.measures.moderated.mean, c.moderated_down) for n, c in row.cells.items()
        }
        for row in heatmap.rows
    }


def _figures(pair) -> tuple:
    """(mean, median, share met, bands) as rated, then after QA, then the gap."""
    own, after = pair.self_assessed, pair.moderated
    return (own.mean, own.median, own.share_met, own.bands), (after.mean, after.median, after.share_met, after.bands), pair.gap


def test_the_new_kinds_take_a_few_lines_each():
    scored, percentage = load_template_file(SCORED), load_template_file(PERCENTAGE)

    assert [v.label for v in scored.scale.values] == [
        "0 - Inadequate", "1 - Requires improvement", "2 - Good", "3 - Outstanding",
    ]
    assert [v.value for v in scored.scale.values if v.needs_action] == ["0", "1"]
    assert [v.value for v in scored.scale.values if v.needs_evidence] == ["2", "3"]
    assert len(percentage.scale.values) == 21 and percentage.scale.values[-2].label == "95%"
    assert percentage.scale.is_met("80") and not percentage.scale.is_met("75")
    assert percentage.scale.band_labels() == ["0-20%", "25-45%", "50-70%", "75-100%"]
    assert len(PERCENTAGE.read_text().split("scale:")[1].split("standards:")[0].strip().splitlines()) <= 7


def test_a_moderated_0_to_3_score_rolls_up_as_means_medians_and_share_met(engine, session):
    people = partnership(session)
    template = install(session, SCORED)
    cycle = run_year(engine, session, people, template, SCORED_ANSWERS, SCORED_MODERATIONS, name="2026")

    heatmap = reports.compliance_heatmap(session, cycle.id)
    assert heatmap.scale.numeric and heatmap.scale.met_words == "2 or more"
    # Alder 1: (3+1)/2 = 2.0, after QA (2+1)/2 = 1.5; 2: (2+3)/2 = 2.5 -> (2+1)/2 = 1.5. Birch's
    # Not applicable 2.1 counts in nothing. Cedar is not asked 2.2.
    assert _means(heatmap) == {
        "Alder Health Trust": {"1": (2.0, 1.5, 1), "2": (2.5, 1.5, 1)},
        "Birch Police": {"1": (2.0, 2.0, 0), "2": (0.0, 0.0, 0)},
        "Cedar Youth Club": {"1": (3.0, 3.0, 0), "2": (1.0, 1.0, 0)},
    }
    # Standard 1: 3,1,2,2,3,3 -> mean 14/6, median 2.5, 5 of 6 at 2 or more; after QA 2,1,2,2,3,3.
    assert _figures(heatmap.overall.measures["1"]) == (
        (2.33, 2.5, 83.3, (0, 1, 2, 3)), (2.17, 2.0, 83.3, (0, 1, 3, 2)), 0.17,
    )
    # Standard 2: 2,3,0,1 -> 1.5; after QA 2,1,0,1 -> 1.0, only one of four met.
    assert _figures(heatmap.overall.measures["2"]) == (
        (1.5, 1.5, 50.0, (1, 1, 1, 1)), (1.0, 1.0, 25.0, (1, 2, 1, 0)), 0.5,
    )
    statutory, non_statutory = heatmap.by_statutory
    assert statutory.measures["2"].self_assessed.mean == 1.67 and non_statutory.measures["2"].self_assessed.mean == 1.0
    alder = heatmap.rows[0]
    assert (alder.overall.self_assessed.mean, alder.overall.self_assessed.median, alder.overall.moderated.mean) == (
        2.25, 2.5, 1.5
    )
    # QA's 3->2 and 3->1 do not change the weakest element, but they show, with numbers.
    assert [
        (o.agency_name, o.standard_number, o.self_mean, o.moderated_mean, o.gap, o.elements_down, o.moderated_refs)
        for o in heatmap.over_ratings
    ] == [
        ("Alder Health Trust", "1", 2.0, 1.5, 0.5, 1, ["1.1"]),
        ("Alder Health Trust", "2", 2.5, 1.5, 1.0, 1, ["2.2"]),
    ]

    # Year on year: the next cycle, Alder and Birch only, compares means.
    second = run_year(
        engine,
        session,
        people,
        template,
        {"alder": {"1.1": "3", "1.2": "2", "2.1": "3", "2.2": "3"}, "birch": {"1.1": "1", "1.2": "2", "2.1": "2", "2.2": "2"}},
        {},
        name="2027",
        previous=cycle.id,
    )
    years = reports.year_on_year(session, second.id)
    assert {row.agency_name: (row.means, row.change) for row in years.rows} == {
        "Alder Health Trust": ({"1": [2.0, 2.5], "2": [2.5, 3.0]}, {"1": "improved", "2": "improved"}),
        "Birch Police": ({"1": [2.0, 1.5], "2": [0.0, 2.0]}, {"1": "declined", "2": "improved"}),
    }
    # The same measures each year: 2026 over the three agencies rated then, 2027 over two.
    assert [(p.self_assessed.mean, p.self_assessed.median, p.self_assessed.share_met) for p in years.by_standard["1"]] == [
        (2.33, 2.5, 83.3), (2.0, 2.0, 75.0),
    ]
    assert [p.moderated.mean for p in years.by_standard["2"]] == [1.0, 2.5]

    # The files carry the same measures.
    figures = exports.cycle_figures(session, cycle.id)
    cell = figures["heatmap"]["rows"][0]["cells"]["1"]["measures"]
    assert (cell["self_assessed"]["mean"], cell["moderated"]["mean"], cell["gap"]) == (2.0, 1.5, 0.5)
    rows = _sheet_rows(exports.cycle_xlsx(session, cycle.id), "Measures")
    assert rows[0][:9] == (
        "Group", "Standard", "Elements scored", "Mean", "Median", "Met (2 or more) %", "Moderated mean",
        "Moderated median", "Moderated met %",
    )
    assert ("All agencies", "1 Leadership", 6, 2.33, 2.5, 83.3, 2.17, 2.0, 83.3) in [r[:9] for r in rows]
    over = _sheet_rows(exports.cycle_xlsx(session, cycle.id), "Over-ratings")
    assert over[1][:6] == ("Alder Health Trust", "1 Leadership", 2.0, 1.5, 0.5, "1.1")
    with zipfile.ZipFile(io.BytesIO(exports.cycle_csv_zip(session, cycle.id))) as archive:
        assert "All agencies,1 Leadership,6,2.33,2.5,83.3,2.17,2.0,83.3" in archive.read("measures.csv").decode("utf-8-sig")
    year_sheet = _sheet_rows(exports.cycle_xlsx(session, second.id), "Year on year")
    assert [r[:6] for r in year_sheet[1:3]] == [
        ("2026", "1 Leadership", 6, 2.33, 2.5, 83.3), ("2026", "2 Safer workforce", 4, 1.5, 1.5, 50.0)
    ]
    report = pdf_text(pdfs.annual_report_pdf(session, cycle.id))
    assert "1 Leadership 2.33 2.5 83.3% 2.17 2 83.3% 0.17" in report
    assert "Alder Health Trust 2 (QA: 1.5) 2.5 (QA: 1.5) 2.25 (median 2.5)" in report
    assert "Alder Health Trust 2 Safer workforce 2.5 1.5 1.0 2.2 1" in report
    later = pdf_text(pdfs.annual_report_pdf(session, second.id))
    assert "Birch Police 2 → 1.5 0 → 2" in later


def _sheet_rows(data: bytes, name: str) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True)[name].iter_rows(values_only=True))


def test_a_percentage_in_5_percent_steps_rolls_up_in_bands_with_not_applicable_left_out(engine, session, drawings):
    people = partnership(session)
    template = install(session, PERCENTAGE)
    cycle = run_year(engine, session, people, template, PERCENTAGE_ANSWERS, PERCENTAGE_MODERATIONS, name="2026")

    heatmap = reports.compliance_heatmap(session, cycle.id)
    assert (heatmap.scale.unit, heatmap.scale.band_labels) == ("%", ["0-20%", "25-45%", "50-70%", "75-100%"])
    assert _means(heatmap) == {
        "Alder Health Trust": {"1": (92.5, 82.5, 1), "2": (77.5, 65.0, 1)},
        "Birch Police": {"1": (40.0, 40.0, 0), "2": (77.5, 77.5, 0)},
        "Cedar Youth Club": {"1": (97.5, 97.5, 0), "2": (20.0, 20.0, 0)},
    }
    # Standard 1: 100,85,40,95,100 (Birch's 1.1 Not applicable) -> 84, median 95, 4 of 5 at 80% or more.
    assert _figures(heatmap.overall.measures["1"]) == ((84.0, 95.0, 80.0, (0, 1, 0, 4)), (80.0, 85.0, 80.0, (0, 1, 0, 4)), 4.0)
    # Standard 2: 60,95,80,75,20 -> 66, median 75; after QA 60,70,80,75,20 -> 61, median 70.
    assert _figures(heatmap.overall.measures["2"]) == ((66.0, 75.0, 40.0, (1, 0, 1, 3)), (61.0, 70.0, 20.0, (1, 0, 2, 2)), 5.0)
    assert [(o.standard_number, o.self_mean, o.moderated_mean, o.gap) for o in heatmap.over_ratings] == [
        ("1", 92.5, 82.5, 10.0),
        ("2", 77.5, 65.0, 12.5),
    ]
    # Not applicable needs no reason on this template: Birch's was saved without one and submitted.
    assert heatmap.rows[1].cells["1"].measures.self_assessed.scored == 1

    # Each chart of the scale says its numbers, and is drawn once until they change.
    made = [
        lambda: charts.measures_by_standard(heatmap.overall, heatmap),
        lambda: charts.bands_by_standard(heatmap.overall, heatmap),
        lambda: charts.measures_heatmap_grid(heatmap),
    ]
    for make in made:
        assert make().svg() == make().svg()
    assert len(drawings) == len(made)
    assert "standard 1: 84% self-assessed, 80% after QA moderation" in made[0]().alt
    assert "standard 2: 0-20% 1, 50-70% 1, 75-100% 3" in made[1]().alt
    assert "Alder Health Trust: standard 1 92.5%, standard 2 77.5%" in made[2]().alt

    rows = _sheet_rows(exports.cycle_xlsx(session, cycle.id), "Measures")
    assert rows[0][5] == "Met (80% or more) %"
    assert ("All agencies", "2 Safer workforce", 5, 66.0, 75.0, 40.0, 61.0, 70.0, 20.0) in [r[:9] for r in rows]
    assert json.loads(exports.cycle_figures_json(session, cycle.id))["heatmap"]["scale"]["band_labels"][-1] == "75-100%"


def test_moderation_switched_off_refuses_a_moderated_rating(engine, session, tmp_path):
    people = partnership(session)
    path = tmp_path / "unmoderated.yaml"
    path.write_text(SCORED.read_text().replace("  not_applicable: true\n", "  not_applicable: true\n  moderation: false\n"))
    template = install(session, path)
    with pytest.raises(DomainError, match="does not use moderated ratings"):
        run_year(engine, session, people, template, {"alder": SCORED_ANSWERS["alder"]}, {"alder": {"1.1": "2"}}, name="2026")
