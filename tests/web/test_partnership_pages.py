"""A coordinator in two partnerships: chooses which to work in at sign-in and from the header,
sees only the chosen one's things, and puts an agency of one in the other on the partnerships page."""

import pytest
from sqlmodel import select

from models import AgencyPartnership
from tests.partnership_world import add_neighbour
from tests.web.conftest import PASSWORD
from workflow import partnerships


@pytest.fixture
def camden(app, partnership, session, sqlite_only_engine):
    neighbour = add_neighbour(session, sqlite_only_engine, partnership.coordinator, password=PASSWORD)
    partnerships.join(session, user_id=partnership.coordinator.id, partnership_ids=[neighbour.partnership.id])
    session.commit()
    return neighbour


def test_a_coordinator_in_two_partnerships_chooses_one_and_sees_only_it(browser, partnership, camden):
    landed = browser.sign_in(partnership.coordinator.email)
    assert "Which partnership are you working in?" in landed.text
    browser.submit("/choose-partnership", {"partnership": str(camden.partnership.id)})
    agencies = browser.open("/agencies").text
    assert "Camden Health Trust" in agencies and "Hackney Health Trust" not in agencies
    assert "Change partnership" in agencies

    browser.submit("/choose-partnership", {"partnership": "1"})
    agencies = browser.open("/agencies").text
    assert "Hackney Health Trust" in agencies and "Camden Health Trust" not in agencies
    assert "Camden audit 2026-27" not in browser.open("/cycles").text


def test_a_partnership_not_theirs_cannot_be_chosen(browser, partnership, camden, session):
    other = partnerships.add_partnership(session, "Islington Safeguarding Children Partnership")
    session.commit()
    browser.sign_in(partnership.coordinator.email)
    refused = browser.submit("/choose-partnership", {"partnership": str(other.id)}, expect=200)
    assert "Not a valid choice" in refused.text or "Choose one of the partnerships" in refused.text


def test_a_coordinator_of_one_partnership_is_not_asked(browser, camden):
    landed = browser.sign_in(camden.coordinator.email)
    assert "Which partnership" not in landed.text and "Change partnership" not in landed.text


def test_the_partnerships_page_shows_each_and_adds_an_agency_to_the_other(browser, partnership, camden, session):
    browser.sign_in(partnership.coordinator.email)
    browser.submit("/choose-partnership", {"partnership": "1"})
    page = browser.open("/partnerships").text
    assert "Camden Safeguarding Children Partnership" in page and "Cam Coordinator" in page
    assert "Hackney Youth Club to Camden Safeguarding Children Partnership" in page
    move = f"{partnership.youth.id}-{camden.partnership.id}"
    done = browser.submit("/partnerships", {"move": move})
    assert "Hackney Youth Club is now in both partnerships" in done.text
    assert (partnership.youth.id, camden.partnership.id) in set(
        session.exec(select(AgencyPartnership.agency_id, AgencyPartnership.partnership_id)))


def test_a_coordinator_of_one_partnership_cannot_add_another_partnerships_agency(browser, partnership, camden):
    browser.sign_in(camden.coordinator.email)
    page = browser.open("/partnerships").text
    assert "Camden Health Trust" in page and "Hackney" not in page
    refused = browser.submit("/partnerships", {"move": f"{partnership.health.id}-{camden.partnership.id}"}, expect=422)
    assert "Not a valid choice" in refused.text
