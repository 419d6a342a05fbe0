"""The staff survey's triangulation in the Board's files: a sheet of the workbook and a section of
the annual-report PDF. Withheld figures stay withheld here too: a cell says so instead."""

from reportlab.platypus import Flowable
from sqlmodel import Session

from workflow.reporting.exports import Sheet
from workflow.reporting.pdf_layout import PAGE_WIDTH, para, table
from workflow.survey.settings import survey_of
from workflow.survey.triangulation import Cell, triangulation

HEADERS = [
    "Agency",
    "Sector",
    "Standard",
    "Self-rating",
    "Moderated rating",
    "Staff responses",
    "Agreeing answers",
    "Counted answers",
    "Agreement (%)",
    "Staff agreement in words",
    "Flag",
]


def _figures(cell: Cell, responses: int) -> list[object]:
    if cell.withheld:
        return [f"Withheld (fewer than {cell.minimum})", "", "", ""]
    if cell.agreement is None or cell.agreement.percent is None:
        return [responses, "", "", ""]  # at or above the minimum here
    return [cell.agreement.responses, cell.agreement.agreeing, cell.agreement.counted, cell.agreement.percent]


def survey_sheets(session: Session, cycle_id: int) -> list[Sheet]:
    """The "Staff survey" sheet: one row per agency and standard; none when the cycle has no survey."""
    if survey_of(session, cycle_id) is None:  # one small query, not the whole triangulation
        return []
    picture = triangulation(session, cycle_id)
    rows = [
        [
            row.agency_name,
            row.sector,
            cell.standard_number,
            cell.self_rating.label if cell.self_rating else "",
            cell.moderated.label if cell.moderated else "",
            *_figures(cell, row.responses),
            cell.staff_words,
            cell.flag_words if cell.flag else "",
        ]
        for row in picture.agencies
        for cell in row.cells
    ]
    return [Sheet("Staff survey", HEADERS, rows)]


def survey_section(session: Session, cycle_id: int) -> list[Flowable]:
    """The annual report's section: how the survey was read, the flags, and each sector's agreement."""
    if survey_of(session, cycle_id) is None:
        return []
    picture = triangulation(session, cycle_id)
    s = picture.survey
    flow: list[Flowable] = [
        para("Staff survey against self-assessment", "h1"),
        para(
            f"Staff answered an anonymous survey; their agreement is set beside each agency's own rating of the "
            f"standards. No figure is given for an agency or sector with fewer than {s.minimum_responses} responses. "
            f"A standard is flagged when rated at the top of the scale with under {s.low_agreement}% agreement, or "
            f"rated low with {s.confident_agreement}% or more."
        ),
        para("Flags", "h2"),
    ]
    if picture.flagged:
        flow.append(
            table(
                ["Agency", "Standard", "Self-rating", "Staff agreement", "Flag"],
                [
                    [row.agency_name, cell.standard_number, cell.self_words, cell.staff_words, cell.flag_words]
                    for row, cell in picture.flagged
                ],
                widths=[PAGE_WIDTH * w for w in (0.22, 0.1, 0.18, 0.27, 0.23)],
            )
        )
    else:
        flow.append(para("No standard is flagged."))
    flow.append(para("Staff agreement by agency", "h2"))
    numbers = [s.number for s in picture.standards]
    widths = [PAGE_WIDTH * 0.22, PAGE_WIDTH * 0.1, *[PAGE_WIDTH * 0.68 / len(numbers)] * len(numbers)]
    flow.append(
        table(
            ["Agency", "Staff", *[f"Std {n}" for n in numbers]],
            [[row.agency_name, _count(row.responses_shown), *[_short(cell) for cell in row.cells]] for row in picture.agencies],
            widths=widths,
        )
    )
    flow.append(para("Staff agreement by sector", "h2"))
    flow.append(
        table(
            ["Sector", "Staff", *[f"Std {n}" for n in numbers]],
            [
                [sector.sector, _count(sector.responses_shown), *[_short(cell) for cell in sector.cells]]
                for sector in picture.sectors
            ],
            widths=widths,
        )
    )
    flow.append(
        para(
            f"Each cell is the share of staff answers that agree. “–”: withheld, fewer than {s.minimum_responses} "
            "responses; “none”: no answers on that standard; “flag”: flagged above.",
            "small",
        )
    )
    return flow


def _count(shown: int | None) -> str:
    return "–" if shown is None else str(shown)


def _short(cell: Cell) -> str:
    """A narrow table cell: the agreement, withheld ("–"), or no answers; flagged cells say so."""
    if cell.withheld:
        return "–"
    if cell.agreement is None or cell.agreement.percent is None:
        return "none"
    return f"{cell.agreement.percent}%" + (" flag" if cell.flag else "")
