"""How many staff have answered: per agency for the coordinator, and for an agency its own count."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from models import Agency, Cycle, CycleSurvey, SurveyLink, SurveyResponse, User
from models.user import Role
from workflow.access import require_role, roles_of
from workflow.errors import NotPermitted


@dataclass(frozen=True)
class LinkCount:
    """One agency's link for one cycle and how many responses it has."""

    cycle_id: int
    cycle_name: str
    agency_id: int
    agency_name: str
    token: str
    responses: int
    opens_on: date
    closes_on: date


def _links(session: Session):
    responses = select(SurveyResponse.link_id, func.count().label("n")).group_by(SurveyResponse.link_id).subquery()
    return (
        select(
            SurveyLink.cycle_id,
            Cycle.name,
            SurveyLink.agency_id,
            Agency.name,
            SurveyLink.token,
            func.coalesce(responses.c.n, 0),
            CycleSurvey.opens_on,
            CycleSurvey.closes_on,
        )
        .join(Cycle, Cycle.id == SurveyLink.cycle_id)
        .join(CycleSurvey, CycleSurvey.cycle_id == SurveyLink.cycle_id)
        .join(Agency, Agency.id == SurveyLink.agency_id)
        .outerjoin(responses, responses.c.link_id == SurveyLink.id)
    )


def cycle_links(session: Session, actor: User | None, cycle_id: int) -> list[LinkCount]:
    """Every agency's link in the cycle with its count, for the coordinator or the command line (one query)."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "see the survey links")
    rows = session.exec(_links(session).where(SurveyLink.cycle_id == cycle_id).order_by(Agency.name)).all()
    return [LinkCount(*row) for row in rows]


def agency_links(session: Session, actor: User) -> list[LinkCount]:
    """The signed-in agency person's own links, newest cycle first: the agency sees its count."""
    if Role.AGENCY_USER not in roles_of(session, actor) and Role.EXECUTIVE not in roles_of(session, actor):
        raise NotPermitted("Only an agency's own people can see its survey link.")
    if actor.agency_id is None:
        return []
    rows = session.exec(_links(session).where(SurveyLink.agency_id == actor.agency_id).order_by(Cycle.opens_on.desc())).all()
    return [LinkCount(*row) for row in rows]
