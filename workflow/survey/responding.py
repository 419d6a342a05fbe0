"""Answering the staff survey through an agency's anonymous link.

No sign-in and nothing that says who answered: the response keeps the day it arrived, the link
(so the agency) and the answers. The same submission sent twice (a double click, a resent form)
is stored once, by the random key its form carried. Flooding is limited per link per minute, by a
counter that keeps no address and only the current minute.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import (
    Agency,
    Cycle,
    CycleSurvey,
    SurveyLink,
    SurveyRateWindow,
    SurveyResponse,
    SurveyResponseAnswer,
    SurveyScaleRow,
)
from workflow.clock import today, utcnow
from workflow.errors import DomainError, NotFound
from workflow.survey.settings import questions_of, scale_of
from workflow.templates.survey_spec import SurveyScale

DEFAULT_PER_MINUTE = 60


class TooManyResponses(DomainError):
    """More responses through one link in a minute than a team of staff could send."""

    def __init__(self) -> None:
        super().__init__("This survey has had a great many responses in the last minute. Wait a minute, then send yours again.")


@dataclass(frozen=True)
class SurveyQuestionView:
    id: int
    number: int
    ref: str
    text: str


@dataclass(frozen=True)
class SurveyPage:
    """What a member of staff sees at the link: whose survey, whether it is open, the questions."""

    link_id: int
    agency_name: str
    cycle_name: str
    introduction: str
    opens_on: date
    closes_on: date
    questions: list[SurveyQuestionView]
    scale: SurveyScale

    @property
    def state(self) -> str:
        """ "open", "not_yet" or "closed", by the coordinator's dates (whole days)."""
        now = today()
        if now < self.opens_on:
            return "not_yet"
        return "closed" if now > self.closes_on else "open"


def survey_page(session: Session, token: str) -> SurveyPage:
    """The survey behind a link; NotFound for a link that does not exist."""
    found = session.exec(
        select(SurveyLink, Agency.name, Cycle, CycleSurvey)
        .join(Agency, Agency.id == SurveyLink.agency_id)
        .join(Cycle, Cycle.id == SurveyLink.cycle_id)
        .join(CycleSurvey, CycleSurvey.cycle_id == SurveyLink.cycle_id)
        .where(SurveyLink.token == token)
    ).first()
    if found is None:
        raise NotFound("There is no survey at this address. Check the link you were sent.")
    link, agency_name, cycle, survey = found
    intro = session.exec(select(SurveyScaleRow.introduction).where(SurveyScaleRow.template_id == cycle.template_id)).one()
    questions = [
        SurveyQuestionView(q.id, n, q.ref, q.text) for n, q in enumerate(questions_of(session, cycle.template_id), start=1)
    ]
    return SurveyPage(
        link.id,
        agency_name,
        cycle.name,
        intro,
        survey.opens_on,
        survey.closes_on,
        questions,
        scale_of(session, cycle.template_id),
    )


def record_response(
    session: Session, token: str, answers: dict[int, str], submission_key: str, *, per_minute: int = DEFAULT_PER_MINUTE
) -> bool:
    """Store one anonymous response; False when this submission was already stored. Only flushes.

    Refuses, naming every question to fix, when one is unanswered or has an answer not on the scale.
    """
    page = survey_page(session, token)
    if page.state == "not_yet":
        raise DomainError(f"This survey opens on {page.opens_on:%-d %B %Y}. Come back then.")
    if page.state == "closed":
        raise DomainError(f"This survey closed on {page.closes_on:%-d %B %Y}. Thank you for your interest.")
    problems = answer_problems(page, answers)
    if problems:
        raise DomainError(problems)
    if not submission_key or len(submission_key) > 64:
        raise DomainError("This form has expired. Open the survey link again and send your answers.")
    if session.exec(select(SurveyResponse.id).where(SurveyResponse.submission_key == submission_key)).first():
        return False
    _count_against_the_limit(session, page.link_id, per_minute)
    try:
        with session.begin_nested():
            add_response(session, page.link_id, page.scale, answers, submission_key=submission_key)
    except IntegrityError:  # the same submission, sent twice at the same moment: the other one counted
        return False
    return True


def answer_problems(page: SurveyPage, answers: dict[int, str]) -> list[str]:
    """Every question unanswered or answered off the scale, by its number and words."""
    problems = []
    for question in page.questions:
        value = answers.get(question.id)
        if not value:
            problems.append(f"Answer question {question.number}: “{question.text}”")
        elif page.scale.get(value) is None:
            problems.append(f"Question {question.number}: choose one of the answers given")
    return problems


def add_response(
    session: Session,
    link_id: int,
    scale: SurveyScale,
    answers: dict[int, str],
    *,
    submission_key: str,
    source: str = "link",
    import_id: int | None = None,
) -> SurveyResponse:
    """One response and its answers, each marked agreeing, not agreeing, or not counted."""
    response = SurveyResponse(
        link_id=link_id, received_on=today(), submission_key=submission_key, source=source, import_id=import_id
    )
    session.add(response)
    session.flush()
    for question_id, value in answers.items():
        answer = scale.get(value)
        agrees = answer.agrees if answer is not None and answer.counted else None
        session.add(SurveyResponseAnswer(response_id=response.id, survey_question_id=question_id, value=value, agrees=agrees))
    session.flush()
    return response


def _count_against_the_limit(session: Session, link_id: int, per_minute: int) -> None:
    """Add one to this minute's count for the link (one atomic upsert), refusing past the limit."""
    minute = int(utcnow().timestamp() // 60)
    session.execute(delete(SurveyRateWindow).where(SurveyRateWindow.link_id == link_id, SurveyRateWindow.minute < minute))
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = SurveyRateWindow.__table__
    statement = (
        insert(table)
        .values(link_id=link_id, minute=minute, count=1)
        .on_conflict_do_update(index_elements=["link_id", "minute"], set_={"count": table.c.count + 1})
        .returning(table.c.count)
    )
    count = session.execute(statement).scalar_one()
    if count > per_minute:
        raise TooManyResponses()
