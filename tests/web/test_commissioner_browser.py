"""A commissioning agency reads a provider's return and comments, in a real headless Chromium with
axe-core on every page; the coordinator reads the same return with the comment. The provider's
return is written through the engine."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from models import Agency
from models.user import Role
from tests.factories import act, add_agency, answer_everything, launch_cycle, questions_of
from tests.web.browser_helpers import Journey, screenshot_folder, words
from tests.web.conftest import Partnership, add_person, last_email, link_in
from workflow.answering import returns
from workflow.people import users

pytestmark = pytest.mark.browser


@pytest.fixture
def commissioned(request, monkeypatch, session: Session, sqlite_only_engine, app):
    """Hackney Council commissions the health trust, whose return is submitted."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p: Partnership = request.getfixturevalue("partnership")
    council = add_agency(session, name="Hackney Council", sector="Local authority", statutory=True)
    health = session.get(Agency, p.health.id)
    health.commissioned_by_id = council.id
    session.add(health)
    session.commit()
    commissioner = add_person(session, name="Cam Commissioner", roles={Role.AGENCY_USER}, agency=council)
    _cycle, launched = launch_cycle(sqlite_only_engine, p.coordinator, [p.health, council], template=p.template)
    ret = next(r for r in launched if r.agency_id == p.health.id)
    lead = add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=p.health)
    answer_everything(sqlite_only_engine, p.agency_user, ret.id, questions_of(session, p.template), rating="partly_met",
                      lead=lead)
    act(sqlite_only_engine, returns.submit, p.agency_user, ret.id, declaration_confirmed=True)
    return {"p": p, "commissioner": commissioner, "ret": ret}


def test_a_commissioner_reads_a_providers_return_and_comments(chromium, live_server, commissioned, session):
    journey = Journey(chromium, live_server, screenshot_folder())
    p = commissioned["p"]

    page = journey.sign_in("cam.commissioner@example.org", "Cam Commissioner")
    journey.click(page, page.get_by_role("link", name="Commissioned services"), shot="agency-commissioned-services")
    assert "Hackney Health Trust" in words(page, "table")
    journey.click(page, page.get_by_role("link", name="Hackney Health Trust"))
    assert "Hackney Health Trust's return" in words(page, "h1")
    assert "Partly met" in words(page)  # the answers, read-only: nothing to change
    assert page.get_by_role("link", name="Change").count() == 0
    assert page.get_by_role("button", name="Save").count() == 0
    journey.click(page, page.get_by_role("button", name="Send the comment"), expect=422)
    assert "Write your comment for the provider." in words(page, ".govuk-error-summary")
    page.get_by_role("link", name="Write your comment for the provider.").click()
    assert page.evaluate("document.activeElement.id") == "comment"
    page.get_by_label("Your comment").fill("Please share the safer-recruitment audit with us.")
    journey.click(page, page.get_by_role("button", name="Send the comment"), shot="agency-commissioner-comment")
    assert "Your comment is sent" in words(page)
    assert "Please share the safer-recruitment audit with us." in words(page, "#comments ~ .govuk-inset-text")
    mail = last_email(session, "commissioner_comment", p.agency_user.email)
    assert "Please share the safer-recruitment audit with us." in mail.text_body

    provider = journey.sign_in(p.agency_user.email, "Alex Agency")  # the provider follows the e-mail's link
    journey.goto(provider, link_in(mail).split("#")[0])
    assert "Cam Commissioner, Hackney Council" in words(provider, "#commissioner-comments ~ .govuk-inset-text")

    coordinator = journey.sign_in(p.coordinator.email, "Cora Ordinator")
    journey.click(coordinator, coordinator.get_by_role("link", name="Commissioned services"))
    assert "Hackney Council" in words(coordinator, "table")
    journey.click(coordinator, coordinator.get_by_role("link", name="Hackney Health Trust"))
    assert "Cam Commissioner, Hackney Council" in words(coordinator)
    assert coordinator.get_by_role("button", name="Send the comment").count() == 0  # the coordinator reads

    assert journey.violations == [], journey.report()
