"""The Board's charts, drawn on the server: SVG for the pages, PNG for the PDF.

Each chart carries alt text that states its figures, and every bar or cell is labelled with its
number or its rating's words, so nothing is said by colour alone. Figures are built with
matplotlib's object API (no pyplot), so requests share no global figure state.
"""

import hashlib
import io
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from html import escape

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from models.audit_return import ReturnState
from workflow.answering.ratings import Rating
from workflow.reporting.reports import ActionPlans, CycleProgress, GroupSummary, Heatmap, HeatmapCell, YearOnYear
from workflow.templates.spec import NOT_APPLICABLE

# GOV.UK colours, weakest to best, and grey for Not applicable.
SCALE_COLOURS = ["#d4351c", "#f47738", "#ffdd00", "#85994b", "#00703c"]
NOT_APPLICABLE_COLOUR = "#b1b4b6"
BLUE, RED, GREEN, GREY, DARK_GREY = "#1d70b8", "#d4351c", "#00703c", "#b1b4b6", "#505a5f"
STATE_COLOURS = ["#b1b4b6", "#ffdd00", "#5694ca", "#f47738", "#d53880", "#4c2c92", "#00703c", "#505a5f"]
NOTHING_SUBMITTED = "No return has been submitted yet."
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


class DrawnOnce:
    """Pictures by version, the least recently used dropped past `size`: matplotlib takes a second
    or more per chart, so a page shows the picture drawn when its figures last changed."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._kept: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str, draw: Callable[[], str]) -> str:
        with self._lock:
            if version in self._kept:
                self._kept.move_to_end(version)
                return self._kept[version]
        picture = draw()  # outside the lock: another chart need not wait for this one
        with self._lock:
            self._kept[version] = picture
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return picture

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


_drawn = DrawnOnce()


def rating_colours(legend: list[Rating]) -> dict[str, str]:
    """Spread the palette over the scale, weakest first; Not applicable is grey."""
    scored = [r.value for r in legend if r.value != NOT_APPLICABLE]
    last = max(len(scored) - 1, 1)
    colours = {v: SCALE_COLOURS[round(i * (len(SCALE_COLOURS) - 1) / last)] for i, v in enumerate(scored)}
    return {**colours, NOT_APPLICABLE: NOT_APPLICABLE_COLOUR}


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on the background."""
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


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
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.5 / max(len(names), 1) - 0.1), ncols=len(parts), fontsize=7)


def _standard_bars(numbers: list[str], parts: list[tuple[str, list[int], str]], unit: str) -> Figure:
    return _draw(7, 0.45 * len(numbers) + 1.5, lambda axes: _stacked_bars(axes, [f"Standard {n}" for n in numbers], parts, unit))


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
            axes.stackplot(
                days,
                [[d.counts[s.value] for d in history] for s in shown],
                labels=[s.title for s in shown],
                colors=STATE_COLOURS[: len(shown)],
                step="post",
            )
            handles, labels = axes.get_legend_handles_labels()
            # Listed top to bottom as the bands are stacked.
            axes.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
        axes.set_ylabel("Returns")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        for label in axes.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")

    figure = partial(_draw, 7.5, 3.4, draw)
    if not history:
        return Chart("Returns by state over time", "The cycle has not been launched yet.", figure, history)
    words = ", ".join(f"{s.title} {history[-1].counts[s.value]}" for s in shown)
    alt = f"Returns by state each day from {_long(days[0])} to {_long(days[-1])}. On the last day: {words}."
    return Chart("Returns by state over time", alt, figure, history)


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


def heatmap_grid(heatmap: Heatmap, *, moderated: bool = False) -> Chart:
    """Agencies by standards, each cell coloured and written with its rating's label."""
    colours = rating_colours(heatmap.legend)
    numbers = [s.number for s in heatmap.standards]
    rows = heatmap.rows

    def pick(cell: HeatmapCell) -> Rating | None:
        return cell.moderated if moderated else cell.self_assessed

    def draw(axes: Axes) -> None:
        if not rows:
            axes.axis("off")
            axes.text(0.5, 0.5, NOTHING_SUBMITTED, ha="center", va="center")
            return
        for y, row in enumerate(rows):
            for x, number in enumerate(numbers):
                rating = pick(row.cells[number])
                colour = colours[rating.value] if rating else "#ffffff"
                axes.add_patch(Rectangle((x, y), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5))
                axes.text(
                    x + 0.5,
                    y + 0.5,
                    rating.label if rating else "Not rated",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=text_colour(colour),
                )
        axes.set_xlim(0, len(numbers))
        axes.set_ylim(len(rows), 0)
        axes.set_xticks([x + 0.5 for x in range(len(numbers))], [f"Standard {n}" for n in numbers])
        axes.set_yticks([y + 0.5 for y in range(len(rows))], [row.agency_name for row in rows])
        axes.xaxis.tick_top()
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)

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
