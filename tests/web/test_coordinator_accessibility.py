"""The coordinator's pages pass axe's WCAG 2.2 AA checks in a real Chromium, with the built styles."""


import pytest
from sqlmodel import Session

from tests.factories import launch_cycle
from tests.web.browser_helpers import assert_on_page
from tests.web.conftest import PASSWORD
from tests.web.test_email_delivery_page import failed_email_and_bounce
from workflow import partnerships

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def test_coordinator_pages_have_no_accessibility_violations(chromium, live_server, partnership, sqlite_only_engine):
    from axe_playwright_python.sync_playwright import Axe

    cycle, launched = launch_cycle(
        sqlite_only_engine, partnership.coordinator, [partnership.health, partnership.youth], template=partnership.template
    )
    with Session(sqlite_only_engine) as session:
        failed_email_and_bounce(session)
        # The coordinator also works in Camden: the partnership chooser and the page to add an agency there.
        camden = partnerships.add_partnership(session, "Camden Safeguarding Children Partnership")
        partnerships.join(session, user_id=partnership.coordinator.id, partnership_ids=[camden.id])
        session.commit()
    health = launched[0].id
    # Each page with the heading that proves it is that page (not the sign-in page it would
    # redirect to if signing in had failed).
    pages = {
        "/": "Your work in the Section 11 audit",
        "/cycles": "Cycles",
        f"/cycles/{cycle.id}": "Section 11 audit 2026-27",
        f"/cycles/{cycle.id}/returns/{health}": "Hackney Health Trust",
        f"/cycles/{cycle.id}/returns/{health}/extend-deadline": "Extend the submission deadline",
        "/cycles/new": "Create a cycle",
        "/agencies": "Agencies",
        "/agencies/new": "Add an agency",
        "/agencies/import": "Import agencies from a spreadsheet",
        "/people": "People",
        "/people/invite": "Invite someone",
        "/templates": "Standards templates",
        f"/templates/{partnership.template.id}": "Section 11 self-assessment",
        "/templates/upload": "Load a template file",
        "/email-delivery": "E-mail delivery",
        f"/cycles/{cycle.id}/key-themes": "Key themes",
        "/choose-partnership": "Which partnership are you working in?",
        "/partnerships": "Your partnerships",
    }
    axe = Axe()
    page = chromium.new_page()
    problems = {}

    def check(path: str, heading: str) -> None:
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        assert_on_page(page, live_server + path, heading)
        # Missing CSS gives false target-size failures: make sure the built Arial styles loaded.
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower().startswith("arial"), (
            "styles not loaded"
        )
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if result.violations_count:
            problems[path] = result.generate_report()

    check("/sign-in", "Sign in to the Section 11 audit")
    page.fill("#email", "cora.ordinator@example.org")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "Signed in as Cora Ordinator" in page.inner_text("body"), f"not signed in: {page.url}"
    for path, heading in pages.items():
        check(path, heading)
    assert problems == {}
