"""Reads behind the coordinator's list pages (agencies, templates, cycles' choices), kept out of views.

Each reads in a fixed number of queries.
"""

from dataclasses import dataclass

from sqlmodel import Session, func, select

from models import Agency, Cycle, Question, Standard, Template, User, UserRole
from models.cycle import CycleKind
from models.user import Role
from workflow.errors import NotFound
from workflow.templates.spec import RatingScale


def agencies(session: Session, *, active_only: bool = False) -> list[Agency]:
    query = select(Agency).order_by(Agency.name)
    if active_only:
        query = query.where(Agency.active == True)  # noqa: E712 (SQL comparison)
    return list(session.exec(query))


def agency(session: Session, agency_id: int) -> Agency:
    found = session.get(Agency, agency_id)
    if found is None:
        raise NotFound("There is no such agency.")
    return found


def agency_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(Agency.id, Agency.name)).all())


@dataclass(frozen=True)
class TemplateSummary:
    template: Template
    standards: int
    questions: int


def templates(session: Session) -> list[TemplateSummary]:
    """Every loaded template version with its size (three queries)."""
    rows = list(session.exec(select(Template).order_by(Template.key, Template.version.desc())))
    standards = dict(session.exec(select(Standard.template_id, func.count()).group_by(Standard.template_id)).all())
    questions = dict(session.exec(select(Question.template_id, func.count()).group_by(Question.template_id)).all())
    return [TemplateSummary(t, standards.get(t.id, 0), questions.get(t.id, 0)) for t in rows]


@dataclass(frozen=True)
class TemplateDetail:
    template: Template
    scale: RatingScale
    standards: list[tuple[Standard, list[Question]]]


def template_detail(session: Session, template_id: int) -> TemplateDetail:
    """A template's rating scale, standards and questions, in order."""
    template = session.get(Template, template_id)
    if template is None:
        raise NotFound("There is no such template.")
    standards = list(session.exec(select(Standard).where(Standard.template_id == template_id).order_by(Standard.position)))
    questions = list(session.exec(select(Question).where(Question.template_id == template_id).order_by(Question.position)))
    by_standard = [(s, [q for q in questions if q.standard_id == s.id]) for s in standards]
    return TemplateDetail(template, RatingScale.from_json(template.scale), by_standard)


def cycle(session: Session, cycle_id: int) -> Cycle:
    found = session.get(Cycle, cycle_id)
    if found is None:
        raise NotFound("There is no such cycle.")
    return found


def full_audit_cycles(session: Session) -> list[Cycle]:
    """The cycles a statement of compliance year can follow."""
    return list(session.exec(select(Cycle).where(Cycle.kind == CycleKind.FULL_AUDIT.value).order_by(Cycle.opens_on.desc())))


@dataclass(frozen=True)
class Person:
    """One person as the coordinator's edit page shows them."""

    user: User
    roles: list[Role]
    agency_name: str


def person(session: Session, user_id: int) -> Person:
    found = session.get(User, user_id)
    if found is None:
        raise NotFound("There is no such person.")
    roles = sorted(Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == found.id)))
    agency = session.get(Agency, found.agency_id) if found.agency_id else None
    return Person(found, roles, agency.name if agency else "")
