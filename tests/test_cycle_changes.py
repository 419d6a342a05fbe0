"""A coordinator changes a cycle once made, on SQLite and PostgreSQL under a frozen clock: corrects
or deletes a draft, moves a launched cycle's dates (reminders follow, agencies are told), sets its
reminders, invites an agency admitted mid-year, reopens a closed cycle."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import Session, select

from models import AuditReturn, Cycle, CycleAgency, HistoryRecord, OutboxMessage
from models.audit_return import ReturnState
from models.cycle import CycleKind, CycleState
from schedules.jobs import run_daily
from tests.factories import act, add_agency, launch_cycle
from workflow.calendar import cycle_changes, cycles
from workflow.calendar.cycles import CycleDates, CycleSettings
from workflow.errors import DomainError, NotPermitted

OPENS = date(2027, 1, 4)
DEADLINE = OPENS + timedelta(days=42)  # Monday 15 February 2027
YUSUF = "yusuf.youth@example.org"


def dates_from(opens: date, **changes: date) -> CycleDates:
    dates = {
        "opens_on": opens,
        "submission_deadline": opens + timedelta(days=42),
        "qa_window_ends": opens + timedelta(days=70),
        "action_plan_review": opens + timedelta(days=180),
        "statement_deadline": opens + timedelta(days=200),
    }
    return CycleDates(**{**dates, **changes})


def settings(p, *, name: str = "Section 11 audit 2026-27", agencies=None, **extra) -> CycleSettings:
    return CycleSettings(
        name=name, kind=CycleKind.FULL_AUDIT, template_id=p["template"].id, dates=dates_from(OPENS),
        agency_ids=[a.id for a in (agencies or [p["health"], p["youth"]])], **extra,
    )


def mail(engine, kind: str) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
        return [(row.to_email, row.subject) for row in rows]


def history_of(engine, cycle_id: int) -> list[tuple[str, str]]:
    with Session(engine) as session:
        records = session.exec(
            select(HistoryRecord).where(HistoryRecord.subject_type == "cycle", HistoryRecord.subject_id == cycle_id)
            .order_by(HistoryRecord.seq)
        ).all()
        return [(r.trigger, r.reason) for r in records]


@pytest.fixture
def clock():
    with freeze_time("2027-01-04 09:00:00") as frozen:
        yield frozen


def test_coordinator_can_correct_a_draft_and_delete_one_made_by_mistake(engine, partnership, clock):
    p = partnership
    draft = act(engine, cycles.create_cycle, p["coordinator"], **settings(p, name="Secton 11 audit").__dict__)
    corrected = act(engine, cycle_changes.edit_draft, p["coordinator"], draft.id,
                    settings(p, agencies=[p["youth"]], reminder_days=[10, 3], escalation_days=5))
    assert (corrected.name, corrected.reminder_days, corrected.escalation_days) == ("Section 11 audit 2026-27", [10, 3], 5)
    with Session(engine) as session:
        assert session.exec(select(CycleAgency.agency_id).where(CycleAgency.cycle_id == draft.id)).all() == [p["youth"].id]

    act(engine, cycle_changes.delete_draft, p["coordinator"], draft.id)
    with Session(engine) as session:
        assert session.get(Cycle, draft.id) is None
    assert [t for t, _ in history_of(engine, draft.id)] == ["create", "edit", "delete"]
    assert mail(engine, "invitation") == []  # a draft tells nobody anything


def test_a_draft_edit_reports_every_problem_at_once_and_a_launched_cycle_is_not_a_draft(engine, partnership, clock):
    p = partnership
    draft = act(engine, cycles.create_cycle, p["coordinator"], **settings(p).__dict__)
    blank = CycleSettings(name=" ", kind=CycleKind.FULL_AUDIT, template_id=0, dates=CycleDates(None, None, None, None, None),
                          agency_ids=[], reminder_days=[0], escalation_days=None)
    with pytest.raises(DomainError) as refused:
        act(engine, cycle_changes.edit_draft, p["coordinator"], draft.id, blank)
    assert [getattr(r, "field", None) for r in refused.value.reasons] == [
        "name", "template_id", "opens_on", "submission_deadline", "qa_window_ends", "action_plan_review",
        "statement_deadline", "reminder_days", "escalation_days", "agency_ids",
    ]
    with pytest.raises(NotPermitted):
        act(engine, cycle_changes.delete_draft, p["youth_user"], draft.id)

    cycle, _ = launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], name="Launched", opens_on=OPENS)
    with pytest.raises(DomainError, match="Only a draft cycle can be deleted"):
        act(engine, cycle_changes.delete_draft, p["coordinator"], cycle.id)
    with pytest.raises(DomainError, match="Only a draft cycle can be changed like this"):
        act(engine, cycle_changes.edit_draft, p["coordinator"], cycle.id, settings(p, name="Launched"))


def test_moving_a_launched_cycles_deadline_tells_the_agencies_and_the_reminders_follow(engine, partnership, clock):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"], opens_on=OPENS)
    later = DEADLINE + timedelta(days=14)  # Monday 1 March 2027

    clock.move_to("2027-02-01 10:00:00")
    act(engine, cycle_changes.change_dates, p["coordinator"], cycle.id,
        dates_from(OPENS, submission_deadline=later), reason="The new standards template came late")

    told = mail(engine, "cycle_dates_changed")
    assert [email for email, _ in told] == ["alex.agency@example.org", YUSUF]
    assert told[0][1] == "Section 11 Section 11 audit 2026-27: the audit's dates have changed"
    with Session(engine) as session:
        body = session.exec(select(OutboxMessage.text_body).where(OutboxMessage.kind == "cycle_dates_changed")).first()
    assert "The submission deadline is now 1 March 2027 (was 15 February 2027)" in body
    assert "The new standards template came late" in body
    assert history_of(engine, cycle.id)[-1] == ("change_dates", "The new standards template came late")

    # The old deadline passes without an overdue notice; the new one brings it.
    for day in (DEADLINE + timedelta(days=1), later, later + timedelta(days=1)):
        clock.move_to(f"{day.isoformat()} 07:00:00")
        run_daily(engine, day)
        if day <= later:
            assert mail(engine, "submission_overdue") == [], day
    assert {email for email, _ in mail(engine, "submission_overdue")} == {"alex.agency@example.org", YUSUF}


def test_a_date_change_must_say_why_and_cannot_move_the_past_or_the_opening(engine, partnership, clock):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], opens_on=OPENS)
    clock.move_to("2027-02-01 10:00:00")
    with pytest.raises(DomainError) as refused:
        act(engine, cycle_changes.change_dates, p["coordinator"], cycle.id,
            dates_from(OPENS + timedelta(days=1), submission_deadline=date(2027, 1, 31)), reason=" ")
    assert [(getattr(r, "field", None), str(r)) for r in refused.value.reasons] == [
        ("reason", "Say why the dates change: the agencies are told."),
        ("submission_deadline", "The new submission deadline cannot be in the past."),
        ("opens_on", "The cycle has opened: its opening date cannot move."),
    ]
    assert mail(engine, "cycle_dates_changed") == []


def test_reminder_days_and_the_escalation_delay_are_set_per_cycle(engine, partnership, clock):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], opens_on=OPENS)
    with pytest.raises(DomainError) as refused:
        act(engine, cycle_changes.set_reminders, p["coordinator"], cycle.id, reminder_days=[0, 7], escalation_days=0)
    assert [r.field for r in refused.value.reasons] == ["reminder_days", "escalation_days"]

    act(engine, cycle_changes.set_reminders, p["coordinator"], cycle.id, reminder_days=[3], escalation_days=2)
    sent_on = {}
    for offset in range(-15, 4):
        day = DEADLINE + timedelta(days=offset)
        clock.move_to(f"{day.isoformat()} 07:00:00")
        kinds = ("submission_reminder", "submission_overdue", "submission_escalation")
        before = {kind: len(mail(engine, kind)) for kind in kinds}
        run_daily(engine, day)
        sent_on |= {kind: day for kind in kinds if len(mail(engine, kind)) > before[kind]}
    assert sent_on == {
        "submission_reminder": DEADLINE - timedelta(days=3),
        "submission_overdue": DEADLINE + timedelta(days=1),
        "submission_escalation": DEADLINE + timedelta(days=2),
    }
    assert history_of(engine, cycle.id)[-1][0] == "set_reminders"


def test_an_agency_admitted_mid_year_joins_the_open_cycle_and_is_invited(engine, partnership, session, clock):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"], opens_on=OPENS)
    clock.move_to("2027-01-20 10:00:00")
    ret = act(engine, cycle_changes.add_agency, p["coordinator"], cycle.id, p["youth"].id)

    assert ret.status == ReturnState.INVITED
    assert [email for email, _ in mail(engine, "invitation")] == ["alex.agency@example.org", YUSUF]
    assert history_of(engine, cycle.id)[-1][0] == "add_agency"
    with pytest.raises(DomainError, match="Hackney Youth Club is already taking part in this cycle."):
        act(engine, cycle_changes.add_agency, p["coordinator"], cycle.id, p["youth"].id)
    nobody = add_agency(session, name="Quiet Charity", sector="Voluntary", statutory=False)
    session.commit()
    with Session(engine) as s:
        agency = s.get(type(nobody), nobody.id)
        agency.contact_email = ""
        s.add(agency)
        s.commit()
    with pytest.raises(DomainError, match="Quiet Charity has no contact to invite"):
        act(engine, cycle_changes.add_agency, p["coordinator"], cycle.id, nobody.id)


def test_a_closed_cycle_is_reopened_with_a_reason_and_a_later_deadline_and_stays_open(engine, partnership, clock):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], opens_on=OPENS)
    # The statement deadline has passed and the last chase (the escalation) has gone: the daily work closes it.
    past_statement = cycle.statement_deadline + timedelta(days=cycle.escalation_days + 1)
    clock.move_to(f"{past_statement.isoformat()} 07:00:00")
    run_daily(engine, past_statement)
    with Session(engine) as session:
        assert session.get(Cycle, cycle.id).status == CycleState.CLOSED

    with pytest.raises(DomainError) as refused:
        act(engine, cycle_changes.reopen, p["coordinator"], cycle.id, reason="")
    assert [r.field for r in refused.value.reasons] == ["reason", "statement_deadline"]

    new_deadline = past_statement + timedelta(days=30)
    act(engine, cycle_changes.reopen, p["coordinator"], cycle.id, reason="Two executives were away",
        statement_deadline=new_deadline)
    run_daily(engine, past_statement + timedelta(days=1))
    with Session(engine) as session:
        reopened = session.get(Cycle, cycle.id)
        assert (reopened.status, reopened.statement_deadline, reopened.closed_at) == (CycleState.OPEN, new_deadline, None)
        assert session.exec(select(AuditReturn.status).where(AuditReturn.cycle_id == cycle.id)).one() != ReturnState.WITHDRAWN
    assert [t for t, _ in history_of(engine, cycle.id)][-3:] == ["close", "reopen", "change_dates"]
