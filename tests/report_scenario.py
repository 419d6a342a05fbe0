"""A partnership's year with known figures, for the report and export tests.

Seven agencies rate themselves on a Red/Amber/Green scale (not the default words, so a figure
that hard-codes "Fully met" fails). Day 0 is the launch; the reports are read on day 60, after
the submission deadline (day 42). What each agency did, and so what every figure must say:

- Alder Health Trust (Health, statutory): submits day 10, 2.1 Amber and the rest Green; QA
  moderates 1.1 to Amber and accepts day 15; the executive signs day 45; its action on 2.1 was
  due day 30. Statement signed.
- Birch Police (Police, statutory): submits day 20 with 3.1 Red and 3.2 Amber; challenged day 22,
  evidence asked day 23, challenge answered day 25, evidence given day 27; QA moderates 3.2 to
  Green and accepts day 28; action 3.1 completed and 3.2 cancelled day 29. Action plan open.
- Cedar Youth Club (Voluntary): starts day 1, never submits. In progress, 18 days overdue.
- Dale Youth Project (Voluntary): deadline extended to day 90. Invited, not overdue.
- Elm Council (Local authority, statutory): submits day 12 with standard 1 Not applicable;
  evidence asked day 40, due day 50, never given. Evidence requested, 10 days overdue.
- Fir Academy (Education): withdrawn day 5.
- Grove Sports Club (Voluntary): submits day 14, all Green (2.2 is statutory only, so not asked).
  Submitted.
"""

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from models import Agency, Question, Template, User
from models.db import make_engine
from models.user import Role
from tests.factories import act, add_agency, add_person, launch_cycle
from workflow.answering import actions, returns
from workflow.calendar import deadlines
from workflow.review import qa, statements
from workflow.templates import installing as templates
from workflow.templates.spec import TemplateSpec

LAUNCH = date(2026, 4, 1)
READ_ON = LAUNCH + timedelta(days=60)

RAG_TEMPLATE = {
    "key": "rag-test",
    "name": "Safeguarding self-assessment (RAG)",
    "version": 1,
    "scale": {
        "name": "Red / Amber / Green",
        "not_applicable": True,
        "values": [
            {"value": "red", "label": "Red", "score": 0, "needs_evidence": False, "needs_action": True},
            {"value": "amber", "label": "Amber", "score": 1, "needs_evidence": False, "needs_action": True},
            {"value": "green", "label": "Green", "score": 2, "needs_evidence": True, "needs_action": False},
        ],
    },
    "standards": [
        {
            "number": "1",
            "title": "Leadership",
            "questions": [
                {"ref": "1.1", "text": "There is a named lead for safeguarding."},
                {"ref": "1.2", "text": "The board hears about safeguarding every year."},
            ],
        },
        {
            "number": "2",
            "title": "Safer workforce",
            "questions": [
                {"ref": "2.1", "text": "Staff are trained in safeguarding."},
                {"ref": "2.2", "text": "Allegations against staff go to the LADO.", "statutory_only": True},
            ],
        },
        {
            "number": "3",
            "title": "Working together",
            "questions": [
                {"ref": "3.1", "text": "Information is shared with partners."},
                {"ref": "3.2", "text": "Staff attend multi-agency meetings."},
            ],
        },
    ],
}


def at(day: int) -> datetime:
    """Noon on a day of the cycle (noon, so no time zone moves it to another day)."""
    return datetime(LAUNCH.year, LAUNCH.month, LAUNCH.day, 12, tzinfo=UTC) + timedelta(days=day)


@dataclass
class Year:
    """The ids a test needs to find things again."""

    cycle_id: int
    template: Template
    returns: dict[str, int]
    people: dict[str, User]
    agencies: dict[str, Agency]
    questions: dict[str, Question]
    actions: dict[str, int] = field(default_factory=dict)
    challenge_id: int = 0
    evidence_request_ids: dict[str, int] = field(default_factory=dict)


def install_rag_template(session: Session, **changes) -> Template:
    template = templates.install(session, None, TemplateSpec.model_validate({**RAG_TEMPLATE, **changes}))
    session.commit()
    return template


def answer(engine: Engine, year: Year, who: str, ratings: dict[str, str]) -> None:
    """Answer as the agency's user, giving what each rating needs (actions are added separately)."""
    for ref, rating in ratings.items():
        act(
            engine,
            returns.save_answer,
            year.people[who],
            year.returns[who],
            year.questions[ref].id,
            rating=rating,
            narrative=f"{who} on {ref}",
            evidence_description="Minutes and policy" if rating == "green" else "",
            not_applicable_reason="We have no board" if rating == "not_applicable" else "",
        )


def add_action(engine: Engine, year: Year, who: str, ref: str, target_day: int) -> int:
    action = act(
        engine,
        returns.add_action,
        year.people[who],
        year.returns[who],
        year.questions[ref].id,
        description=f"Improve {ref}",
        lead_user_id=year.people[f"{who}_lead"].id,
        target_date=LAUNCH + timedelta(days=target_day),
    )
    return action.id


def build_year(engine: Engine, session: Session, clock: FrozenDateTimeFactory) -> Year:
    """The year in the module docstring; leaves the clock on day 60."""
    clock.move_to(at(0))
    names = {
        "alder": ("Alder Health Trust", "Health", True),
        "birch": ("Birch Police", "Police", True),
        "cedar": ("Cedar Youth Club", "Voluntary", False),
        "dale": ("Dale Youth Project", "Voluntary", False),
        "elm": ("Elm Council", "Local authority", True),
        "fir": ("Fir Academy", "Education", False),
        "grove": ("Grove Sports Club", "Voluntary", False),
    }
    agencies = {key: add_agency(session, name=n, sector=s, statutory=st) for key, (n, s, st) in names.items()}
    people = {
        "coordinator": add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
    }
    for key, agency in agencies.items():
        people[key] = add_person(session, name=f"{key.title()} User", roles={Role.AGENCY_USER}, agency=agency)
        people[f"{key}_lead"] = add_person(session, name=f"{key.title()} Lead", roles={Role.LEAD_PERSON}, agency=agency)
    people["alder_exec"] = add_person(session, name="Alder Executive", roles={Role.EXECUTIVE}, agency=agencies["alder"])
    template = install_rag_template(session)
    cycle, launched = launch_cycle(engine, people["coordinator"], list(agencies.values()), template=template, opens_on=LAUNCH)
    by_agency = {r.agency_id: r.id for r in launched}
    questions = {q.ref: q for q in session.exec(select(Question).where(Question.template_id == template.id))}
    year = Year(cycle.id, template, {k: by_agency[a.id] for k, a in agencies.items()}, people, agencies, questions)
    all_green = {ref: "green" for ref in questions}
    coordinator, reviewer = people["coordinator"], people["qa"]

    clock.move_to(at(1))
    answer(engine, year, "alder", {**all_green, "2.1": "amber"})
    year.actions["alder_2.1"] = add_action(engine, year, "alder", "2.1", target_day=30)
    dropped = add_action(engine, year, "alder", "1.2", target_day=40)
    act(engine, returns.remove_action, people["alder"], dropped)
    answer(engine, year, "birch", {**all_green, "3.1": "red", "3.2": "amber"})
    year.actions["birch_3.1"] = add_action(engine, year, "birch", "3.1", target_day=50)
    year.actions["birch_3.2"] = add_action(engine, year, "birch", "3.2", target_day=50)
    answer(engine, year, "cedar", {"1.1": "green"})
    answer(engine, year, "elm", {**all_green, "1.1": "not_applicable", "1.2": "not_applicable"})
    answer(engine, year, "grove", {ref: "green" for ref in ("1.1", "1.2", "2.1", "3.1", "3.2")})
    act(
        engine,
        deadlines.extend_deadline,
        coordinator,
        year.returns["dale"],
        new_deadline=LAUNCH + timedelta(days=90),
        reason="New manager starting",
    )

    clock.move_to(at(5))
    act(engine, qa.withdraw, coordinator, year.returns["fir"], reason="Closed in March")
    clock.move_to(at(10))
    act(engine, returns.submit, people["alder"], year.returns["alder"], declaration_confirmed=True)
    clock.move_to(at(12))
    act(engine, returns.submit, people["elm"], year.returns["elm"], declaration_confirmed=True)
    clock.move_to(at(14))
    act(engine, returns.submit, people["grove"], year.returns["grove"], declaration_confirmed=True)
    clock.move_to(at(15))
    act(engine, qa.moderate, reviewer, year.returns["alder"], questions["1.1"].id, rating="amber")
    act(engine, qa.accept, reviewer, year.returns["alder"])
    clock.move_to(at(20))
    act(engine, returns.submit, people["birch"], year.returns["birch"], declaration_confirmed=True)
    clock.move_to(at(22))
    year.challenge_id = act(
        engine,
        qa.raise_challenge,
        reviewer,
        year.returns["birch"],
        text="How do you know staff share information?",
        question_id=questions["3.1"].id,
    ).id
    clock.move_to(at(23))
    year.evidence_request_ids["birch"] = act(
        engine,
        qa.request_evidence,
        reviewer,
        year.returns["birch"],
        description="The information-sharing audit",
        due_date=LAUNCH + timedelta(days=33),
        question_id=questions["3.1"].id,
    ).id
    clock.move_to(at(25))
    act(engine, qa.answer_challenge, people["birch"], year.challenge_id, response="We audit referrals every quarter.")
    clock.move_to(at(27))
    act(engine, qa.provide_evidence, people["birch"], year.evidence_request_ids["birch"], response="Audit attached")
    clock.move_to(at(28))
    act(engine, qa.moderate, reviewer, year.returns["birch"], questions["3.2"].id, rating="green")
    act(engine, qa.accept, reviewer, year.returns["birch"])
    clock.move_to(at(29))
    act(engine, actions.update_progress, people["birch_lead"], year.actions["birch_3.1"], note="Done", trigger="complete")
    act(
        engine,
        actions.update_progress,
        people["birch_lead"],
        year.actions["birch_3.2"],
        note="Not needed: QA moderated to Green",
        trigger="cancel",
    )
    clock.move_to(at(40))
    year.evidence_request_ids["elm"] = act(
        engine,
        qa.request_evidence,
        reviewer,
        year.returns["elm"],
        description="Board terms of reference",
        due_date=LAUNCH + timedelta(days=50),
    ).id
    clock.move_to(at(45))
    act(
        engine,
        statements.sign,
        people["alder_exec"],
        year.returns["alder"],
        signed_name="Alder Executive",
        declaration_confirmed=True,
    )
    clock.move_to(at(60))
    session.expire_all()
    return year


@contextmanager
def built_year(request: pytest.FixtureRequest, kind: str) -> Iterator[tuple[Engine, Year]]:
    """The year built once for a whole test module (the reports only read it), in a database of
    its own so the module's other tests, which empty theirs, cannot touch it; the clock stays on
    day 60 throughout."""
    if kind == "sqlite":
        path = request.getfixturevalue("tmp_path_factory").mktemp("year") / "s11.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, drop = f"sqlite:///{path}", None
    else:
        template = request.getfixturevalue("postgres_template")
        url = template.copy(f"year_{uuid.uuid4().hex[:6]}")
        drop = partial(template.drop, make_url(url).database)
    engine = make_engine(url)
    try:
        with freeze_time(at(0)) as clock:
            with Session(engine, expire_on_commit=False) as session:
                year = build_year(engine, session, clock)
            yield engine, year
    finally:
        engine.dispose()
        if drop:
            drop()


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
