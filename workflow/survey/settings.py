"""A cycle's staff survey: the coordinator sets its dates, the anonymity minimum and the flag
thresholds; each agency in the cycle gets an anonymous link of its own."""

import secrets
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import AuditReturn, Cycle, CycleSurvey, SurveyLink, SurveyQuestion, SurveyScaleRow, User
from models.user import Role
from workflow.access import require_role
from workflow.errors import DomainError, NotFound
from workflow.templates.survey_spec import SurveyScale


@dataclass(frozen=True)
class SurveySettings:
    """What the coordinator chooses for a cycle's survey."""

    opens_on: date
    closes_on: date
    minimum_responses: int
    low_agreement: int
    confident_agreement: int


def set_up_survey(session: Session, actor: User | None, cycle_id: int, settings: SurveySettings) -> CycleSurvey:
    """Save the cycle's survey settings and make a link for every agency that has none; only flushes.
    `actor` None is the command line."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "set up the staff survey")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    problems = _problems(session, cycle, settings)
    if problems:
        raise DomainError(problems)
    survey = survey_of(session, cycle_id) or CycleSurvey(
        cycle_id=cycle_id, opens_on=settings.opens_on, closes_on=settings.closes_on
    )
    survey.opens_on, survey.closes_on = settings.opens_on, settings.closes_on
    survey.minimum_responses = settings.minimum_responses
    survey.low_agreement, survey.confident_agreement = settings.low_agreement, settings.confident_agreement
    survey.updated_by_id = actor.id if actor else None
    session.add(survey)
    have_links = set(session.exec(select(SurveyLink.agency_id).where(SurveyLink.cycle_id == cycle_id)))
    for agency_id in session.exec(select(AuditReturn.agency_id).where(AuditReturn.cycle_id == cycle_id)):
        if agency_id not in have_links:
            session.add(SurveyLink(cycle_id=cycle_id, agency_id=agency_id, token=secrets.token_urlsafe(24)))
    session.flush()
    return survey


def _problems(session: Session, cycle: Cycle, settings: SurveySettings) -> list[str]:
    problems = []
    if cycle.launched_at is None:
        problems.append("Launch the cycle first: each agency's survey link is made for its return.")
    if not has_survey(session, cycle.template_id):
        problems.append("This cycle's template has no staff survey: load a template with a survey section.")
    if settings.closes_on < settings.opens_on:
        problems.append("The closing date must be on or after the opening date.")
    if settings.minimum_responses < 1:
        problems.append("The minimum number of responses must be 1 or more.")
    for name, value in (("low agreement", settings.low_agreement), ("confident agreement", settings.confident_agreement)):
        if not 0 <= value <= 100:
            problems.append(f"The {name} threshold must be a percentage from 0 to 100.")
    if settings.low_agreement > settings.confident_agreement:
        problems.append("The low agreement threshold must not be above the confident agreement threshold.")
    return problems


def survey_of(session: Session, cycle_id: int) -> CycleSurvey | None:
    return session.exec(select(CycleSurvey).where(CycleSurvey.cycle_id == cycle_id)).first()


def has_survey(session: Session, template_id: int) -> bool:
    return session.exec(select(SurveyQuestion.id).where(SurveyQuestion.template_id == template_id).limit(1)).first() is not None


def scale_of(session: Session, template_id: int) -> SurveyScale:
    row = session.exec(select(SurveyScaleRow).where(SurveyScaleRow.template_id == template_id)).one()
    return SurveyScale.model_validate(row.scale)


def questions_of(session: Session, template_id: int) -> list[SurveyQuestion]:
    return list(
        session.exec(select(SurveyQuestion).where(SurveyQuestion.template_id == template_id).order_by(SurveyQuestion.position))
    )
