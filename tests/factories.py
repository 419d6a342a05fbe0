"""Keyword-only builders of test data with sensible defaults, and a way to act as a request does."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session, select

from models import Agency, Question, Template, User
from models.cycle import CycleKind
from models.user import Role
from workflow.answering.returns import add_action, save_answer
from workflow.calendar import cycles
from workflow.clock import today
from workflow.people import agencies, users
from workflow.templates import installing as templates
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH, TEMPLATE_DIR

T = TypeVar("T")


def act(engine: Engine, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one operation in its own transaction, as a web request or a scheduler job does."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = operation(session, *args, **kwargs)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise


def add_agency(
    session: Session,
    *,
    name: str = "Hackney Health Trust",
    sector: str = "Health",
    statutory: bool = True,
    contact_email: str = "",
    executive_email: str = "",
) -> Agency:
    slug = name.lower().replace(" ", "-")
    details = agencies.AgencyDetails(
        name=name,
        sector=sector,
        statutory=statutory,
        contact_name=f"{name} contact",
        contact_email=contact_email or f"contact@{slug}.example.org",
        executive_name=f"{name} chief executive",
        executive_email=executive_email or f"ceo@{slug}.example.org",
    )
    agency = agencies.save_agency(session, _system_coordinator(session), details)
    session.commit()
    return agency


def _system_coordinator(session: Session) -> User:
    existing = session.exec(select(User).where(User.email == "setup.coordinator@partnership.example.org")).first()
    return existing or users.add_user(
        session, None, email="setup.coordinator@partnership.example.org", name="Setup Coordinator", roles={Role.COORDINATOR}
    )


def add_person(session: Session, *, name: str, roles: set[Role], agency: Agency | None = None, email: str = "") -> User:
    email = email or name.lower().replace(" ", ".") + "@example.org"
    user = users.add_user(session, None, email=email, name=name, roles=roles, agency_id=agency.id if agency else None)
    session.commit()
    return user


def install_template(session: Session, filename: str | None = None) -> Template:
    path = TEMPLATE_DIR / filename if filename else DEFAULT_TEMPLATE_PATH
    template = templates.install_file(session, None, path)
    session.commit()
    return template


def launch_cycle(
    engine: Engine,
    coordinator: User,
    agency_list: list[Agency],
    *,
    template: Template,
    name: str = "Section 11 audit 2026-27",
    kind: CycleKind = CycleKind.FULL_AUDIT,
    previous_cycle_id: int | None = None,
    opens_on: date | None = None,
):
    """A cycle made and launched by the coordinator; returns (cycle, returns)."""
    opens_on = opens_on or today()
    dates = cycles.CycleDates(
        opens_on=opens_on,
        submission_deadline=opens_on + timedelta(days=42),
        qa_window_ends=opens_on + timedelta(days=70),
        action_plan_review=opens_on + timedelta(days=180),
        statement_deadline=opens_on + timedelta(days=200),
    )
    cycle = act(
        engine,
        cycles.create_cycle,
        coordinator,
        name=name,
        kind=kind,
        template_id=template.id,
        dates=dates,
        agency_ids=[a.id for a in agency_list],
        previous_cycle_id=previous_cycle_id,
    )
    returns = act(engine, cycles.launch, coordinator, cycle.id)
    return cycle, returns


def questions_of(session: Session, template: Template, *, statutory: bool = True) -> list[Question]:
    query = select(Question).where(Question.template_id == template.id).order_by(Question.standard_id, Question.position)
    return [q for q in session.exec(query) if statutory or not q.statutory_only]


def answer_everything(
    engine: Engine,
    agency_user: User,
    return_id: int,
    questions: list[Question],
    *,
    rating: str = "fully_met",
    lead: User | None = None,
) -> None:
    """Answer every question with one rating, giving what that rating needs."""
    for question in questions:
        act(
            engine,
            save_answer,
            agency_user,
            return_id,
            question.id,
            rating=rating,
            narrative="We have a named lead and a written policy.",
            evidence_description="Board minutes, March",
        )
        if lead is not None:
            act(
                engine,
                add_action,
                agency_user,
                return_id,
                question.id,
                description="Review the policy",
                lead_user_id=lead.id,
                target_date=today() + timedelta(days=90),
            )
