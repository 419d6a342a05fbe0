"""The report pages pass axe's WCAG 2.2 AA checks in a real Chromium, with the built styles and
the charts inline, on the scenario whose every figure is known."""

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.numeric_scenario import SCORED, SCORED_ANSWERS, SCORED_MODERATIONS, install, run_year
from tests.web.conftest import PASSWORD
from tests.web.report_world import World, email, report_app, report_world

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    with report_world(request) as world:
        yield world


@pytest.fixture(scope="module")
def scored_cycle(world: World) -> int:
    """A cycle of the scenario's agencies on a moderated 0-3 score, for the numeric heatmap's page."""
    from sqlmodel import Session

    year = world.year
    people = {"coordinator": year.people["coordinator"], "qa": year.people["qa"]}
    for key in SCORED_ANSWERS:
        people[key], people[f"{key}_agency"] = year.people[key], year.agencies[key]
    with Session(world.engine, expire_on_commit=False) as session:
        template = install(session, SCORED)
        answers = {key: SCORED_ANSWERS[key] for key in ("alder", "birch")}
        return run_year(world.engine, session, people, template, answers, SCORED_MODERATIONS, name="Scored 2026").id


@pytest.fixture(scope="module")
def app(world: World) -> Iterator[Flask]:
    app = report_app(world.engine)
    yield app
    app.extensions["s11_engine"].dispose()


def test_report_pages_have_no_accessibility_violations(chromium, live_server, world, scored_cycle):
    from axe_playwright_python.sync_playwright import Axe

    year, cycle = world.year, world.year.cycle_id
    pages = ["/reports"] + [
        f"/cycles/{shown}/reports{part}"
        for shown in (cycle, world.draft_cycle_id)
        for part in ("", "/progress", "/compliance", "/year-on-year", "/actions")
    ] + [f"/cycles/{scored_cycle}/reports/compliance", f"/cycles/{scored_cycle}/reports/year-on-year"]
    axe = Axe()
    page = chromium.new_page()
    problems = {}

    def check(path: str) -> None:
        answer = page.goto(live_server + path)
        assert answer.status == 200, path
        assert page.url == live_server + path, f"expected {path}, but the browser is on {page.url}"
        assert "Sign in" not in (page.locator("h1").first.text_content() or "")
        # Missing CSS gives false target-size failures: make sure the built Arial styles loaded.
        assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower().startswith("arial"), (
            "styles not loaded"
        )
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if result.violations_count:
            problems[path] = result.generate_report()

    page.goto(live_server + "/sign-in")
    page.fill("#email", email(year, "coordinator"))
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "Signed in as" in page.inner_text("body"), f"not signed in: {page.url}"
    for path in pages:
        check(path)
    # The charts keep their colours under the page's CSP: a bar is filled with GOV.UK blue.
    page.goto(live_server + f"/cycles/{cycle}/reports/progress")
    fill = page.evaluate("getComputedStyle(document.querySelector('.app-chart svg path[fill=\"#1d70b8\"]')).fill")
    assert fill == "rgb(29, 112, 184)"
    # The numeric heatmap's cells keep the ramp's colours (reports.css), and at 320 px only its
    # tables scroll, inside their own regions.
    page.goto(live_server + f"/cycles/{scored_cycle}/reports/compliance")
    background = page.evaluate("getComputedStyle(document.querySelector('#heatmap .app-ramp-cell')).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"
    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert problems == {}
