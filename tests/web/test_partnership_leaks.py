"""Nothing of another partnership reaches a page: Hackney's people, in every role, walk every page
they can reach (every route of the app, filled with Hackney's things, and every link those pages
show), and the word "Camden", which every one of Camden's things carries, appears on none.

This is the proof that the reads go through workflow/partnerships.py's scope, whatever way they
are written: a read that skips it (a Core statement on the bare table, a table missing from the
hook's criteria) shows Camden's row on some page, and the test names the page.

The walks only read (GET), so the two partnerships are built once for the module, on one app, and
each walk is one person signed in once. Downloads that are not text (PDF, spreadsheets, zips) are
not fetched: the walk could not read them, and each costs seconds to draw.
"""

import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlmodel import Session

from models.db import make_engine
from tests.web.conftest import Browser, make_app, make_partnership
from tests.web.partnership_routes import MARK, TwoPartnerships, fill, get_rules, two_partnerships
from tests.web.return_world import CHEAP_HASHER, World, build_world, signed_in, under_review
from workflow.people import users

pytestmark = pytest.mark.minutes  # started before the short modules (tests/conftest.py)

LINK = re.compile(r'href="(/[^"#]*)"')
READABLE = ("text/html", "text/csv", "application/json", "text/plain")
SKIP = ("/sign-out", "/static/", "/favicon.ico")
NOT_TEXT = (".pdf", ".xlsx", ".zip")
PAGES_PER_PERSON = 400


@dataclass
class Walk:
    app: Flask
    world: World
    both: TwoPartnerships


@pytest.fixture(scope="module")
def walk_world(tmp_path_factory, sqlite_template) -> Iterator[Walk]:
    """Hackney (return_world's `world`, its return under review) beside Camden, built once."""
    folder = tmp_path_factory.mktemp("leaks")
    shutil.copy(sqlite_template, folder / "s11.sqlite")
    engine = make_engine(f"sqlite:///{folder / 's11.sqlite'}")
    app = make_app(engine)
    app.config["EVIDENCE_DIR"] = folder / "evidence"
    with pytest.MonkeyPatch.context() as patch, Session(engine, expire_on_commit=False) as session:
        patch.setattr(users, "_hasher", CHEAP_HASHER)
        world = build_world(session, engine, make_partnership(session))
        ids = under_review(world, session, engine, app.config["EVIDENCE_DIR"])
        yield Walk(app, world, two_partnerships(world, ids, session, engine))
    app.extensions["s11_engine"].dispose()
    engine.dispose()


def walk(browser: Browser, start: list[str]) -> tuple[int, list[str]]:
    """Visit every page reachable from `start` (same site, GET): how many, and where "Camden" shows."""
    queue, seen, leaks = list(start), set(), []
    while queue and len(seen) < PAGES_PER_PERSON:
        path = queue.pop(0)
        if path in seen or path.startswith(SKIP) or path.split("?")[0].endswith(NOT_TEXT):
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
def test_no_page_a_partnerships_people_reach_shows_anything_of_another(role, walk_world):
    w = walk_world.world
    person = {"coordinator": w.p.coordinator, "qa": w.qa, "agency_user": w.agency_user, "lead": w.lead,
              "executive": w.executive, "other_agency_user": w.youth_user}[role]
    browser = signed_in(Browser(walk_world.app.test_client()), person)
    start = ["/", *(fill(rule, walk_world.both.hackney) for rule in get_rules(walk_world.app))]
    visited, leaks = walk(browser, start)
    assert visited > 80
    assert leaks == []


def test_the_word_looked_for_is_on_camdens_own_pages(walk_world):
    """The other half of the proof: Camden's coordinator, walking the same way, does see it."""
    browser = signed_in(Browser(walk_world.app.test_client()), walk_world.both.camden.coordinator)
    _visited, seen = walk(browser, ["/", "/agencies", "/cycles", "/email-delivery", "/intelligence"])
    places = {leak.split(":")[0] for leak in seen}
    assert {"/agencies", "/cycles", "/email-delivery", "/intelligence"} <= places
