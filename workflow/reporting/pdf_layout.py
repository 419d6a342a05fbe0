"""The look of the product's printable documents: fonts, styles, tables and the page frame.

DejaVu Sans (shipped with matplotlib) is embedded so any agency's name or typed text prints as
written, curly quotes and accents included; reportlab's built-in fonts cover Latin-1 only.
"""

import io
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from workflow.clock import uk_date, uk_date_time
from workflow.reporting.charts import Chart

PAGE_WIDTH = A4[0] - 36 * mm
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
HEADER_BACKGROUND = colors.HexColor("#f3f2f1")
RULE = colors.HexColor("#b1b4b6")


@cache
def _register_fonts() -> None:
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, fonts / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, fonts / "DejaVuSans-Bold.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


@cache
def styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, alignment=TA_LEFT, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", body, fontName=BOLD, fontSize=18, leading=23, spaceAfter=6),
        "h1": ParagraphStyle("h1", body, fontName=BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6, keepWithNext=1),
        "h2": ParagraphStyle("h2", body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "body": body,
        "cell": ParagraphStyle("cell", body, fontSize=8, leading=10, spaceAfter=0),
        "head": ParagraphStyle("head", body, fontName=BOLD, fontSize=8, leading=10, spaceAfter=0),
        "small": ParagraphStyle("small", body, fontSize=8, leading=10, textColor=colors.HexColor("#505a5f")),
    }


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of plain text: whatever a person typed is escaped, never read as markup."""
    return Paragraph(escape(words(text)).replace("\n", "<br/>"), styles()[style])


def words(value: object) -> str:
    """How a value reads in print."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return uk_date_time(value) if isinstance(value, datetime) else uk_date(value)
    return str(value)


def table(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[object]],
    widths: Sequence[float] | None = None,
    backgrounds: dict[tuple[int, int], str] | None = None,
) -> Table:
    """A table that wraps its text, repeats its headings on each page, and may colour cells
    ((column, row) -> colour; row 1 is the first row under the headings). Without headings,
    the first column is read as the label of each row."""
    head = [[para(h, "head") for h in headers]] if headers else []
    data = head + [[para(v, "cell") for v in row] for row in rows]
    result = Table(data, colWidths=widths, repeatRows=len(head), hAlign="LEFT")
    shaded = ((0, 0), (-1, 0)) if headers else ((0, 0), (0, -1))
    commands = [
        ("BACKGROUND", *shaded, HEADER_BACKGROUND),
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [("BACKGROUND", cell, cell, colors.HexColor(colour)) for cell, colour in (backgrounds or {}).items()]
    result.setStyle(TableStyle(commands))
    return result


def chart_image(chart: Chart, width: float) -> Image:
    """The chart as a PNG scaled to `width` points."""
    inches = chart.figure.get_size_inches()
    return Image(io.BytesIO(chart.png()), width=width, height=width * inches[1] / inches[0])


def chart_with_table(chart: Chart, figures: Table, *, beside: bool) -> list[Flowable]:
    """A chart and the table of its figures: side by side when the table is narrow."""
    heading = para(chart.title, "h2")
    if beside:
        pair = Table([[chart_image(chart, PAGE_WIDTH * 0.6), figures]], colWidths=[PAGE_WIDTH * 0.62, PAGE_WIDTH * 0.38])
        pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return [heading, pair]
    return [heading, chart_image(chart, PAGE_WIDTH), figures]


def build(title: str, story: list[Flowable]) -> bytes:
    """An A4 document with the title and page number in every footer."""
    buffer = io.BytesIO()

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#505a5f"))
        canvas.drawString(18 * mm, 10 * mm, title)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="Section 11 audit",
        creator="Section 11 audit",
        subject=title,
        lang="en-GB",
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
