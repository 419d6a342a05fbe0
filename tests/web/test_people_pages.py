"""The coordinator changes a person's details and reactivates a deactivated one, through the pages."""

import pytest
from sqlmodel import select

from models import User, UserRole
from models.user import Role
from tests.web.conftest import add_person, error_summary


@pytest.fixture
def coordinator(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    return browser


def test_coordinator_changes_a_persons_roles_and_agency_every_problem_linked_to_its_field(coordinator, partnership, session):
    person = add_person(session, name="Sam Staff", roles={Role.AGENCY_USER}, agency=partnership.youth)
    page = coordinator.open(f"/people/{person.id}/edit")
    assert 'value="Sam Staff"' in page.text

    coordinator.submit(f"/people/{person.id}/edit", {"name": "", "roles": ["executive"], "agency_id": ""}, expect=422)
    assert [href for href, _ in error_summary(coordinator)] == ["#name", "#agency_id"]

    coordinator.submit(f"/people/{person.id}/edit", {"name": "Sam Staff-Jones", "roles": ["agency_user", "lead_person"],
                                                     "agency_id": str(partnership.health.id)})
    assert "Sam Staff-Jones' details were saved." in coordinator.text
    assert "Agency user, Lead person" in coordinator.text
    session.expire_all()
    assert session.get(User, person.id).agency_id == partnership.health.id
    assert set(session.exec(select(UserRole.role).where(UserRole.user_id == person.id)).all()) == {"agency_user", "lead_person"}


def test_coordinator_reactivates_a_deactivated_person(coordinator, partnership, session):
    person = add_person(session, name="Dee Activated", roles={Role.AGENCY_USER}, agency=partnership.youth)
    coordinator.submit(f"/people/{person.id}/deactivate", form_page="/people")
    assert "Dee Activated can no longer sign in." in coordinator.text
    assert "Reactivate" in coordinator.text
    coordinator.submit(f"/people/{person.id}/reactivate", form_page="/people")
    assert "Dee Activated can sign in again." in coordinator.text
    session.expire_all()
    assert session.get(User, person.id).active
