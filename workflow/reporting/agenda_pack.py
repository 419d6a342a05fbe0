"""A QA meeting's agenda pack: a cover page listing the returns to discuss with why each was
picked, then each return's printable PDF, joined into one file."""

import io

from pypdf import PdfWriter
from reportlab.platypus import Flowable
from sqlmodel import Session

from models.audit_return import ReturnState
from workflow.reporting.pdf_layout import PAGE_WIDTH, build, para, table
from workflow.reporting.pdfs import return_pdf
from workflow.review.qa_meetings import meeting_view


def agenda_pack_pdf(session: Session, meeting_id: int) -> bytes:
    view = meeting_view(session, meeting_id)
    title = f"QA meeting, {view.meeting.held_on.day} {view.meeting.held_on:%B %Y}: agenda pack"
    story: list[Flowable] = [
        para(title, "title"),
        para(view.cycle.name, "small"),
        para("Returns to discuss", "h1"),
        table(
            ["Agency", "State", "Why it was picked"],
            [[i.agency_name, ReturnState(i.status).title, i.pick_reason] for i in view.items],
            widths=[PAGE_WIDTH * 0.3, PAGE_WIDTH * 0.2, PAGE_WIDTH * 0.5],
        ),
        para("Each return follows, in this order.", "small"),
    ]
    writer = PdfWriter()
    writer.append(io.BytesIO(build(title, story)))
    for item in view.items:
        writer.append(io.BytesIO(return_pdf(session, item.return_id)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
