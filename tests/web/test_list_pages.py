"""The coordinator finds agencies and people in long lists: search, filters and GOV.UK pagination."""

import pytest
from sqlmodel import select

from models import Template, User
from models.user import Role
from tests.bulk_world import bulk_cycle
from tests.factories import add_agency
from tests.web.conftest import add_person
from workflow.reporting import reports


@pytest.fixture
def coordinator(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    return browser


def test_coordinator_searches_filters_and_pages_through_sixty_agencies(coordinator, session):
    for i in range(1, 61):
        add_agency(session, name=f"Agency {i:02d} Trust", sector="Health" if i % 3 else "Voluntary", statutory=bool(i % 3))
    session.commit()

    page = coordinator.open("/agencies")
    assert "1 to 25 of 62 agencies" in coordinator.text
    assert 'class="govuk-pagination"' in page.text and 'aria-current="page"' in page.text
    coordinator.open("/agencies?sector=Voluntary&statutory=no&page=2")  # one page of 21: page 2 shows it
    assert "21 agencies" in coordinator.text and "Agency 60 Trust" in coordinator.text
    assert "Agency 01 Trust" not in coordinator.text
    coordinator.open("/agencies?q=agency+5")
    assert "10 agencies" in coordinator.text and "Agency 55 Trust" in coordinator.text
    assert "Agency 05 Trust" not in coordinator.text
    coordinator.open("/agencies?q=nothing+like+this")
    assert "No agency matches." in coordinator.text
    coordinator.open("/agencies?page=abc")  # a page that is not a number is the first page, not an error
    assert "1 to 25 of 62 agencies" in coordinator.text


def test_coordinator_finds_people_by_name_role_and_agency_and_the_filters_stay_in_the_page_links(
    coordinator, partnership, session
):
    for i in range(1, 31):
        add_person(session, name=f"Person {i:02d}", roles={Role.AGENCY_USER}, agency=partnership.youth)

    page = coordinator.open(f"/people?agency={partnership.youth.id}")
    assert "1 to 25 of 30 people" in coordinator.text
    assert f"agency={partnership.youth.id}&amp;page=2" in page.text  # the next page keeps the filter
    coordinator.open(f"/people?agency={partnership.youth.id}&page=2")
    assert "26 to 30 of 30 people" in coordinator.text and "Person 30" in coordinator.text
    coordinator.open("/people?role=coordinator")
    assert "2 people" in coordinator.text and "Cora Ordinator" in coordinator.text and "Person 01" not in coordinator.text
    coordinator.open("/people?q=PERSON+0&status=active")
    assert "9 people" in coordinator.text


def test_coordinator_finds_an_agency_on_page_two_of_each_report(coordinator, session, sqlite_only_engine):
    """A county's reports list a thousand agencies: 50 at a time, and any one found by its name."""
    template = session.exec(select(Template).order_by(Template.id)).first()  # the partnership's, installed already
    user = session.exec(select(User).where(User.email == "cora.ordinator@example.org")).one()
    previous = bulk_cycle(sqlite_only_engine, name="Last year", agencies=120, template=template, user=user)
    cycle = bulk_cycle(sqlite_only_engine, name="This year", agencies=0, template=template, user=user, previous=previous)
    base = f"/cycles/{cycle}/reports"
    on_page_two = {  # the 51st agency of each report's table
        "compliance": reports.compliance_heatmap(session, cycle).rows[50].agency_name,
        "year-on-year": reports.year_on_year(session, cycle).rows[50].agency_name,
        "actions": reports.action_plans(session, cycle).by_agency[50].agency_name,
    }

    for report, total in (("compliance", "80 agencies"), ("year-on-year", "120 agencies"), ("actions", "80 agencies")):
        last = on_page_two[report]
        page = coordinator.open(f"{base}/{report}")
        assert f"1 to 50 of {total}" in coordinator.text, report
        assert 'class="govuk-pagination"' in page.text and last not in coordinator.text, report
        coordinator.open(f"{base}/{report}?page=2")
        assert last in coordinator.text, report
        coordinator.open(f"{base}/{report}?q={last.lower().replace(' ', '+')}")
        assert f"1 agency found for “{last.lower()}”" in coordinator.text and last in coordinator.text, report
        coordinator.open(f"{base}/{report}?q=nothing+like+this")
        assert "No agency whose name holds “nothing like this” is in this list." in coordinator.text, report

    last = reports.cycle_progress(session, cycle).overdue_evidence_requests[-1].agency_name
    page = coordinator.open(f"{base}/progress")  # 120 evidence requests overdue: each list paged on its own
    assert "1 to 50 of 120 overdue evidence requests" in coordinator.text
    assert "requests_page=2" in page.text
    coordinator.open(f"{base}/progress?requests_page=3")
    assert "101 to 120 of 120 overdue evidence requests" in coordinator.text
    coordinator.open(f"{base}/progress?q={last.replace(' ', '+')}")
    assert "1 overdue evidence request found for" in coordinator.text and last in coordinator.text
