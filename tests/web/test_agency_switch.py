"""A named nurse acting for two agencies chooses which at sign-in, and switches from the header;
what she may reach follows the agency chosen."""

from models.user import Role
from tests.factories import act
from tests.web import return_world
from tests.web.conftest import add_person
from workflow.people import agency_choice

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def test_a_person_acting_for_two_agencies_chooses_and_switches(browser, world, session, sqlite_only_engine):
    nurse = add_person(session, name="Nia Nurse", roles={Role.AGENCY_USER}, agency=world.p.health)
    act(sqlite_only_engine, agency_choice.let_act_for, world.p.coordinator, nurse, world.p.youth.id)

    browser.sign_in(nurse.email)
    assert "Which agency are you acting for?" in browser.text
    browser.submit("/choose-agency", {"agency": str(world.p.youth.id)})
    assert "Change agency" in browser.text
    browser.open(f"/returns/{world.youth_ret.id}")
    browser.open(f"/returns/{world.ret.id}", expect=404)

    browser.submit("/choose-agency", {"agency": str(world.p.health.id)})
    browser.open(f"/returns/{world.ret.id}")
    browser.open(f"/returns/{world.youth_ret.id}", expect=404)
    # An agency she does not act for cannot be chosen.
    browser.submit("/choose-agency", {"agency": "999999"})
    assert "Choose" in browser.text and "There is a problem" in browser.text
    browser.open(f"/returns/{world.ret.id}")


def test_a_person_acting_for_one_agency_goes_straight_in(browser, world):
    browser.sign_in(world.agency_user.email)
    assert "Which agency are you acting for?" not in browser.text and "Change agency" not in browser.text
