"""Nothing of another partnership reaches a page: Hackney's people, in every role, walk every page
they can reach (every route of the app, filled with Hackney's things, and every link those pages
show), and the word "Camden", which every one of Camden's things carries, appears on none.

This is the proof that the reads go through workflow/partnerships.py's scope, whatever way they
are written: a read that skips it (a Core statement on the bare table, a table missing from the
hook's criteria) shows Camden's row on some page, and the test names the page.
"""

import html
import re

import pytest

from tests.web import return_world, test_access
from tests.web.partnership_routes import MARK, fill, get_rules, two_partnerships
from tests.web.return_world import signed_in

world = return_world.world
ids = test_access.ids

LINK = re.compile(r'href="(/[^"#]*)"')
READABLE = ("text/html", "text/csv", "application/json", "text/plain")
SKIP = ("/sign-out", "/static/", "/favicon.ico")
PAGES_PER_PERSON = 400


@pytest.fixture
def hackney_and_camden(world, ids, session, sqlite_only_engine):
    return two_partnerships(world, ids, session, sqlite_only_engine)


def walk(browser, start: list[str]) -> tuple[int, list[str]]:
    """Visit every page reachable from `start` (same site, GET): how many, and where "Camden" shows."""
    queue, seen, leaks = list(start), set(), []
    while queue and len(seen) < PAGES_PER_PERSON:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP):
            continue
        seen.add(path)
        response = browser.client.get(path)
        kind = response.headers.get("Content-Type", "")
        if response.status_code == 200 and kind.startswith(READABLE):
            text = response.get_data(as_text=True)
            found = text.lower().find(MARK)
            if found >= 0:
                leaks.append(f"{path}: …{text[max(0, found - 60):found + 40]}…")
            if kind.startswith("text/html"):
                queue += [html.unescape(link) for link in LINK.findall(text)]
        response.close()
    return len(seen), leaks


@pytest.mark.parametrize("role", ["coordinator", "qa", "agency_user", "lead", "executive", "other_agency_user"])
def test_no_page_a_partnerships_people_reach_shows_anything_of_another(role, app, browser, world, hackney_and_camden):
    person = {"coordinator": world.p.coordinator, "qa": world.qa, "agency_user": world.agency_user, "lead": world.lead,
              "executive": world.executive, "other_agency_user": world.youth_user}[role]
    signed_in(browser, person)
    start = ["/", *(fill(rule, hackney_and_camden.hackney) for rule in get_rules(app))]
    visited, leaks = walk(browser, start)
    assert visited > 80
    assert leaks == []


def test_the_word_looked_for_is_on_camdens_own_pages(app, browser, hackney_and_camden):
    """The other half of the proof: Camden's coordinator, walking the same way, does see it."""
    signed_in(browser, hackney_and_camden.camden.coordinator)
    _visited, seen = walk(browser, ["/", "/agencies", "/cycles", "/email-delivery", "/intelligence"])
    places = {leak.split(":")[0] for leak in seen}
    assert {"/agencies", "/cycles", "/email-delivery", "/intelligence"} <= places
