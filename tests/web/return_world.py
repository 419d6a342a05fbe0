"""A launched cycle with a person in every role, for the return pages' tests.

Import the `world` fixture into a test module (`from tests.web.return_world import world`); it
builds on the foundation's `partnership` and `app` fixtures and keeps evidence files in tmp_path.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import Action, AuditReturn, Cycle, Question, Standard, User
from models.user import Role
from tests import sample_files
from tests.factories import act, answer_everything, launch_cycle, questions_of
from tests.web.conftest import Browser, Partnership, add_person
from workflow.answering import returns
from workflow.answering.evidence_files import check_upload
from workflow.answering.evidence_storage import FolderStore
from workflow.answering.uploads import Upload, store_and_record
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


# Argon2 at its cheapest: these tests sign many people in and are about pages, not hashing.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def world(request, monkeypatch, app, session: Session, sqlite_only_engine, tmp_path) -> World:
    monkeypatch.setattr(users, "_hasher", CHEAP_HASHER)
    app.config["EVIDENCE_DIR"] = tmp_path / "evidence"
    return build_world(session, sqlite_only_engine, request.getfixturevalue("partnership"))


def build_world(session: Session, engine, p: Partnership) -> World:
    """The `world` fixture's people and launched cycle around `p` (for a fixture of wider scope,
    which patches the hasher and sets the evidence folder as the fixture does)."""
    people = {
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        "lead": add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=p.health),
        "executive": add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=p.health),
        "youth_user": add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth),
        "youth_lead": add_person(session, name="Yara Lead", roles={Role.LEAD_PERSON}, agency=p.youth),
    }
    cycle, launched = launch_cycle(engine, p.coordinator, [p.health, p.youth], template=p.template)
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


def under_review(world: World, session: Session, engine, evidence_dir: Path) -> dict[str, int]:
    """The health agency's return submitted, then challenged, asked for evidence, with an action
    and a stored file: the ids of each (the access table's `ids`)."""
    w = world
    submitted(w, engine)
    question = w.questions[0]
    challenge = act(engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?")
    request = act(engine, qa.request_evidence, w.qa, w.ret.id, description="Minutes", due_date=today() + timedelta(days=10))
    checked = [(Upload("policy.pdf", PDF, question.id), check_upload("policy.pdf", PDF))]
    [record] = act(engine, store_and_record, w.agency_user, w.ret.id, FolderStore(evidence_dir), checked)
    action = session.exec(select(Action).where(Action.return_id == w.ret.id)).first()
    return {"ret": w.ret.id, "standard": question.standard_id, "question": question.id, "challenge": challenge.id,
            "request": request.id, "action": action.id, "file": record.id}
