"""Time, on SQLite and PostgreSQL, with a frozen clock: which e-mails the daily job queues on which
day and to whom, through a cycle. A day whose run queues anything is run again (as after a
restart, or by a second process) and the repeat must queue nothing."""

from collections import defaultdict
from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import Session, select

from models import AuditReturn, Cycle, OutboxMessage
from models.audit_return import ReturnState
from models.cycle import CycleKind, CycleState
from schedules.jobs import run_daily
from tests.factories import act, add_agency, answer_everything, launch_cycle, questions_of
from workflow.answering import actions, returns
from workflow.calendar import cycles, deadlines
from workflow.calendar.reminders import after_deadline_stages, current_stage, reminder_stages
from workflow.review import qa, statements

OPENS = date(2027, 1, 4)
DEADLINE = OPENS + timedelta(days=42)  # launch_cycle's submission deadline: Monday 15 February 2027
ALEX, YUSUF, ERIN = "alex.agency@example.org", "yusuf.youth@example.org", "erin.executive@example.org"
CEO_YOUTH = "ceo@hackney-youth-club.example.org"
COORDINATORS = {"cora.ordinator@example.org", "setup.coordinator@partnership.example.org"}

Mail = set[tuple[str, str]]



class Calendar:
    """Runs the daily job day by day under a frozen clock and keeps the e-mails each day queued."""

    def __init__(self, engine, clock):
        self.engine = engine
        self.clock = clock
        self.mail: dict[date, Mail] = defaultdict(set)
        self._seen: set[int] = set()

    def at(self, day: date, hour: int = 6) -> None:
        self.clock.move_to(f"{day.isoformat()} {hour:02}:00:00")

    def run(self, day: date) -> Mail:
        self.at(day, 7)
        if any(run_daily(self.engine, day).values()):
            repeat = run_daily(self.engine, day)
            assert not any(repeat.values()), f"the repeated run on {day} did something: {repeat}"
        return self.collect(day)

    def run_through(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            self.run(day)
            day += timedelta(days=1)

    def collect(self, day: date) -> Mail:
        """E-mails queued since the last look, filed under `day`."""
        with self.session() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.id.not_in(self._seen or {0}))).all()
        self._seen.update(row.id for row in rows)
        self.mail[day] |= {(row.kind, row.to_email) for row in rows}
        return {(row.kind, row.to_email) for row in rows}

    def on(self, day: date, operation, *args, **kwargs):
        """Someone acts on `day` (before that day's run)."""
        self.at(day)
        result = act(self.engine, operation, *args, **kwargs)
        self.collect(day)
        return result

    def days_with(self, kinds: set[str]) -> dict[date, Mail]:
        return {
            day: {m for m in mail if m[0] in kinds} for day, mail in sorted(self.mail.items()) if any(m[0] in kinds for m in mail)
        }

    def session(self) -> Session:
        return Session(self.engine)


@pytest.fixture
def calendar(engine, partnership):
    """A clock frozen at the opening of the 2026-27 cycle, moved on by the test."""
    with freeze_time(OPENS) as clock:
        yield Calendar(engine, clock)


def _launch(calendar: Calendar, p, agencies, **options):
    calendar.at(OPENS, 9)
    return launch_cycle(calendar.engine, p["coordinator"], agencies, template=p["template"], opens_on=OPENS, **options)


def _return_of(session, cycle, agency) -> AuditReturn:
    session.expire_all()
    return session.exec(select(AuditReturn).where(AuditReturn.cycle_id == cycle.id, AuditReturn.agency_id == agency.id)).one()


SUBMISSION_KINDS = {"submission_reminder", "submission_overdue", "submission_escalation"}
STATEMENT_KINDS = {"statement_due", "statement_reminder", "statement_overdue", "statement_escalation"}


def test_only_the_latest_stage_due_is_relevant_and_reminders_end_with_the_deadline():
    stages = reminder_stages(DEADLINE, [14, 7, 1], issued_on=OPENS) + after_deadline_stages(DEADLINE, 7)
    on = {day: current_stage(stages, day) for day in (date(2027, 1, 31), date(2027, 2, 1), date(2027, 2, 13),
                                                       DEADLINE, date(2027, 2, 16), date(2027, 3, 30))}
    assert {day: stage.name if stage else None for day, stage in on.items()} == {
        date(2027, 1, 31): None,
        date(2027, 2, 1): "before-14",
        date(2027, 2, 13): "before-7",
        DEADLINE: "before-1",  # a day late, still true: it is due today
        date(2027, 2, 16): "overdue",
        date(2027, 3, 30): "escalation",
    }
    # A statement has reminders only: after its deadline nothing is relevant any more.
    assert current_stage(reminder_stages(DEADLINE, [14, 7, 1], issued_on=OPENS), date(2027, 2, 16)) is None
    # Nothing the day the date was given; escalation after one day replaces the overdue notice.
    assert reminder_stages(DEADLINE, [14], issued_on=DEADLINE - timedelta(days=14)) == []
    assert current_stage(after_deadline_stages(DEADLINE, 1), date(2027, 2, 16)).name == "escalation"


def test_reminders_stop_at_submission_and_move_with_an_extension(engine, session, partnership, calendar):
    p = partnership
    cycle, _ = _launch(calendar, p, [p["health"], p["youth"]])
    health, youth = _return_of(session, cycle, p["health"]), _return_of(session, cycle, p["youth"])
    calendar.run_through(date(2027, 1, 25), date(2027, 2, 9))

    # The health trust submits on 10 February; the youth club is given until 22 February.
    calendar.at(date(2027, 2, 10))
    answer_everything(engine, p["agency_user"], health.id, questions_of(session, p["template"]))
    calendar.on(date(2027, 2, 10), returns.submit, p["agency_user"], health.id, declaration_confirmed=True)
    extended = calendar.on(
        date(2027, 2, 12), deadlines.extend_deadline, p["coordinator"], youth.id,
        new_deadline=date(2027, 2, 22), reason="Their safeguarding lead is on leave",
    )
    assert extended.new_deadline == date(2027, 2, 22)
    calendar.run_through(date(2027, 2, 10), date(2027, 3, 8))

    assert calendar.days_with(SUBMISSION_KINDS) == {
        date(2027, 2, 1): {("submission_reminder", ALEX), ("submission_reminder", YUSUF)},
        date(2027, 2, 8): {("submission_reminder", ALEX), ("submission_reminder", YUSUF)},
        # From here only the youth club, on its new deadline: 7 days and 1 day before 22 February,
        # nothing on the old deadline, an overdue notice on the 23rd, escalation a week after.
        date(2027, 2, 15): {("submission_reminder", "yusuf.youth@example.org")},
        date(2027, 2, 21): {("submission_reminder", "yusuf.youth@example.org")},
        date(2027, 2, 23): {("submission_overdue", "yusuf.youth@example.org")},
        date(2027, 3, 1): {("submission_escalation", CEO_YOUTH)} | {("submission_escalation", c) for c in COORDINATORS},
    }
    # The messages say the deadline the agency has now.
    with calendar.session() as s:
        reminder = s.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "submission_reminder").order_by(OutboxMessage.id.desc())
        ).first()
    assert "due tomorrow, by 22 February 2027" in reminder.text_body
    assert f"/returns/{youth.id}" in reminder.text_body
    assert reminder.subject == (
        "Section 11 Section 11 audit 2026-27: reminder, Hackney Youth Club's return is due by 22 February 2027"
    )


def test_a_scheduler_down_for_three_days_catches_up_once_with_what_is_still_relevant(engine, session, partnership, calendar):
    p = partnership
    cycle, _ = _launch(calendar, p, [p["health"]])
    health = _return_of(session, cycle, p["health"])
    calendar.run_through(date(2027, 1, 30), date(2027, 2, 5))
    # Down on 6, 7 and 8 February: back on the 9th, the 7-day reminder goes once, late but true.
    assert calendar.run(date(2027, 2, 9)) == {("submission_reminder", "alex.agency@example.org")}
    calendar.run_through(date(2027, 2, 10), date(2027, 2, 12))
    # Down on 13, 14 and 15 February: back on the 16th, the 1-day reminder is stale and is not sent;
    # the overdue notice is.
    assert calendar.run(date(2027, 2, 16)) == {("submission_overdue", "alex.agency@example.org")}
    calendar.run_through(date(2027, 2, 17), date(2027, 2, 25))

    assert calendar.days_with(SUBMISSION_KINDS) == {
        date(2027, 2, 1): {("submission_reminder", "alex.agency@example.org")},
        date(2027, 2, 9): {("submission_reminder", "alex.agency@example.org")},
        date(2027, 2, 16): {("submission_overdue", "alex.agency@example.org")},
        date(2027, 2, 22): {("submission_escalation", "erin.executive@example.org")}
        | {("submission_escalation", c) for c in COORDINATORS},
    }
    with calendar.session() as s:
        late = s.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "submission_reminder").order_by(OutboxMessage.id.desc())
        ).first()
    assert "due in 6 days, by 15 February 2027" in late.text_body
    assert _return_of(session, cycle, p["health"]).status == health.status


def test_no_reminder_for_a_withdrawn_return(engine, session, partnership, calendar):
    p = partnership
    cycle, _ = _launch(calendar, p, [p["youth"]])
    youth = _return_of(session, cycle, p["youth"])
    calendar.on(date(2027, 1, 20), qa.withdraw, p["coordinator"], youth.id, reason="The club has closed")
    for day in (date(2027, 2, 1), date(2027, 2, 8), date(2027, 2, 14), date(2027, 2, 16), date(2027, 2, 22)):
        calendar.run(day)
    assert calendar.days_with(SUBMISSION_KINDS) == {}


def _submitted_health_return(engine, session, p, calendar: Calendar, *, with_action: bool):
    """The health trust's return, answered Fully met throughout (one Partly met with an action led
    by Lee when `with_action`), submitted on 1 February."""
    cycle, _ = _launch(calendar, p, [p["health"]])
    ret = _return_of(session, cycle, p["health"])
    first, *rest = questions_of(session, p["template"])
    calendar.at(date(2027, 2, 1))
    answer_everything(engine, p["agency_user"], ret.id, rest)
    if with_action:
        act(engine, returns.save_answer, p["agency_user"], ret.id, first.id, rating="partly_met", narrative="Partly")
        act(engine, returns.add_action, p["agency_user"], ret.id, first.id, description="Train all managers",
            lead_user_id=p["lead"].id, target_date=date(2027, 6, 30))
    else:
        answer_everything(engine, p["agency_user"], ret.id, [first])
    calendar.on(date(2027, 2, 1), returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    return cycle, ret


def test_evidence_requested_by_qa_is_chased_until_it_is_provided(engine, session, partnership, calendar):
    p = partnership
    _, ret = _submitted_health_return(engine, session, p, calendar, with_action=False)
    calendar.on(date(2027, 2, 20), qa.request_evidence, p["qa"], ret.id,
                description="Minutes of the board meeting that approved the policy", due_date=date(2027, 3, 5))
    second = calendar.on(date(2027, 2, 20), qa.request_evidence, p["qa"], ret.id,
                         description="The training matrix", due_date=date(2027, 3, 10))
    # The training matrix arrives on 8 March; the minutes never do.
    calendar.run_through(date(2027, 2, 20), date(2027, 3, 7))
    calendar.on(date(2027, 3, 8), qa.provide_evidence, p["agency_user"], second.id, response="Attached to the return")
    calendar.run_through(date(2027, 3, 8), date(2027, 3, 20))

    alex = "alex.agency@example.org"
    assert calendar.days_with({"evidence_reminder", "evidence_overdue"}) == {
        date(2027, 3, 2): {("evidence_reminder", alex)},  # 3 days before 5 March
        date(2027, 3, 4): {("evidence_reminder", alex)},  # 1 day before
        date(2027, 3, 6): {("evidence_overdue", alex)},
        date(2027, 3, 7): {("evidence_reminder", alex)},  # 3 days before 10 March, then provided
    }


def test_actions_are_chased_with_their_lead_then_escalated_to_the_executive(engine, session, partnership, calendar):
    p = partnership
    cycle, ret = _submitted_health_return(engine, session, p, calendar, with_action=True)
    # QA does not pick the return: when the QA window ends (15 March) the plan goes live by itself.
    calendar.run_through(date(2027, 3, 14), date(2027, 3, 17))
    calendar.run_through(date(2027, 6, 20), date(2027, 7, 10))
    action = session.exec(select(actions.Action).where(actions.Action.return_id == ret.id)).one()

    assert calendar.days_with({"action_plan_open"}) == {
        date(2027, 3, 16): {("action_plan_open", "alex.agency@example.org"), ("action_plan_open", "lee.lead@example.org")},
    }
    assert calendar.days_with({"action_reminder", "action_overdue", "action_escalation"}) == {
        date(2027, 6, 23): {("action_reminder", "lee.lead@example.org")},
        date(2027, 7, 1): {("action_overdue", "lee.lead@example.org")},
        date(2027, 7, 7): {("action_escalation", "erin.executive@example.org")},
    }
    with calendar.session() as s:
        escalation = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "action_escalation")).one()
    assert f"/actions/{action.id}" in escalation.text_body
    assert "Lead person: Lee Lead" in escalation.text_body

    # Completed, the action is chased no more.
    calendar.on(date(2027, 7, 11), actions.update_progress, p["lead"], action.id, note="All trained", trigger="complete")
    calendar.run_through(date(2027, 7, 11), date(2027, 7, 14))
    assert max(calendar.days_with({"action_reminder", "action_overdue", "action_escalation"})) == date(2027, 7, 7)
    assert _return_of(session, cycle, p["health"]).status == ReturnState.ACTION_PLAN_OPEN


def test_a_statement_year_reminds_the_executive_until_the_statement_is_signed(engine, session, partnership, calendar):
    p = partnership
    calendar.at(date(2026, 1, 5))
    first_year, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"],
                                 name="Section 11 audit 2025-26", opens_on=date(2026, 1, 5))
    cycle, _ = _launch(calendar, p, [p["health"], p["youth"]], kind=CycleKind.STATEMENT_YEAR, previous_cycle_id=first_year.id)
    statement_deadline = cycle.statement_deadline  # OPENS + 200 days: 23 July 2027
    health = _return_of(session, cycle, p["health"])
    calendar.run_through(statement_deadline - timedelta(days=20), statement_deadline - timedelta(days=4))
    calendar.on(statement_deadline - timedelta(days=3), statements.sign, p["executive"], health.id,
                signed_name="Erin Executive", declaration_confirmed=True)
    calendar.run_through(statement_deadline - timedelta(days=3), statement_deadline + timedelta(days=9))

    # Both executives get the 14- and 7-day reminders; Erin signs 3 days before, so only the youth
    # club's executive gets the last one. An invited return in year two awaits a statement, not a
    # submission: no submission reminders at all.
    # After the deadline the youth club's executive is told it is overdue, and after the cycle's
    # escalation days (7) the coordinators hear of it too; then the cycle closes by itself.
    assert calendar.days_with(STATEMENT_KINDS | SUBMISSION_KINDS) == {
        statement_deadline - timedelta(days=14): {("statement_reminder", ERIN), ("statement_reminder", CEO_YOUTH)},
        statement_deadline - timedelta(days=7): {("statement_reminder", ERIN), ("statement_reminder", CEO_YOUTH)},
        statement_deadline - timedelta(days=1): {("statement_reminder", CEO_YOUTH)},
        statement_deadline + timedelta(days=1): {("statement_overdue", CEO_YOUTH)},
        statement_deadline + timedelta(days=7): {("statement_escalation", CEO_YOUTH)}
        | {("statement_escalation", c) for c in COORDINATORS},
    }
    session.expire_all()
    assert session.get(Cycle, cycle.id).closed_at is not None
    with calendar.session() as s:
        overdue = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "statement_overdue")).one()
    assert "or choose a re-audit by peer review" in overdue.text_body


def test_in_a_full_audit_the_executive_is_asked_to_sign_once_the_plan_is_live_and_chased(
    engine, session, partnership, calendar
):
    p = partnership
    cycle, ret = _submitted_health_return(engine, session, p, calendar, with_action=False)
    statement_deadline = cycle.statement_deadline
    # QA does not pick the return: when the QA window ends the plan goes live and Erin is asked to sign.
    calendar.run_through(date(2027, 3, 14), date(2027, 3, 17))
    calendar.run_through(statement_deadline - timedelta(days=15), statement_deadline + timedelta(days=8))
    assert calendar.days_with(STATEMENT_KINDS) == {
        date(2027, 3, 16): {("statement_due", ERIN)},
        statement_deadline - timedelta(days=14): {("statement_reminder", ERIN)},
        statement_deadline - timedelta(days=7): {("statement_reminder", ERIN)},
        statement_deadline - timedelta(days=1): {("statement_reminder", ERIN)},
        statement_deadline + timedelta(days=1): {("statement_overdue", ERIN)},
        statement_deadline + timedelta(days=7): (
            {("statement_escalation", ERIN)} | {("statement_escalation", c) for c in COORDINATORS}
        ),
    }
    with calendar.session() as s:
        reminder = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "statement_reminder")).first()
        asked = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "statement_due")).one()
    assert "re-audit" not in reminder.text_body  # in a full audit there is no such choice
    assert asked.return_id == ret.id and f"/returns/{ret.id}/statement" in asked.text_body
    session.expire_all()
    assert session.get(Cycle, cycle.id).status == CycleState.CLOSED


def test_a_signed_statement_is_chased_no_more(engine, session, partnership, calendar):
    p = partnership
    cycle, ret = _submitted_health_return(engine, session, p, calendar, with_action=False)
    calendar.run_through(date(2027, 3, 15), date(2027, 3, 16))
    statement_deadline = cycle.statement_deadline
    calendar.run_through(statement_deadline - timedelta(days=8), statement_deadline - timedelta(days=6))
    calendar.on(statement_deadline - timedelta(days=5), statements.sign, p["executive"], ret.id,
                signed_name="Erin Executive", declaration_confirmed=True)
    calendar.run_through(statement_deadline - timedelta(days=5), statement_deadline + timedelta(days=8))
    assert max(calendar.days_with(STATEMENT_KINDS)) == statement_deadline - timedelta(days=7)


def test_a_draft_cycle_opens_on_its_date_by_itself(engine, session, partnership, calendar):
    p = partnership
    opens = date(2027, 1, 11)
    dates = cycles.CycleDates(
        opens_on=opens, submission_deadline=opens + timedelta(days=42), qa_window_ends=opens + timedelta(days=70),
        action_plan_review=opens + timedelta(days=180), statement_deadline=opens + timedelta(days=200),
    )
    cycle = calendar.on(OPENS, cycles.create_cycle, p["coordinator"], name="Section 11 audit 2026-27",
                        kind=CycleKind.FULL_AUDIT, template_id=p["template"].id, dates=dates,
                        agency_ids=[p["health"].id, p["youth"].id])
    calendar.run_through(OPENS, opens + timedelta(days=2))
    assert calendar.days_with({"invitation"}) == {
        opens: {("invitation", "alex.agency@example.org"), ("invitation", "yusuf.youth@example.org")},
    }
    session.expire_all()
    assert session.get(Cycle, cycle.id).status == CycleState.OPEN


def test_a_cycle_that_cannot_open_tells_the_coordinators_once(engine, session, partnership, calendar):
    p = partnership
    nobody = add_agency(session, name="Hackney Sports Club", sector="Voluntary", statutory=False)
    nobody.contact_email = ""
    session.add(nobody)
    session.commit()
    dates = cycles.CycleDates(
        opens_on=OPENS, submission_deadline=OPENS + timedelta(days=42), qa_window_ends=OPENS + timedelta(days=70),
        action_plan_review=OPENS + timedelta(days=180), statement_deadline=OPENS + timedelta(days=200),
    )
    cycle = calendar.on(OPENS - timedelta(days=7), cycles.create_cycle, p["coordinator"], name="Section 11 audit 2026-27",
                        kind=CycleKind.FULL_AUDIT, template_id=p["template"].id, dates=dates, agency_ids=[nobody.id])
    calendar.run_through(OPENS, OPENS + timedelta(days=3))

    assert calendar.days_with({"cycle_not_opened", "invitation"}) == {
        OPENS: {("cycle_not_opened", c) for c in COORDINATORS},
    }
    with calendar.session() as s:
        notice = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "cycle_not_opened")).first()
        assert "Hackney Sports Club has no contact to invite" in notice.text_body
        assert f"/cycles/{cycle.id}" in notice.text_body
        assert s.get(Cycle, cycle.id).status == CycleState.DRAFT


def test_a_re_audit_by_peer_review_is_chased_towards_the_statement_deadline(engine, session, partnership, calendar):
    """In year two a return sent to peer review is due by the statement deadline: nothing is
    overdue or escalated after the submission deadline of the year's (unused) full audit."""
    p = partnership
    calendar.at(date(2026, 1, 5))
    first_year, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"],
                                 name="Section 11 audit 2025-26", opens_on=date(2026, 1, 5))
    cycle, _ = _launch(calendar, p, [p["health"]], kind=CycleKind.STATEMENT_YEAR, previous_cycle_id=first_year.id)
    health = _return_of(session, cycle, p["health"])
    calendar.on(OPENS + timedelta(days=1), statements.choose_peer_review, p["executive"], health.id, reason="New board")
    statement_deadline = cycle.statement_deadline
    calendar.run_through(DEADLINE - timedelta(days=1), DEADLINE + timedelta(days=cycle.escalation_days + 1))
    calendar.run_through(statement_deadline - timedelta(days=1), statement_deadline)

    assert calendar.days_with(SUBMISSION_KINDS) == {
        statement_deadline - timedelta(days=1): {("submission_reminder", ALEX)},
    }
