"""The QA feedback letter as a printable PDF, in the product's document style."""

from reportlab.platypus import Flowable
from sqlmodel import Session

from models import AuditReturn
from workflow.errors import NotFound
from workflow.reporting.pdf_layout import PAGE_WIDTH, build, para, table, words
from workflow.review.feedback import letter_for


def feedback_letter_pdf(session: Session, return_id: int) -> bytes:
    ret = session.get(AuditReturn, return_id)
    if ret is None:
        raise NotFound("There is no such return.")
    letter = letter_for(session, ret)
    story: list[Flowable] = [
        para(f"{letter.agency_name}: QA feedback", "title"),
        para(f"{letter.cycle_name} · accepted by {letter.reviewer_name} on {words(letter.accepted_at.date())}", "small"),
        para("Summary", "h1"),
        para(letter.summary or "The QA sub-group accepted the return as submitted."),
        para("Ratings: yours and QA's", "h1"),
        table(
            ["Question", "Your rating", "QA's moderated rating"],
            [[f"{r.ref} {r.question}", r.self_rating, r.moderated_rating or "Agreed"] for r in letter.ratings],
            widths=[PAGE_WIDTH * 0.56, PAGE_WIDTH * 0.22, PAGE_WIDTH * 0.22],
        ),
        para("Challenges and your answers", "h1"),
    ]
    if letter.challenges:
        story.append(
            table(
                ["About", "QA's challenge", "Your answer"],
                [[f"Question {c.ref}" if c.ref else "The return", c.text, c.answer or "Not answered"] for c in letter.challenges],
                widths=[PAGE_WIDTH * 0.16, PAGE_WIDTH * 0.42, PAGE_WIDTH * 0.42],
            )
        )
    else:
        story.append(para("QA raised no challenge on this return."))
    return build(f"{letter.agency_name}: QA feedback, {letter.cycle_name}", story)
