"""An agency user invites a colleague through the pages; the coordinator sees who invited whom."""

from tests.web.conftest import error_summary


def test_an_agency_user_invites_a_colleague_and_the_coordinator_sees_who_did(browser, another_browser, partnership):
    agency = browser
    agency.sign_in("alex.agency@example.org")
    agency.open("/returns")
    assert "Your colleagues" in agency.text
    agency.submit("/colleagues/invite", {"name": "", "email": "nope", "roles": []}, expect=422)
    assert [href for href, _ in error_summary(agency)][:1] == ["#roles"]
    agency.submit("/colleagues/invite", {"name": "Lena Lead", "email": "lena@health.example.org", "roles": ["lead_person"]})
    assert "An invitation was sent to lena@health.example.org." in agency.text
    assert "Lena Lead (lena@health.example.org) : Lead person, invited. Invited by Alex Agency" in agency.text

    another_browser.sign_in("cora.ordinator@example.org")
    another_browser.open("/people?q=lena")
    assert "Invited by Alex Agency" in another_browser.text
    another_browser.open("/colleagues", expect=403)  # the coordinator's own list is People
