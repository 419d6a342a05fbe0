"""The Board's charts are drawn once per change of the figures they show, never on every request."""

import dataclasses
import re

import pytest
from matplotlib.figure import Figure

from workflow.reporting import charts, reports


@pytest.fixture
def drawings(monkeypatch) -> list[int]:
    """Every picture matplotlib draws, counted; the kept pictures emptied first."""
    drawn: list[int] = []
    savefig = Figure.savefig

    def counted(self, *args, **kwargs):
        drawn.append(1)
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counted)
    charts._drawn.clear()
    return drawn


def test_the_progress_chart_is_drawn_once_until_the_returns_move(reader, year, drawings):
    progress = reports.cycle_progress(reader, year.cycle_id)

    first = charts.returns_by_state(progress).svg()
    again = charts.returns_by_state(reports.cycle_progress(reader, year.cycle_id)).svg()
    assert again == first and len(drawings) == 1

    moved = dict(progress.by_state, invited=progress.by_state["invited"] - 1, in_progress=progress.by_state["in_progress"] + 1)
    changed = charts.returns_by_state(dataclasses.replace(progress, by_state=moved)).svg()
    assert changed != first and len(drawings) == 2


def test_each_chart_of_the_reports_is_kept_by_what_it_shows(reader, year, drawings):
    progress = reports.cycle_progress(reader, year.cycle_id)
    heatmap = reports.compliance_heatmap(reader, year.cycle_id)
    plans = reports.action_plans(reader, year.cycle_id)
    history = reports.year_on_year(reader, year.cycle_id)
    made = [
        lambda: charts.states_over_time(progress),
        lambda: charts.ratings_by_standard(heatmap.overall, heatmap),
        lambda: charts.ratings_by_standard(heatmap.overall, heatmap, moderated=True),
        lambda: charts.heatmap_grid(heatmap),
        lambda: charts.actions_by_standard(plans),
        lambda: charts.year_on_year_changes(history),
    ]
    for make in made:
        make().svg()
        make().svg()
    assert len(drawings) == len(made)


def test_a_chart_that_does_not_name_its_figures_is_drawn_each_time(drawings):
    figure = Figure()
    figure.add_subplot().barh(["one"], [1])
    chart = charts.Chart("Title", "Alt", figure)

    chart.svg()
    chart.svg()

    assert len(drawings) == 2


def test_the_progress_chart_spans_the_days_it_shows(reader, year):
    progress = reports.cycle_progress(reader, year.cycle_id)
    one_day = dataclasses.replace(progress, states_over_time=progress.states_over_time[:1])

    low, high = charts.states_over_time(one_day).figure.axes[0].get_xlim()
    assert high - low == 1  # one day's data spans one day, not four years
    low, high = charts.states_over_time(progress).figure.axes[0].get_xlim()
    assert high - low == len(progress.states_over_time)
    labels = [t.get_text() for t in charts.states_over_time(progress).figure.axes[0].get_xticklabels()]
    assert labels and all(re.fullmatch(r"\d{1,2} (Apr|May|Jun)", label) for label in labels), labels


def test_a_legend_of_many_ratings_stays_inside_the_picture():
    """21 percentages used to sit in one row of legend wider than the chart, cut off at its sides."""
    parts = [(f"{n}%", [1, 2], "#1d70b8") for n in range(0, 105, 5)]
    figure = charts._standard_bars(["1", "2"], parts, "Agencies")
    figure.canvas.draw()
    legend = figure.legends[0].get_window_extent()
    picture = figure.bbox
    assert picture.x0 <= legend.x0 and legend.x1 <= picture.x1 and picture.y0 <= legend.y0
