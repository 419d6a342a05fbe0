"""Issue 14's done-when, in a real headless Chromium: Hackney and Camden run a joint cycle.

A coordinator of both partnerships makes it on the create-cycle page ("Partnerships taking part")
and launches it; the Metropolitan Police, in both partnerships, finds one return for it and
submits it once; Hackney's and Camden's coordinators both see that return beside their own
agencies', and each partnership's heatmap shows only its own area; Islington's coordinator, a
third partnership, cannot reach the cycle, its return or its reports (404). The coordinator of
both filters the heatmap to one area. axe-core checks every page on the way.
"""

import re
import urllib.parse
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import AuditReturn, Partnership
from models.user import Role
from tests.factories import act, answer_everything, questions_of
from tests.partnership_world import add_neighbour
from tests.web.browser_helpers import Journey, fill_date, screenshot_folder, words
from tests.web.conftest import PASSWORD, add_person
from workflow import partnerships
from workflow.answering import returns
from workflow.clock import today
from workflow.people import users

pytestmark = pytest.mark.browser

JOINT = "Pan-area audit 2026-27"
HACKNEY = "Hackney Safeguarding Children Partnership"
CAMDEN = "Camden Safeguarding Children Partnership"


@pytest.fixture
def world(monkeypatch, session: Session, partnership, sqlite_only_engine):
    """Hackney (the web `partnership`), Camden beside it with the Met Police in both, a coordinator
    of both, and Islington with a coordinator of its own."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    hackney = session.get(Partnership, partnerships.home_partnership(session, partnership.coordinator))
    hackney.name, hackney.slug = HACKNEY, "hackney"
    session.add(hackney)
    session.commit()
    camden = add_neighbour(session, sqlite_only_engine, partnership.coordinator, password=PASSWORD)
    both = add_person(session, name="Jo Joint", roles={Role.COORDINATOR})
    partnerships.join(session, user_id=both.id, partnership_ids=[camden.partnership.id])
    islington = partnerships.add_partnership(session, "Islington Safeguarding Children Partnership")
    isla = users.add_user(session, None, email="isla@islington.example.org", name="Isla Islington",
                          roles={Role.COORDINATOR}, password=PASSWORD, partnership_id=islington.id)
    police_user = add_person(session, name="Pat Police", roles={Role.AGENCY_USER}, agency=camden.police)
    session.commit()
    return {"p": partnership, "camden": camden, "both": both, "isla": isla, "police_user": police_user}


def test_an_agency_in_two_partnerships_answers_a_joint_cycle_once_and_each_partnership_sees_its_own_area(
    chromium, live_server, world, session, sqlite_only_engine
):
    journey = Journey(chromium, live_server, screenshot_folder())
    p, camden = world["p"], world["camden"]

    # The coordinator of both makes the joint cycle on the page, and launches it.
    page = journey.sign_in(world["both"].email, world["both"].name)
    journey.goto(page, "/cycles/new", shot="coordinator-new-joint-cycle")
    page.get_by_label("Name", exact=True).fill(JOINT)
    page.get_by_label("Standards template").select_option(label=f"{p.template.name} (version {p.template.version})")
    opens = today()
    fill_date(page, "Opening date", opens)
    fill_date(page, "Submission deadline", opens + timedelta(days=42))
    fill_date(page, "End of the QA window", opens + timedelta(days=70))
    fill_date(page, "Action plan review", opens + timedelta(days=180))
    fill_date(page, "Statement of compliance deadline", opens + timedelta(days=200))
    taking_part = page.get_by_role("group", name="Partnerships taking part")
    taking_part.get_by_label(HACKNEY).check()
    taking_part.get_by_label(CAMDEN).check()
    agencies = page.get_by_role("group", name="Agencies taking part")
    for name in ("Hackney Health Trust", "Metropolitan Police", "Camden Health Trust"):
        agencies.get_by_label(name).check()
    journey.click(page, page.get_by_role("button", name="Create cycle"), shot="coordinator-joint-draft")
    assert f"Joint cycle of {HACKNEY}, {CAMDEN}" in words(page)
    journey.click(page, page.get_by_role("button", name="Launch the cycle"))
    assert "The cycle is open: 3 agencies were invited." in words(page)
    cycle_id = int(re.search(r"/cycles/(\d+)", page.url).group(1))
    launched = {r.agency_id: r for r in session.exec(select(AuditReturn).where(AuditReturn.cycle_id == cycle_id))}
    assert len(launched) == 3  # one return for the police, though it is in both partnerships
    police_return = launched[camden.police.id]

    # Hackney's trust and Camden's trust answer and submit (through the engine); the police answer too.
    questions = questions_of(session, p.template)
    for person, agency in ((p.agency_user, p.health), (camden.agency_user, camden.agency), (world["police_user"], camden.police)):
        answer_everything(sqlite_only_engine, person, launched[agency.id].id, questions)
    for person, agency in ((p.agency_user, p.health), (camden.agency_user, camden.agency)):
        act(sqlite_only_engine, returns.submit, person, launched[agency.id].id, declaration_confirmed=True)

    # The police find one return for the joint cycle, beside Camden's own cycle, and submit it once.
    page = journey.sign_in(world["police_user"].email, world["police_user"].name, shot="agency-police-home")
    main = page.get_by_role("main")
    assert main.get_by_role("link", name=JOINT).count() == 1
    assert main.get_by_role("link", name=camden.cycle.name).count() == 1
    journey.goto(page, f"/returns/{police_return.id}/submit")
    page.get_by_role("group", name="Declaration").get_by_role("checkbox").check()
    journey.click(page, page.get_by_role("button", name="Submit the return"), shot="agency-police-submitted")
    session.expire_all()
    assert session.get(AuditReturn, police_return.id).status == "submitted"

    # Each partnership's coordinator sees the police's return beside their own agencies' only.
    for coordinator, own, others, others_return in (
        (p.coordinator, "Hackney Health Trust", "Camden Health Trust", launched[camden.agency.id]),
        (camden.coordinator, "Camden Health Trust", "Hackney Health Trust", launched[p.health.id]),
    ):
        page = journey.sign_in(coordinator.email, coordinator.name)
        journey.goto(page, f"/cycles/{cycle_id}", shot="coordinator-joint-cycle")
        seen = words(page)
        assert "Metropolitan Police" in seen and own in seen and others not in seen
        journey.goto(page, f"/cycles/{cycle_id}/returns/{police_return.id}")
        assert "Metropolitan Police" in words(page)
        journey.goto(page, f"/cycles/{cycle_id}/reports/compliance", shot="coordinator-joint-heatmap")
        heatmap = words(page)
        assert "Metropolitan Police" in heatmap and own in heatmap and others not in heatmap
        assert "from 2 submitted returns" in heatmap
        assert page.get_by_label("Area", exact=True).count() == 0  # one partnership: nothing to filter
        journey.goto(page, f"/cycles/{cycle_id}/returns/{others_return.id}", expect=404)  # the other area's own agency

    # A third partnership's coordinator cannot reach the joint cycle, its return or its reports.
    page = journey.sign_in(world["isla"].email, world["isla"].name)
    for path in (f"/cycles/{cycle_id}", f"/cycles/{cycle_id}/returns/{police_return.id}",
                 f"/cycles/{cycle_id}/reports/compliance", f"/returns/{police_return.id}/return.pdf"):
        response = page.request.get(live_server + path)
        assert response.status == 404, f"{path}: {response.status}"
    journey.goto(page, f"/cycles/{cycle_id}/reports/compliance", expect=404)
    assert JOINT not in words(page)

    # The coordinator of both sees every area, and filters the heatmap to one.
    page = journey.sign_in(world["both"].email, world["both"].name)
    journey.goto(page, f"/cycles/{cycle_id}/reports/compliance")
    assert "from 3 submitted returns" in words(page)
    page.get_by_label("Area", exact=True).select_option(label=CAMDEN)
    journey.click(page, page.get_by_role("button", name="Show this area"), shot="coordinator-joint-heatmap-camden")
    heatmap = words(page)
    assert f"Showing {CAMDEN}'s agencies only." in heatmap and "from 2 submitted returns" in heatmap
    assert "Camden Health Trust" in heatmap and "Hackney Health Trust" not in heatmap
    area = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["area"][0]
    journey.goto(page, f"/reports/cycles/{cycle_id}/staff-survey?area={area}", shot="coordinator-joint-survey-camden")
    assert f"Showing {CAMDEN}'s agencies only." in words(page)

    assert journey.violations == [], journey.report()
