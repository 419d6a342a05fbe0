"""The measures as rows of a table, the same on the page, in the PDF and in the exports: so a
figure reads alike wherever the Board meets it. Self-assessed beside moderated, with the gap."""

from workflow.reporting.measures import Pair
from workflow.reporting.reports import Heatmap, OverRating, ScaleFacts, YearOnYear

Cell = str | int | float | None


def headers(scale: ScaleFacts) -> list[str]:
    """The measures' column names; bands only on a numeric scale."""
    bands = scale.band_labels if scale.numeric else []
    return [
        "Elements scored",
        "Mean",
        "Median",
        f"Met ({scale.met_words}) %",
        "Moderated mean",
        "Moderated median",
        "Moderated met %",
        "Gap (self-assessed minus moderated)",
        *[f"{band} (self-assessed)" for band in bands],
        *[f"{band} (moderated)" for band in bands],
    ]


def cells(pair: Pair | None, scale: ScaleFacts) -> list[Cell]:
    """One pair's figures in the order of `headers`."""
    bands = len(scale.band_labels) if scale.numeric else 0
    if pair is None:
        return [None] * (8 + 2 * bands)
    own, after = pair.self_assessed, pair.moderated
    return [
        own.scored,
        own.mean,
        own.median,
        own.share_met,
        after.mean,
        after.median,
        after.share_met,
        pair.gap,
        *(own.bands or (0,) * bands),
        *(after.bands or (0,) * bands),
    ]


def group_rows(heatmap: Heatmap) -> list[list[Cell]]:
    """Each group (all agencies, by duty, by sector), each standard and all standards together."""
    scale = heatmap.scale
    rows = []
    for group in [heatmap.overall, *heatmap.by_statutory, *heatmap.by_sector]:
        if not group.agencies:
            continue
        for standard in heatmap.standards:
            rows.append([group.group, f"{standard.number} {standard.title}", *cells(group.measures[standard.number], scale)])
        rows.append([group.group, "All standards", *cells(group.overall, scale)])
    return rows


def agency_rows(heatmap: Heatmap) -> list[list[Cell]]:
    """Each agency's standards: the weakest element's rating as rated and after QA, the means,
    the gap and how many elements QA moderated down; then its figures over all standards."""
    rows = []
    for row in heatmap.rows:
        who = [row.agency_name, row.sector, row.statutory]
        for standard in heatmap.standards:
            cell = row.cells[standard.number]
            rows.append(
                [
                    *who,
                    f"{standard.number} {standard.title}",
                    cell.self_assessed.label if cell.self_assessed else "Not rated",
                    cell.moderated.label if cell.moderated else "Not rated",
                    *_means(cell.measures),
                    cell.moderated_down,
                ]
            )
        overall = row.overall
        rows.append([*who, "All standards", "", "", *_means(overall), None])
    return rows


AGENCY_HEADERS = [
    "Agency",
    "Sector",
    "Statutory",
    "Standard",
    "Weakest element, self-assessed",
    "Weakest element, moderated",
    "Mean",
    "Median",
    "Moderated mean",
    "Moderated median",
    "Gap",
    "Elements moderated down",
]


def _means(pair: Pair | None) -> list[Cell]:
    if pair is None:
        return [None] * 5
    return [pair.self_assessed.mean, pair.self_assessed.median, pair.moderated.mean, pair.moderated.median, pair.gap]


OVER_RATING_HEADERS = [
    "Agency",
    "Standard",
    "Self-assessed mean",
    "Moderated mean",
    "Gap",
    "Elements moderated",
    "Elements moderated down",
    "Weakest element, self-assessed",
    "Weakest element, moderated",
]


def over_rating_row(o: OverRating) -> list[Cell]:
    return [
        o.agency_name,
        f"{o.standard_number} {o.standard_title}",
        o.self_mean,
        o.moderated_mean,
        o.gap,
        ", ".join(o.moderated_refs),
        o.elements_down,
        o.self_assessed.label,
        o.moderated.label,
    ]


def year_rows(history: YearOnYear) -> list[list[Cell]]:
    """Each standard (and all standards) in each cycle of the chain whose scale compares."""
    rows = []
    numbers = [(s.number, f"{s.number} {s.title}") for s in history.standards]
    for index, cycle in enumerate(history.cycles):
        for number, name in numbers:
            pair = history.by_standard[number][index]
            if pair is not None:
                rows.append([cycle.name, name, *cells(pair, history.scale)])
        if history.overall[index] is not None:
            rows.append([cycle.name, "All standards", *cells(history.overall[index], history.scale)])
    return rows
