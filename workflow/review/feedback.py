"""The QA sub-group's feedback letter to an agency once its return is accepted: the reviewer's
summary, the moderated ratings beside the agency's own, and each challenge with its answer.

It is read from what QA recorded (the acceptance in the history, the moderated ratings, the
challenges), so the e-mail and the PDF always say the same and nothing is stored twice.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models import AuditReturn, Challenge, HistoryRecord
from workflow.answering import content as return_content
from workflow.errors import NotFound
from workflow.lifecycle import history


@dataclass(frozen=True)
class RatingLine:
    ref: str
    question: str
    self_rating: str
    moderated_rating: str  # "" when QA agreed by leaving it alone


@dataclass(frozen=True)
class ChallengeLine:
    ref: str
    text: str
    answer: str


@dataclass(frozen=True)
class FeedbackLetter:
    agency_name: str
    cycle_name: str
    reviewer_name: str
    accepted_at: datetime
    summary: str
    ratings: list[RatingLine]
    challenges: list[ChallengeLine]

    @property
    def moderated(self) -> list[RatingLine]:
        """The questions where QA's rating differs from the agency's."""
        return [r for r in self.ratings if r.moderated_rating and r.moderated_rating != r.self_rating]


def acceptance_of(session: Session, return_id: int) -> HistoryRecord | None:
    """QA's acceptance of the return (the latest, if it was accepted, amended and accepted again)."""
    return session.exec(
        select(HistoryRecord)
        .where(HistoryRecord.subject_type == "return", HistoryRecord.subject_id == return_id, HistoryRecord.trigger == "accept")
        .order_by(HistoryRecord.seq.desc())
    ).first()


def letter_for(
    session: Session,
    ret: AuditReturn,
    *,
    accepted: history.Record | None = None,
    content: return_content.ReturnContent | None = None,
    challenges: list[Challenge] | None = None,
) -> FeedbackLetter:
    """The letter for an accepted return; NotFound while QA has not accepted it. The acceptance
    just recorded, the content and the challenges (oldest first) can be handed in by the caller
    that has read them already."""
    accepted = accepted or acceptance_of(session, ret.id)
    if accepted is None:
        raise NotFound("QA has not accepted this return, so there is no feedback letter yet.")
    content = content or return_content.load(session, ret)
    if challenges is None:
        challenges = list(session.exec(select(Challenge).where(Challenge.return_id == ret.id).order_by(Challenge.raised_at)))
    label = lambda value: content.scale.label_for(value) if value else "Not answered"  # noqa: E731
    ratings = []
    for question in content.questions:
        answer = content.answers.get(question.id)
        if answer is None:
            continue
        moderated = label(answer.moderated_rating) if answer.moderated_rating else ""
        ratings.append(RatingLine(question.ref, " ".join(question.text.split()), label(answer.rating), moderated))
    refs = {q.id: q.ref for q in content.questions}
    challenges = [
        ChallengeLine(refs.get(c.question_id, "") if c.question_id else "", c.text, c.response)
        for c in challenges
    ]
    return FeedbackLetter(
        content.agency.name, content.cycle.name, accepted.actor_name, accepted.at, accepted.reason, ratings, challenges
    )


def as_text(letter: FeedbackLetter) -> str:
    """The letter's body for the e-mail."""
    parts = [f"Summary from {letter.reviewer_name}:\n{letter.summary or 'The QA sub-group accepted the return as submitted.'}"]
    if letter.moderated:
        lines = [f"- {r.ref}: you rated it {r.self_rating}; QA moderated it to {r.moderated_rating}" for r in letter.moderated]
        parts.append("Moderated ratings:\n" + "\n".join(lines))
    else:
        parts.append("QA agreed with every rating you gave.")
    if letter.challenges:
        lines = [
            f"- {'Question ' + c.ref if c.ref else 'The return'}: {c.text}\n  Your answer: {c.answer or '(not answered)'}"
            for c in letter.challenges
        ]
        parts.append("Challenges and your answers:\n" + "\n".join(lines))
    return "\n\n".join(parts)
