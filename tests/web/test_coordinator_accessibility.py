"""The coordinator's pages pass axe's WCAG 2.2 AA checks in a real Chromium, with the built styles."""


import pytest
from sqlmodel import Session

from tests.factories import launch_cycle
from tests.web.conftest import PASSWORD
from tests.web.test_email_delivery_page import failed_email_and_bounce

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]



def test_coordinator_pages_have_no_accessibility_violations(chromium, live_server, partnership, sqlite_only_engine):
    from axe_playwright_python.sync_playwright import Axe

    cycle, launched = launch_cycle(
        sqlite_only_engine, partnership.coordinator, [partnership.health, partnership.youth], template=partnership.template
    )
    with Session(sqlite_only_engine) as session:
        failed_email_and_bounce(session)
    pages = [
        "/",
        "/cycles",
        f"/cycles/{cycle.id}",
        f"/cycles/{cycle.id}/returns/{launched[0].id}",
        f"/cycles/{cycle.id}/returns/{launched[0].id}/extend-deadline",
        "/cycles/new",
        "/agencies",
        "/agencies/new",
        "/agencies/import",
        "/people",
        "/people/invite",
        "/templates",
        f"/templates/{partnership.template.id}",
        "/templates/upload",
        "/email-delivery",
    ]
    axe = Axe()
    page = chromium.new_page()
    problems = {}

    def check(path: str) -> None:
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        # Missing CSS gives false target-size failures: make sure the built Arial styles loaded.
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower().startswith("arial"), (
            "styles not loaded"
        )
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if result.violations_count:
            problems[path] = result.generate_report()

    check("/sign-in")
    page.fill("#email", "cora.ordinator@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    for path in pages:
        check(path)
    assert problems == {}
