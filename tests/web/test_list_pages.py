"""The coordinator finds agencies and people in long lists: search, filters and GOV.UK pagination."""

import pytest

from models.user import Role
from tests.factories import add_agency
from tests.web.conftest import add_person


@pytest.fixture
def coordinator(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    return browser


def test_coordinator_searches_filters_and_pages_through_sixty_agencies(coordinator, session):
    for i in range(1, 61):
        add_agency(session, name=f"Agency {i:02d} Trust", sector="Health" if i % 3 else "Voluntary", statutory=bool(i % 3))
    session.commit()

    page = coordinator.open("/agencies")
    assert "1 to 25 of 62 agencies" in coordinator.text
    assert 'class="govuk-pagination"' in page.text and 'aria-current="page"' in page.text
    coordinator.open("/agencies?sector=Voluntary&statutory=no&page=2")  # one page of 21: page 2 shows it
    assert "21 agencies" in coordinator.text and "Agency 60 Trust" in coordinator.text
    assert "Agency 01 Trust" not in coordinator.text
    coordinator.open("/agencies?q=agency+5")
    assert "10 agencies" in coordinator.text and "Agency 55 Trust" in coordinator.text
    assert "Agency 05 Trust" not in coordinator.text
    coordinator.open("/agencies?q=nothing+like+this")
    assert "No agency matches." in coordinator.text
    coordinator.open("/agencies?page=abc")  # a page that is not a number is the first page, not an error
    assert "1 to 25 of 62 agencies" in coordinator.text


def test_coordinator_finds_people_by_name_role_and_agency_and_the_filters_stay_in_the_page_links(
    coordinator, partnership, session
):
    for i in range(1, 31):
        add_person(session, name=f"Person {i:02d}", roles={Role.AGENCY_USER}, agency=partnership.youth)

    page = coordinator.open(f"/people?agency={partnership.youth.id}")
    assert "1 to 25 of 30 people" in coordinator.text
    assert f"agency={partnership.youth.id}&amp;page=2" in page.text  # the next page keeps the filter
    coordinator.open(f"/people?agency={partnership.youth.id}&page=2")
    assert "26 to 30 of 30 people" in coordinator.text and "Person 30" in coordinator.text
    coordinator.open("/people?role=coordinator")
    assert "2 people" in coordinator.text and "Cora Ordinator" in coordinator.text and "Person 01" not in coordinator.text
    coordinator.open("/people?q=PERSON+0&status=active")
    assert "9 people" in coordinator.text
