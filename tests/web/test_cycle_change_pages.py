"""The coordinator changes a cycle through its pages: every problem of a form at once, each linked
to its field; a draft corrected and deleted; a launched cycle's dates moved, its reminders set, an
agency invited mid-year; a closed cycle reopened."""

from datetime import date

import pytest
from freezegun import freeze_time
from sqlmodel import select

from models import AuditReturn, Cycle, OutboxMessage
from tests.factories import act, add_agency, launch_cycle
from tests.web.conftest import error_summary
from tests.web.test_coordinator_pages import _cycle_form, _date_fields
from workflow.calendar import cycles

OPENS = date(2027, 1, 4)


@pytest.fixture
def coordinator(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    return browser


@pytest.fixture
def clock():
    with freeze_time("2027-01-04 09:00:00", tick=True) as frozen:
        yield frozen


def test_an_empty_create_cycle_form_reports_every_problem_at_once_each_linked_to_its_field(coordinator, partnership):
    coordinator.submit("/cycles/new", {"name": "", "template_id": "", "reminder_days": "soon", "escalation_days": "7"},
                       expect=422)
    assert [href for href, _ in error_summary(coordinator)] == [
        "#name", "#template_id", "#opens_on", "#submission_deadline", "#qa_window_ends", "#action_plan_review",
        "#statement_deadline", "#reminder_days", "#agency_ids",
    ]
    assert "Enter the opening date as a real date, for example 27 3 2027." in coordinator.text


def test_a_date_that_is_not_a_date_is_named_beside_the_workflows_reasons(coordinator, partnership):
    form = _cycle_form(partnership.template.id, [partnership.youth.id], name="")
    form.update({"opens_on": ["31", "2", "2027"]})
    coordinator.submit("/cycles/new", form, expect=422)
    assert error_summary(coordinator)[:2] == [
        ("#name", "Give the cycle a name, for example “Section 11 audit 2026-27”."),
        ("#opens_on", "Enter opening date as a real date, for example 27 3 2027"),
    ]


def test_coordinator_corrects_a_draft_then_deletes_it(coordinator, partnership, session):
    coordinator.submit("/cycles/new", _cycle_form(partnership.template.id, [partnership.youth.id], name="Secton 11"))
    draft = session.exec(select(Cycle)).one()
    assert "Change the draft" in coordinator.text

    page = coordinator.open(f"/cycles/{draft.id}/edit")
    assert 'value="Secton 11"' in page.text and 'value="14, 7, 1"' in page.text
    form = {**_cycle_form(partnership.template.id, [partnership.health.id], name="Section 11 audit 2026-27"),
            "reminder_days": "10, 2", "escalation_days": "3"}
    coordinator.submit(f"/cycles/{draft.id}/edit", form)
    assert "The draft was saved." in coordinator.text
    assert "10, 2 days before a deadline; escalation 3 days after" in coordinator.text
    assert "Hackney Health Trust" in coordinator.text

    coordinator.submit(f"/cycles/{draft.id}/delete")
    assert "Section 11 audit 2026-27 was deleted." in coordinator.text
    session.expire_all()
    assert session.exec(select(Cycle)).all() == []


def test_coordinator_moves_a_launched_cycles_deadline_with_a_reason_and_the_agencies_are_told(
    clock, coordinator, partnership, session, sqlite_only_engine
):
    cycle, _ = launch_cycle(sqlite_only_engine, partnership.coordinator, [partnership.youth], template=partnership.template,
                            opens_on=OPENS)
    page = f"/cycles/{cycle.id}/dates"
    dates = {**_date_fields("submission_deadline", date(2027, 3, 1)), **_date_fields("qa_window_ends", cycle.qa_window_ends),
             **_date_fields("action_plan_review", cycle.action_plan_review),
             **_date_fields("statement_deadline", cycle.statement_deadline)}
    coordinator.submit(page, {**dates, "reason": ""}, expect=422)
    assert error_summary(coordinator) == [("#reason", "Say why the dates change: the agencies are told.")]

    coordinator.submit(page, {**dates, "reason": "The template came late"})
    assert "The dates were changed. Each agency taking part has been told." in coordinator.text
    assert "1 March 2027" in coordinator.text
    told = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "cycle_dates_changed")).all()
    assert [m.to_email for m in told] == ["contact@hackney-youth-club.example.org"]


def test_coordinator_sets_reminders_invites_an_agency_mid_year_and_reopens_a_closed_cycle(
    coordinator, partnership, session, sqlite_only_engine
):
    cycle, _ = launch_cycle(sqlite_only_engine, partnership.coordinator, [partnership.health], template=partnership.template)

    coordinator.submit(f"/cycles/{cycle.id}/reminders", {"reminder_days": "0", "escalation_days": "x"}, expect=422)
    assert [href for href, _ in error_summary(coordinator)] == ["#reminder_days", "#escalation_days"]
    assert 'value="x"' in coordinator.page.text  # what was typed stays
    coordinator.submit(f"/cycles/{cycle.id}/reminders", {"reminder_days": "21, 7", "escalation_days": "5"})
    assert "21, 7 days before a deadline; escalation 5 days after" in coordinator.text

    late = add_agency(session, name="Hackney Faith Forum", sector="Faith", statutory=False)
    session.commit()
    page = coordinator.open(f"/cycles/{cycle.id}/add-agency")
    assert "Hackney Faith Forum" in page.text and "Hackney Youth Club" in page.text
    coordinator.submit(f"/cycles/{cycle.id}/add-agency", {"agency_id": str(late.id)})
    assert "The agency was added to the cycle and its contacts were invited by e-mail." in coordinator.text
    assert session.exec(select(AuditReturn).where(AuditReturn.agency_id == late.id)).one().status == "invited"

    act(sqlite_only_engine, cycles.close, partnership.coordinator, cycle.id)
    coordinator.open(f"/cycles/{cycle.id}")
    assert "Reopen the cycle" in coordinator.text
    coordinator.submit(f"/cycles/{cycle.id}/reopen", {"reason": ""}, expect=422)
    assert [href for href, _ in error_summary(coordinator)] == ["#reason"]
    coordinator.submit(f"/cycles/{cycle.id}/reopen", {"reason": "Two agencies asked for more time"})
    assert "The cycle is open again." in coordinator.text
    session.expire_all()
    assert session.get(Cycle, cycle.id).status == "open"
