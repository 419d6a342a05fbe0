"""The report scenario (tests/report_scenario.py) behind the web app, for the report pages' tests.

On top of the scenario's year: a year before it (2025-26) in which Alder rated 2.1 Red (Amber
now: improved) and Birch rated 3.1 Green (Red now: declined), so the year-on-year page has a
change to show; and next year's cycle (2027-28), still a draft, so every page is seen with
nothing to report too. The people who sign in have the web tests' password.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import Engine
from sqlmodel import Session

from models import Cycle, User
from models.cycle import CycleKind
from tests.factories import act, launch_cycle
from tests.report_scenario import LAUNCH, Year, add_action, answer, at, built_year
from tests.web.conftest import PASSWORD
from web import create_app
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.people import users

SIGNING_IN = ("coordinator", "qa", "alder", "alder_lead", "alder_exec", "birch")
EARLIER = "Section 11 audit 2025-26"
NEXT = "Section 11 audit 2027-28"


@dataclass(frozen=True)
class World:
    engine: Engine
    year: Year
    draft_cycle_id: int


def email(year: Year, who: str) -> str:
    return year.people[who].email


def earlier_year(engine: Engine, year: Year) -> int:
    """Alder and Birch's submitted returns a year before the scenario, made the scenario's previous cycle."""
    green = {ref: "green" for ref in year.questions}
    with freeze_time(at(-365)):
        cycle, launched = launch_cycle(
            engine,
            year.people["coordinator"],
            [year.agencies["alder"], year.agencies["birch"]],
            template=year.template,
            name=EARLIER,
            opens_on=LAUNCH - timedelta(days=365),
        )
        before = Year(cycle.id, year.template, {}, year.people, year.agencies, year.questions)
        by_agency = {r.agency_id: r.id for r in launched}
        before.returns = {key: by_agency[year.agencies[key].id] for key in ("alder", "birch")}
        answer(engine, before, "alder", {**green, "2.1": "red"})
        add_action(engine, before, "alder", "2.1", target_day=-300)
        answer(engine, before, "birch", green)
        for key in ("alder", "birch"):
            act(engine, returns.submit, year.people[key], before.returns[key], declaration_confirmed=True)
    with Session(engine) as session:
        # Cycles name their predecessor when created; the scenario's was made first, so link it here.
        session.get(Cycle, year.cycle_id).previous_cycle_id = cycle.id
        session.commit()
    return cycle.id


def draft_cycle(engine: Engine, year: Year) -> int:
    """Next year's cycle, made but not launched: no returns, no history, nothing submitted."""
    opens = LAUNCH + timedelta(days=365)
    dates = cycles.CycleDates(
        opens_on=opens,
        submission_deadline=opens + timedelta(days=42),
        qa_window_ends=opens + timedelta(days=70),
        action_plan_review=opens + timedelta(days=180),
        statement_deadline=opens + timedelta(days=200),
    )
    draft = act(
        engine,
        cycles.create_cycle,
        year.people["coordinator"],
        name=NEXT,
        kind=CycleKind.FULL_AUDIT,
        template_id=year.template.id,
        dates=dates,
        agency_ids=[year.agencies["alder"].id, year.agencies["birch"].id],
        previous_cycle_id=year.cycle_id,
    )
    return draft.id


def _reload(engine: Engine, year: Year) -> None:
    """The scenario leaves its rows expired; read them again so their ids and e-mails can be used."""
    with Session(engine, expire_on_commit=False) as session:
        rows = [year.template, *year.people.values(), *year.agencies.values(), *year.questions.values()]
        session.add_all(rows)
        for row in rows:
            session.refresh(row)


@contextmanager
def report_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The scenario on SQLite, read on day 60 (the clock stays frozen there), with the cycles either side."""
    with built_year(request, "sqlite") as (engine, year):
        _reload(engine, year)
        earlier_year(engine, year)
        draft = draft_cycle(engine, year)
        with Session(engine) as session:
            first, *others = (session.get(User, year.people[who].id) for who in SIGNING_IN)
            users.set_password(session, first, PASSWORD)
            for user in others:  # the same password: one slow hash instead of six
                user.password_hash = first.password_hash
            session.commit()
        yield World(engine, year, draft)


def report_app(engine: Engine) -> Flask:
    return create_app(
        {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "S11_HTTPS": False,
        }
    )
