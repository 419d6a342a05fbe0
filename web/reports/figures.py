"""How the report pages present the Board's figures: tag colours for ratings, and the days worth a
row in the table beside the states-over-time chart."""

from models.audit_return import ReturnState
from workflow.answering.ratings import Rating
from workflow.reporting.charts import RAMP, ramp_colour, ramp_legend
from workflow.reporting.reports import DayStates, ScaleFacts, YearOnYear
from workflow.reporting.scale_colours import long_steps
from workflow.templates.spec import NOT_APPLICABLE

# GOV.UK tag colours, weakest to best, spread over the scale as the charts spread theirs; a scale
# of more than five scored values takes the sixteen steps of reports.css's `govuk-tag--scale-N`
# instead, one for each value. Every tag also says its rating's words, so no cell relies on colour.
SCALE_TAGS = ["red", "orange", "yellow", "turquoise", "green"]
CHANGES = ("improved", "same", "declined")


def rating_tags(legend: list[Rating]) -> dict[str, str]:
    """The tag colour of each rating value (the legend is weakest first); Not applicable is grey."""
    scored = [r.value for r in legend if r.value != NOT_APPLICABLE]
    if len(scored) > len(SCALE_TAGS):
        return {**{value: f"scale-{step}" for value, step in zip(scored, long_steps(len(scored)), strict=True)},
                NOT_APPLICABLE: "grey"}
    last = max(len(scored) - 1, 1)
    tags = {value: SCALE_TAGS[round(i * (len(SCALE_TAGS) - 1) / last)] for i, value in enumerate(scored)}
    return {**tags, NOT_APPLICABLE: "grey"}


def state_changes(days: list[DayStates]) -> list[DayStates]:
    """The first day, each day the counts changed, and the last day: the step chart's every step."""
    kept = [day for i, day in enumerate(days) if i == 0 or day.counts != days[i - 1].counts]
    if days and kept[-1] is not days[-1]:
        kept.append(days[-1])
    return kept


def states_seen(days: list[DayStates]) -> list[ReturnState]:
    """The states any return was in on any of the days, in lifecycle order."""
    return [state for state in ReturnState if any(day.counts[state.value] for day in days)]


def change_counts(figures: YearOnYear) -> dict[str, dict[str, int]]:
    """Per standard, how many agencies improved, stayed the same or declined (as the chart counts)."""
    return {
        s.number: {key: sum(row.change[s.number] == key for row in figures.rows) for key in CHANGES} for s in figures.standards
    }


def ramp_class(scale: ScaleFacts, value: float | None) -> str:
    """The page's class for a score's colour on the ramp (app.scss holds the same colours)."""
    if value is None:
        return ""
    return f"app-ramp-{RAMP.index(ramp_colour(scale, value))}"


def ramp_key(scale: ScaleFacts) -> list[tuple[str, str]]:
    """(class, the scores it stands for) for the ramp's legend on the page."""
    return [(f"app-ramp-{RAMP.index(colour)}", words) for colour, words in ramp_legend(scale)]
