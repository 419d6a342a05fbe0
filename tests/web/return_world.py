"""A launched cycle with a person in every role, for the return pages' tests.

Import the `world` fixture into a test module (`from tests.web.return_world import world`); it
builds on the foundation's `partnership` and `app` fixtures and keeps evidence files in tmp_path.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import AuditReturn, Cycle, Question, Standard, User
from models.user import Role
from tests import sample_files
from tests.factories import act, answer_everything, launch_cycle, questions_of
from tests.web.conftest import Browser, Partnership, add_person
from workflow.answering import returns
from workflow.clock import today
from workflow.people import users
from workflow.review import qa

PDF = sample_files.pdf()


@dataclass
class World:
    p: Partnership
    qa: User
    lead: User
    executive: User
    youth_user: User
    youth_lead: User
    cycle: Cycle
    ret: AuditReturn
    youth_ret: AuditReturn
    questions: list[Question]
    standards: list[Standard] = field(default_factory=list)

    @property
    def agency_user(self) -> User:
        return self.p.agency_user


@pytest.fixture
def world(request, monkeypatch, app, session: Session, sqlite_only_engine, tmp_path) -> World:
    # Argon2 at its cheapest: these tests sign many people in and are about pages, not hashing.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app.config["EVIDENCE_DIR"] = tmp_path / "evidence"
    p: Partnership = request.getfixturevalue("partnership")
    people = {
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        "lead": add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=p.health),
        "executive": add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=p.health),
        "youth_user": add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth),
        "youth_lead": add_person(session, name="Yara Lead", roles={Role.LEAD_PERSON}, agency=p.youth),
    }
    cycle, launched = launch_cycle(sqlite_only_engine, p.coordinator, [p.health, p.youth], template=p.template)
    by_agency = {r.agency_id: r for r in launched}
    standards = list(session.exec(select(Standard).where(Standard.template_id == p.template.id).order_by(Standard.position)))
    return World(
        p=p, cycle=cycle, ret=by_agency[p.health.id], youth_ret=by_agency[p.youth.id],
        questions=questions_of(session, p.template), standards=standards, **people,
    )


def signed_in(browser: Browser, user: User) -> Browser:
    browser.sign_in(user.email)
    assert f"Signed in as {user.name}" in browser.text
    return browser


def date_fields(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def pdf(name: str = "policy.pdf") -> tuple[BytesIO, str]:
    return BytesIO(PDF), name


def submitted(world: World, engine) -> AuditReturn:
    """The health agency's return answered (one Partly met with its action) and submitted."""
    first, *rest = world.questions
    act(engine, returns.save_answer, world.agency_user, world.ret.id, first.id, rating="partly_met", narrative="Half done")
    act(
        engine, returns.add_action, world.agency_user, world.ret.id, first.id,
        description="Train the board", lead_user_id=world.lead.id, target_date=today() + timedelta(days=60),
    )
    answer_everything(engine, world.agency_user, world.ret.id, rest)
    return act(engine, returns.submit, world.agency_user, world.ret.id, declaration_confirmed=True)


def accepted(world: World, engine) -> AuditReturn:
    submitted(world, engine)
    return act(engine, qa.accept, world.qa, world.ret.id, note="Fine")
