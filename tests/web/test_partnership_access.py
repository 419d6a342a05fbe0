"""The route × role access table's partnership dimension: another partnership's staff reach none
of this partnership's pages (404: its existence is not confirmed), and their lists hold only their own.

Hackney (the `world` of tests/web/return_world.py) beside Camden (tests/partnership_world.py),
with the Metropolitan Police in both.
"""

import re

import pytest
from sqlalchemy import event

from tests.partnership_world import add_neighbour
from tests.web import return_world, test_access
from tests.web.conftest import PASSWORD
from tests.web.return_world import signed_in
from tests.web.test_access import GET_ROUTES
from workflow import partnerships

world = return_world.world  # the shared fixtures: a launched cycle with a person in every role,
ids = test_access.ids  # and a submitted return with a challenge, an evidence request, an action and a file

# The coordinator's own pages about one of the partnership's things.
COORDINATOR_ROUTES = [
    "/cycles/{cycle}",
    "/cycles/{cycle}/reports",
    "/cycles/{cycle}/reports/compliance",
    "/cycles/{cycle}/returns/{ret}",
    "/cycles/{cycle}/exports/figures.json",
    "/agencies/{agency}/edit",
    "/people/{person}/edit",
    "/templates/{template}",
    "/returns/{ret}/return.pdf",
]


@pytest.fixture
def camden(world, session, sqlite_only_engine):
    return add_neighbour(session, sqlite_only_engine, world.p.coordinator, password=PASSWORD)


@pytest.fixture
def hackney_ids(world, ids):
    return {**ids, "cycle": world.cycle.id, "agency": world.p.health.id, "person": world.agency_user.id,
            "template": world.p.template.id}


@pytest.mark.parametrize("role", ["coordinator", "qa"])
def test_another_partnerships_staff_reach_none_of_its_pages(role, browser, world, hackney_ids, camden):
    signed_in(browser, camden.coordinator if role == "coordinator" else camden.qa)
    wrong = []
    routes = {route: expected[role] for route, expected in GET_ROUTES.items()}
    if role == "coordinator":
        routes |= {route: 200 for route in COORDINATOR_ROUTES}
    for route, for_own_staff in routes.items():
        path = route.format(**hackney_ids)
        response = browser.client.get(path)
        response.close()
        # What this partnership's own staff may see is a 404 for the other's; a refusal stays one.
        expected = 404 if for_own_staff == 200 and "{" in route else for_own_staff
        if response.status_code != expected:
            wrong.append(f"GET {path}: {response.status_code}, expected {expected}")
    assert wrong == []


def test_this_partnerships_coordinator_reaches_those_pages(browser, world, hackney_ids, camden):
    signed_in(browser, world.p.coordinator)
    wrong = []
    for route in COORDINATOR_ROUTES:
        response = browser.client.get(route.format(**hackney_ids))
        response.close()
        if response.status_code != 200:
            wrong.append(f"GET {route}: {response.status_code}")
    assert wrong == []


def test_each_coordinators_lists_hold_only_their_partnership(browser, world, camden):
    signed_in(browser, camden.coordinator)
    pages = " ".join(browser.open(path).text for path in ("/agencies", "/people", "/cycles", "/templates", "/reports"))
    for theirs in ("Camden Health Trust", "Metropolitan Police", "Cam Agency", "Camden audit 2026-27"):
        assert theirs in pages
    for hackneys in ("Hackney Health Trust", "Hackney Youth Club", "Cora Ordinator", "Alex Agency", world.cycle.name):
        assert hackneys not in pages
    browser.sign_out()
    signed_in(browser, world.p.coordinator)
    pages = " ".join(browser.open(path).text for path in ("/agencies", "/people", "/cycles"))
    assert "Metropolitan Police" in pages and "Hackney Health Trust" in pages
    for camdens in ("Camden Health Trust", "Cam Agency", "Cam Coordinator", "Camden audit 2026-27"):
        assert camdens not in pages


# Every table workflow/partnerships.py narrows (a read of any of them must carry the filter).
SCOPED_TABLES = re.compile(
    r"\b(?:FROM|JOIN)\s+(agency|cycle|audit_return|template|action|challenge|evidence_file|evidence_request|"
    r"good_practice|peer_review|qa_meeting_item|qa_selection|sampled_plan|action_plan_sample|key_theme|qa_meeting|"
    r"carried_standard|commissioner_comment|compliance_statement|deadline_extension|reused_answer|submission_copy|"
    r"cycle_agency|cycle_survey|survey_import|survey_link|history_record|outbox_message|survey_response|"
    r"intelligence_entry)\b"
)


def test_every_read_of_a_partnerships_tables_carries_the_partnership_filter(app, browser, world, hackney_ids, camden):
    """What the database is asked while the coordinator, QA and an agency user work through their pages: every statement
    reading agencies, cycles, returns or templates is limited to their partnership (a read that
    skipped workflow/partnerships.py's hook, such as one on the bare table, would not be).

    What it does not prove: that the filter is the right one (the word "partnership" anywhere in a
    statement passes, so one table filtered beside another unfiltered passes too), nor anything
    about pages it does not visit. tests/web/test_partnership_leaks.py proves the content: every
    page reachable in every role is searched for the other partnership's word."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, context, _many) -> None:
        if not (context is not None and context.execution_options.get(partnerships.ACROSS)):
            seen.append(statement)

    engine = app.extensions["s11_engine"]
    event.listen(engine, "before_cursor_execute", record)
    visits = [
        (world.p.coordinator, ["/", "/agencies", "/people", "/cycles", "/templates", "/reports", *COORDINATOR_ROUTES[:5]]),
        (world.qa, ["/", "/qa", "/qa/returns/{ret}", "/returns/{ret}", "/reports"]),
        (world.agency_user, ["/", "/returns", "/returns/{ret}", "/returns/{ret}/actions"]),
    ]
    try:
        for person, routes in visits:
            signed_in(browser, person)
            for route in routes:
                browser.open(route.format(**hackney_ids))
            browser.sign_out()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reading = [s for s in seen if s.lstrip().upper().startswith("SELECT") and SCOPED_TABLES.search(s)]
    assert len(reading) > 20
    assert [s for s in reading if "partnership" not in s] == []
