"""A listed rating scale of any length gives each scored value a colour of its own on the charts,
their keys and the heatmap's tags, with text on it that can be read; up to five values keep the
colours they always had."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from web.reports.figures import rating_tags
from workflow.answering.ratings import Rating
from workflow.reporting import charts
from workflow.reporting.scale_colours import LONG, contrast, oklab_distance, scored_colours, text_on
from workflow.templates.spec import MAX_VALUES, NOT_APPLICABLE

REPORTS_CSS = Path(__file__).parents[1] / "web" / "static" / "reports.css"


def _legend(count: int, *, not_applicable: bool = True) -> list[Rating]:
    scored = [Rating(f"level-{i}", f"Level {i}", float(i)) for i in range(count)]
    return scored + ([Rating(NOT_APPLICABLE, "Not applicable", None)] if not_applicable else [])


def _readable(colour: str) -> float:
    """The contrast of the text the charts write on the colour."""
    return contrast(colour, "#000000" if charts.text_colour(colour) == "black" else "#ffffff")


def test_scales_of_up_to_five_values_keep_their_colours():
    assert charts.rating_colours(_legend(3)) == {
        "level-0": "#d4351c", "level-1": "#ffdd00", "level-2": "#00703c", NOT_APPLICABLE: "#b1b4b6"
    }
    assert list(charts.rating_colours(_legend(5, not_applicable=False)).values())[:5] == [
        "#d4351c", "#f47738", "#ffdd00", "#85994b", "#00703c"
    ]
    assert rating_tags(_legend(3)) == {"level-0": "red", "level-1": "yellow", "level-2": "green", NOT_APPLICABLE: "grey"}
    assert list(rating_tags(_legend(5)).values())[:5] == ["red", "orange", "yellow", "turquoise", "green"]


@pytest.mark.parametrize("count", [6, 7, 10, 16])
def test_a_longer_listed_scale_gives_every_value_its_own_colour_on_charts_and_tags(count):
    colours = charts.rating_colours(_legend(count))
    scored = [colours[f"level-{i}"] for i in range(count)]
    assert scored[0] == "#d4351c" and scored[-1] == "#00703c"  # weakest red, best green, as before
    # Told apart: 0.02 is just noticeable.
    assert min(oklab_distance(a, b) for i, a in enumerate(scored) for b in scored[i + 1 :]) >= 0.035
    assert colours[NOT_APPLICABLE] not in scored
    assert all(_readable(c) >= 4.5 for c in scored)

    tags = rating_tags(_legend(count))
    assert len({tags[f"level-{i}"] for i in range(count)}) == count and tags[NOT_APPLICABLE] == "grey"


def test_every_length_a_template_may_give_has_a_colour_per_value_with_readable_text():
    for count in range(6, MAX_VALUES + 1):
        colours = scored_colours(count)
        assert len(set(colours)) == count, count
        assert all(_readable(c) >= 4.5 for c in colours), count


def test_the_pages_tag_colours_are_the_long_scales_colours_with_readable_text():
    rules = dict(re.findall(r"\.govuk-tag--scale-(\d+) \{ background-color: (#[0-9a-f]{6}); color: #", REPORTS_CSS.read_text()))
    texts = re.findall(r"\.govuk-tag--scale-\d+ \{ background-color: #[0-9a-f]{6}; color: (#[0-9a-f]{6}); \}",
                       REPORTS_CSS.read_text())
    assert [rules[str(i)] for i in range(len(LONG))] == LONG and len(rules) == len(LONG)
    for background, text in zip(LONG, texts, strict=True):
        assert text == text_on(background, "#0b0c0c") and contrast(background, text) >= 4.5


def test_the_ratings_chart_and_its_key_show_each_of_seven_values_in_its_own_colour():
    legend = _legend(7, not_applicable=False)
    counts = {"1": {r.value: 1 for r in legend}}
    summary = SimpleNamespace(group="All agencies", agencies=7, self_assessed=counts, moderated=counts)
    heatmap = SimpleNamespace(legend=legend, standards=[SimpleNamespace(number="1", title="Leadership")])

    svg = charts.ratings_by_standard(summary, heatmap).svg()

    shown = set(re.findall(r"fill: ?(#[0-9a-f]{6})", svg))
    colours = {colour for value, colour in charts.rating_colours(legend).items() if value != NOT_APPLICABLE}
    assert len(colours) == 7 and colours <= shown
