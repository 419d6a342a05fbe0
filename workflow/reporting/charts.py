"""The Board's charts, drawn on the server: SVG for the pages, PNG for the PDF.

Each chart carries alt text that states its figures, and every bar or cell is labelled with its
number or its rating's words, so nothing is said by colour alone. Figures are built with
matplotlib's object API (no pyplot), so requests share no global figure state.
"""

import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, partial
from html import escape

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter, DayLocator, MonthLocator
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from models.audit_return import ReturnState
from workflow.answering.ratings import Rating
from workflow.reporting.figures_cache import Kept
from workflow.reporting.measures import Pair
from workflow.reporting.reports import (
    ActionPlans,
    CycleProgress,
    GroupSummary,
    Heatmap,
    HeatmapCell,
    HeatmapRow,
    ScaleFacts,
    YearOnYear,
)
from workflow.reporting.scale_colours import scored_colours, text_on
from workflow.templates.spec import NOT_APPLICABLE

# Grey for Not applicable; the scored values' colours are scale_colours'.
NOT_APPLICABLE_COLOUR = "#b1b4b6"
BLUE, RED, GREEN, GREY, DARK_GREY = "#1d70b8", "#d4351c", "#00703c", "#b1b4b6", "#505a5f"
STATE_COLOURS = ["#b1b4b6", "#ffdd00", "#5694ca", "#f47738", "#d53880", "#4c2c92", "#00703c", "#505a5f"]
NOTHING_SUBMITTED = "No return has been submitted yet."
# A sequential ramp for numeric scales, lowest to highest: viridis in seven steps, which stays in
# order of lightness for every kind of colour blindness (and in greyscale); the cells also carry
# their number, so the colour is never the only way to read one.
RAMP = ["#440154", "#443983", "#31688e", "#21918c", "#35b779", "#90d743", "#fde725"]
SELF_COLOUR, MODERATED_COLOUR = "#1d70b8", "#f47738"  # blue beside orange: told apart by every eye
MOST_LEGEND_COLUMNS = 4
# Real text in the SVG (so it can be read and searched), and ids that do not change between runs.
STYLE = {"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "none", "svg.hashsalt": "s11"}


@dataclass(frozen=True)
class Chart:
    """A chart's words, and how to draw it: drawing is left until a picture is asked for, and a
    chart that names the `data` it shows is drawn once per change of that data (see `svg`)."""

    title: str
    alt: str
    draw: Figure | Callable[[], Figure]
    data: object = None

    @cached_property
    def figure(self) -> Figure:
        return self.draw if isinstance(self.draw, Figure) else self.draw()

    @property
    def version(self) -> str | None:
        """A digest of everything the picture shows; None when the chart did not say (never cached)."""
        if self.data is None:
            return None
        return hashlib.sha256(repr((self.title, self.alt, self.data)).encode()).hexdigest()

    def svg(self) -> str:
        """Inline SVG, announced to screen readers by its title and alt text; drawn once per version."""
        version = self.version
        if version is None:
            return self._svg()
        return _drawn.get(version, self._svg)

    def _svg(self) -> str:
        buffer = io.StringIO()
        with rc_context(STYLE):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        svg = buffer.getvalue()
        svg = svg[svg.index("<svg") :]
        label = f"<title>{escape(self.title)}</title><desc>{escape(self.alt)}</desc>"
        return re.sub(r"<svg\b([^>]*)>", lambda m: f'<svg{m[1]} role="img" aria-label="{escape(self.alt)}">{label}', svg, count=1)

    def png(self, dpi: int = 150) -> bytes:
        buffer = io.BytesIO()
        with rc_context(STYLE):
            self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()


# Pictures by version: matplotlib takes a second or more per chart, so a page shows the picture
# drawn when its figures last changed (a version is a digest of what it shows: never stale).
_drawn = Kept(size=256, max_age=math.inf)


def rating_colours(legend: list[Rating]) -> dict[str, str]:
    """A colour of its own for each scored value, weakest first; Not applicable is grey."""
    scored = [r.value for r in legend if r.value != NOT_APPLICABLE]
    colours = dict(zip(scored, scored_colours(len(scored)), strict=True))
    return {**colours, NOT_APPLICABLE: NOT_APPLICABLE_COLOUR}


NICE_WIDTHS = (0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50)


def _ramp_widths(scale: ScaleFacts) -> tuple[float, list[str]] | None:
    """A round step for the ramp (0.5 of a 0-3 score, 20 of a percentage) and a colour per step,
    spread over the ramp; None when the scale has no range."""
    low, high = scale.lowest, scale.highest
    if low is None or high is None or high <= low:
        return None
    width = next((w for w in NICE_WIDTHS if (high - low) / w <= len(RAMP)), (high - low) / len(RAMP))
    count = max(1, round((high - low) / width))
    return width, [RAMP[round(i * (len(RAMP) - 1) / max(count - 1, 1))] for i in range(count)]


def ramp_step(scale: ScaleFacts, value: float | None) -> int | None:
    """Which step of the ramp a score falls on, lowest 0 (the top score is in the last step)."""
    found = _ramp_widths(scale)
    if value is None or found is None:
        return None
    width, colours = found
    return min(len(colours) - 1, max(0, int((value - scale.lowest) // width)))


def ramp_colour(scale: ScaleFacts, value: float | None) -> str:
    step = ramp_step(scale, value)
    return "#ffffff" if step is None else _ramp_widths(scale)[1][step]


def ramp_legend(scale: ScaleFacts) -> list[tuple[str, str]]:
    """(colour, the scores it stands for) for each step of the ramp, lowest first."""
    found = _ramp_widths(scale)
    if found is None:
        return []
    width, colours = found
    words = []
    for i, colour in enumerate(colours):
        start, end = scale.lowest + i * width, scale.lowest + (i + 1) * width
        last = i == len(colours) - 1
        words.append(
            (colour, f"{scale.number(start)} to {scale.number(scale.highest) if last else 'under ' + scale.number(end)}")
        )
    return words


def _legend_below(axes: Axes, handles: list, labels: list[str]) -> None:
    """A legend under the plot, in rows of as many entries as fit the figure's width, that the
    layout makes room for: however many entries it has, none is cut off."""
    axes.figure.legend(
        handles, labels, loc="outside lower center", ncols=_legend_columns(axes.figure.get_figwidth(), labels),
        fontsize=7, frameon=False,
    )


def _legend_columns(width: float, labels: list[str]) -> int:
    """How many legend entries fit side by side in `width` inches (7-point text)."""
    longest = max((len(label) for label in labels), default=1)
    return max(1, min(len(labels), MOST_LEGEND_COLUMNS, int(width // (0.35 + 0.065 * longest))))


def _legend_height(width: float, labels: list[str]) -> float:
    """The inches a legend of `labels` below a figure `width` wide takes."""
    return 0.22 * -(-len(labels) // _legend_columns(width, labels)) + 0.1


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with the background (4.5:1 at the least)."""
    return "black" if text_on(background) == "#000000" else "white"


def _draw(width: float, height: float, draw: Callable[[Axes], None]) -> Figure:
    with rc_context(STYLE):
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
        axes.spines[["top", "right"]].set_visible(False)
        draw(axes)
    return figure


def _stacked_bars(axes: Axes, names: list[str], parts: list[tuple[str, list[int], str]], unit: str) -> None:
    """Horizontal stacked bars, each part numbered inside it, with a legend below."""
    left = [0] * len(names)
    for label, widths, colour in parts:
        bars = axes.barh(names, widths, left=left, label=label, color=colour, edgecolor="white")
        axes.bar_label(bars, labels=[str(w) if w else "" for w in widths], label_type="center", color=text_colour(colour))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(unit)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, labels = axes.get_legend_handles_labels()
    _legend_below(axes, handles, labels)


def _standard_bars(numbers: list[str], parts: list[tuple[str, list[int], str]], unit: str) -> Figure:
    height = 0.45 * len(numbers) + 1.2 + _legend_height(7, [label for label, _, _ in parts])
    return _draw(7, height, lambda axes: _stacked_bars(axes, [f"Standard {n}" for n in numbers], parts, unit))


def returns_by_state(progress: CycleProgress) -> Chart:
    states = list(ReturnState)
    counts = [progress.by_state[s.value] for s in states]

    def draw(axes: Axes) -> None:
        axes.bar_label(axes.barh([s.title for s in states], counts, color=BLUE), padding=3)
        axes.invert_yaxis()
        axes.set_xlabel("Returns")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))

    words = ", ".join(f"{s.title} {n}" for s, n in zip(states, counts, strict=True))
    return Chart("Returns by state", f"Returns by state, {progress.total} in all: {words}.", partial(_draw, 6, 3.2, draw), counts)


def states_over_time(progress: CycleProgress) -> Chart:
    """The returns stacked by state, day by day: the cycle's flow from invited to signed."""
    history = progress.states_over_time
    days = [d.day for d in history]
    shown = [s for s in ReturnState if any(d.counts[s.value] for d in history)]

    def draw(axes: Axes) -> None:
        if shown:
            # Each day's counts hold until the next day, so the last day is drawn a day wide too.
            ends = [*days, days[-1] + timedelta(days=1)]
            axes.stackplot(
                ends,
                [[d.counts[s.value] for d in [*history, history[-1]]] for s in shown],
                labels=[s.title for s in shown],
                colors=STATE_COLOURS[: len(shown)],
                step="post",
            )
            handles, labels = axes.get_legend_handles_labels()
            # Listed top to bottom as the bands are stacked.
            axes.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
        axes.set_ylabel("Returns")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if days:
            _date_axis(axes, days[0], days[-1] + timedelta(days=1))

    figure = partial(_draw, 7.5, 3.4, draw)
    if not history:
        return Chart("Returns by state over time", "The cycle has not been launched yet.", figure, history)
    words = ", ".join(f"{s.title} {history[-1].counts[s.value]}" for s in shown)
    alt = f"Returns by state each day from {_long(days[0])} to {_long(days[-1])}. On the last day: {words}."
    return Chart("Returns by state over time", alt, figure, history)


def _date_axis(axes: Axes, start: date, end: date) -> None:
    """An axis spanning the days of the data (a day's data is a day, not four years), ticked on
    whole days or months, in words ("2 Dec"), with the year or years below."""
    axes.set_xlim(start, end)
    span = (end - start).days
    if span <= 92:
        axes.xaxis.set_major_locator(DayLocator(interval=max(1, -(-span // 7))))
        axes.xaxis.set_major_formatter(DateFormatter("%-d %b"))
    else:
        axes.xaxis.set_major_locator(MonthLocator(interval=max(1, -(-span // 210))))
        axes.xaxis.set_major_formatter(DateFormatter("%b"))
    last = end - timedelta(days=1)
    axes.set_xlabel(str(start.year) if start.year == last.year else f"{start.year} to {last.year}")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def ratings_by_standard(summary: GroupSummary, heatmap: Heatmap, *, moderated: bool = False) -> Chart:
    """How many agencies of a group gave each rating to each standard."""
    counts = summary.moderated if moderated else summary.self_assessed
    colours = rating_colours(heatmap.legend)
    numbers = [s.number for s in heatmap.standards]
    parts = [(r.label, [counts[n][r.value] for n in numbers], colours[r.value]) for r in heatmap.legend]
    figure = partial(_standard_bars, numbers, parts, "Agencies")
    kind = "moderated" if moderated else "self-assessed"
    words = "; ".join(
        f"standard {n}: "
        + (", ".join(f"{r.label} {counts[n][r.value]}" for r in heatmap.legend if counts[n][r.value]) or "no ratings")
        for n in numbers
    )
    return Chart(
        f"Ratings by standard ({kind}): {summary.group}",
        f"{summary.agencies} agencies, {kind} ratings by standard: {words}.",
        figure,
        (numbers, parts),
    )


def _draw_grid(
    axes: Axes, numbers: list[str], rows: list[HeatmapRow], cell: Callable[[HeatmapCell], tuple[str, str]]
) -> bool:
    """Agencies down, standards across, each square filled and written as `cell` says; one drawing
    for ratings and for scores. False (and the axes say nothing is submitted) when there are no rows."""
    if not rows:
        axes.axis("off")
        axes.text(0.5, 0.5, NOTHING_SUBMITTED, ha="center", va="center")
        return False
    for y, row in enumerate(rows):
        for x, number in enumerate(numbers):
            colour, text = cell(row.cells[number])
            axes.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
            axes.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=7, color=text_colour(colour))
    axes.set_xlim(0, len(numbers))
    axes.set_ylim(len(rows), 0)
    axes.set_xticks([x + 0.5 for x in range(len(numbers))], [f"Standard {n}" for n in numbers])
    axes.set_yticks([y + 0.5 for y in range(len(rows))], [row.agency_name for row in rows])
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    return True


def heatmap_grid(heatmap: Heatmap, *, moderated: bool = False) -> Chart:
    """Agencies by standards, each cell coloured and written with its rating's label."""
    colours = rating_colours(heatmap.legend)
    numbers = [s.number for s in heatmap.standards]
    rows = heatmap.rows

    def pick(cell: HeatmapCell) -> Rating | None:
        return cell.moderated if moderated else cell.self_assessed

    def cell(heatmap_cell: HeatmapCell) -> tuple[str, str]:
        rating = pick(heatmap_cell)
        return (colours[rating.value] if rating else "#ffffff", rating.label if rating else "Not rated")

    def draw(axes: Axes) -> None:
        _draw_grid(axes, numbers, rows, cell)

    figure = partial(_draw, 2.2 + 1.1 * len(numbers), 0.3 * len(rows) + 0.8, draw)
    given = Counter((n, rating.label) for row in rows for n, cell in row.cells.items() if (rating := pick(cell)))
    words = "; ".join(
        f"standard {n}: " + ", ".join(f"{r.label} {given[n, r.label]}" for r in heatmap.legend if given[n, r.label])
        for n in numbers
    )
    kind = "moderated" if moderated else "self-assessed"
    if not rows:
        return Chart(f"Ratings by agency and standard ({kind})", NOTHING_SUBMITTED, figure, ())
    alt = f"The {kind} rating of each of {len(numbers)} standards by each of {len(rows)} agencies. In all, {words}."
    shown = (numbers, colours, [(row.agency_name, [pick(row.cells[n]) for n in numbers]) for row in rows])
    return Chart(f"Ratings by agency and standard ({kind})", alt, figure, shown)


def actions_by_standard(plans: ActionPlans) -> Chart:
    """Per standard: open and on track, overdue, completed, cancelled."""
    rows = plans.by_standard
    parts = [
        ("Open, on track", [r.counts.open - r.counts.overdue for r in rows], BLUE),
        ("Overdue", [r.counts.overdue for r in rows], RED),
        ("Completed", [r.counts.completed for r in rows], GREEN),
        ("Cancelled", [r.counts.cancelled for r in rows], DARK_GREY),
    ]
    figure = partial(
        _draw,
        7,
        0.45 * len(rows) + 1.5,
        lambda axes: _stacked_bars(axes, [f"Standard {r.standard.number}" for r in rows], parts, "Actions"),
    )
    words = "; ".join(
        f"standard {r.standard.number}: {r.counts.open} open of which {r.counts.overdue} overdue, "
        f"{r.counts.completed} completed, {r.counts.cancelled} cancelled"
        for r in rows
    )
    return Chart("Actions by standard", f"{plans.total.total} actions in the plans. {words}.", figure, (rows, parts))


CHANGES = [("Improved", "improved", GREEN), ("Same", "same", GREY), ("Declined", "declined", RED)]


def year_on_year_changes(figures: YearOnYear) -> Chart:
    """Per standard, how many agencies improved, stayed the same or declined since the cycle before."""
    numbers = [s.number for s in figures.standards]
    counts = {n: Counter(row.change[n] for row in figures.rows) for n in numbers}
    parts = [(label, [counts[n][key] for n in numbers], colour) for label, key, colour in CHANGES]
    figure = partial(_standard_bars, numbers, parts, "Agencies")
    if len(figures.cycles) < 2:
        return Chart("Change since the cycle before", "There is no earlier cycle to compare with.", figure, (numbers, parts))
    since = figures.cycles[-2].name
    words = "; ".join(
        f"standard {n}: " + ", ".join(f"{label.lower()} {counts[n][key]}" for label, key, _ in CHANGES) for n in numbers
    )
    return Chart(f"Change since {since}", f"Agencies whose rating changed since {since}: {words}.", figure, (numbers, parts))


# --- Numeric scales: means side by side, the distribution in bands, the heatmap on a ramp -------


def measures_by_standard(summary: GroupSummary, heatmap: Heatmap) -> Chart:
    """Per standard, the mean score as self-assessed beside the mean after QA moderation, with the
    "met" threshold marked: the Board's first question of a numeric scale."""
    scale = heatmap.scale
    numbers = [s.number for s in heatmap.standards]
    pairs = [summary.measures[n] for n in numbers]
    own = [p.self_assessed.mean for p in pairs]
    after = [p.moderated.mean for p in pairs]

    def draw(axes: Axes) -> None:
        places = list(range(len(numbers)))
        for offset, values, colour, label in (
            (-0.2, own, SELF_COLOUR, "Self-assessed"), (0.2, after, MODERATED_COLOUR, "After QA moderation")
        ):
            bars = axes.barh([y + offset for y in places], [v or 0 for v in values], height=0.38, color=colour, label=label)
            axes.bar_label(bars, labels=[scale.number(v) for v in values], padding=3, fontsize=7)
        axes.set_yticks(places, [f"Standard {n}" for n in numbers])
        axes.invert_yaxis()
        axes.set_xlim(scale.lowest or 0, (scale.highest or 1) * 1.12)
        axes.set_xlabel("Mean score" + (" (%)" if scale.unit else ""))
        handles, labels = axes.get_legend_handles_labels()
        if scale.met_from is not None:
            line = axes.axvline(scale.met_from, color="black", linestyle="--", linewidth=1)
            handles, labels = [*handles, line], [*labels, f"Met: {scale.met_words}"]
        _legend_below(axes, handles, labels)

    words = "; ".join(
        f"standard {n}: {scale.number(a)} self-assessed, {scale.number(b)} after QA moderation"
        for n, a, b in zip(numbers, own, after, strict=True)
    )
    return Chart(
        f"Mean score by standard: {summary.group}",
        f"{summary.agencies} agencies, mean score of each standard's elements. {words}.",
        partial(_draw, 7, 0.6 * len(numbers) + 1.6, draw),
        (numbers, own, after, scale),
    )


def bands_by_standard(summary: GroupSummary, heatmap: Heatmap, *, moderated: bool = False) -> Chart:
    """How many elements of each standard fell in each band of the scale, on the ramp."""
    scale = heatmap.scale
    numbers = [s.number for s in heatmap.standards]
    pick = (lambda p: p.moderated) if moderated else (lambda p: p.self_assessed)
    count = len(scale.band_labels)
    colours = [RAMP[round(i * (len(RAMP) - 1) / max(count - 1, 1))] for i in range(count)]
    parts = [
        (band, [pick(summary.measures[n]).bands[i] if pick(summary.measures[n]).bands else 0 for n in numbers], colours[i])
        for i, band in enumerate(scale.band_labels)
    ]
    kind = "moderated" if moderated else "self-assessed"
    words = "; ".join(
        f"standard {n}: " + ", ".join(f"{band} {values[j]}" for band, values, _ in parts if values[j])
        for j, n in enumerate(numbers)
    )
    return Chart(
        f"Elements by band ({kind}): {summary.group}",
        f"How many elements of each standard were rated in each band, {kind}: {words or 'none'}.",
        partial(_standard_bars, numbers, parts, "Elements"),
        (numbers, parts),
    )


def measures_heatmap_grid(heatmap: Heatmap, *, moderated: bool = False) -> Chart:
    """Agencies by standards on a numeric scale: each cell the mean score, written and coloured
    on the ramp, with the ramp's legend beside."""
    scale = heatmap.scale
    numbers = [s.number for s in heatmap.standards]
    rows = heatmap.rows

    def mean(cell: HeatmapCell) -> float | None:
        pair: Pair | None = cell.measures
        if pair is None:
            return None
        return (pair.moderated if moderated else pair.self_assessed).mean

    def cell(heatmap_cell: HeatmapCell) -> tuple[str, str]:
        value = mean(heatmap_cell)
        return (ramp_colour(scale, value), scale.number(value) if value is not None else "Not scored")

    def draw(axes: Axes) -> None:
        if not _draw_grid(axes, numbers, rows, cell):
            return
        legend = ramp_legend(scale)
        _legend_below(axes, [Patch(facecolor=c, edgecolor=DARK_GREY) for c, _ in legend], [w for _, w in legend])

    kind = "moderated" if moderated else "self-assessed"
    title = f"Mean score by agency and standard ({kind})"
    width = 2.2 + 1.1 * len(numbers)
    figure = partial(_draw, width, 0.3 * len(rows) + 0.9 + _legend_height(width, [w for _, w in ramp_legend(scale)]), draw)
    if not rows:
        return Chart(title, NOTHING_SUBMITTED, figure, ())
    shown = [(row.agency_name, [mean(row.cells[n]) for n in numbers]) for row in rows]
    words = "; ".join(
        f"{name}: " + ", ".join(f"standard {n} {scale.number(v)}" for n, v in zip(numbers, values, strict=True))
        for name, values in shown
    )
    alt = f"The {kind} mean score of each of {len(numbers)} standards by each of {len(rows)} agencies. {words}."
    return Chart(title, alt, figure, (numbers, shown, scale))
