"""The Board's pages for a numeric scale: a percentage template in 5% steps, its returns moderated
by QA (tests/numeric_scenario.py). Each cell says its number, the colour key is on the page, each
chart has its table, and the over-rating list carries the numbers."""

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import Session

from models import User
from tests.numeric_scenario import PERCENTAGE, PERCENTAGE_ANSWERS, PERCENTAGE_MODERATIONS, install, partnership, run_year
from tests.web.conftest import PASSWORD, Browser
from tests.web.report_world import report_app
from workflow.people import users


@pytest.fixture(scope="module")
def numeric_world(tmp_path_factory, sqlite_template) -> Iterator[tuple]:
    """The percentage year on SQLite, with the coordinator able to sign in."""
    import shutil

    from models.db import make_engine

    path = tmp_path_factory.mktemp("numeric") / "numeric.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        people = partnership(session)
        template = install(session, PERCENTAGE)
        cycle = run_year(engine, session, people, template, PERCENTAGE_ANSWERS, PERCENTAGE_MODERATIONS, name="Enable 2026")
        coordinator = session.get(User, people["coordinator"].id)
        users.set_password(session, coordinator, PASSWORD)
        session.commit()
        yield engine, cycle.id, coordinator.email
    engine.dispose()


@pytest.fixture(scope="module")
def app(numeric_world) -> Iterator[Flask]:
    app = report_app(numeric_world[0])
    yield app
    app.extensions["s11_engine"].dispose()


def test_a_percentage_heatmap_writes_each_mean_beside_a_colour_key(app, numeric_world):
    _, cycle_id, email = numeric_world
    browser = Browser(app.test_client())
    browser.sign_in(email)
    browser.open(f"/cycles/{cycle_id}/reports/compliance")
    text = browser.text

    assert ("Ratings against the standards Scores on the Percentage achieved scale from 3 submitted returns. "
            "A standard's score is the mean of its elements' scores; an element counts as met at 80% or more.") in text
    # Alder: 92.5% rated, QA 82.5%; every cell has its number and its ramp colour's class.
    assert "Alder Health Trust Health, statutory 92.5% QA: 82.5% 77.5% QA: 65% 85% median 90% QA: 73.75%" in text
    assert 'class="app-ramp-cell app-ramp-6">92.5%' in browser.page.text
    assert "0% to under 20%" in text and "80% to 100%" in text  # the key
    # The table beside the chart: standard 1, 5 elements, mean 84%, median 95%, 80% met; after QA 80%, 85%, 80%.
    assert "1 Leadership 5 84% 95% 80.0% 80% 85% 80.0% 4% 0 1 0 4" in text
    assert "Alder Health Trust 2 Safer workforce 77.5% 65% 12.5% 1 (2.2)" in text
    assert browser.page.text.count("<svg") == 4  # mean and bands overall, then mean by statutory status
