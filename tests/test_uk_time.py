"""UK time, with a frozen clock across both clock changes: "today" is the date in London, times
read as GOV.UK writes them, and the daily work goes at a set hour in London on working days only
(bank holidays in England and Wales from the `holidays` package)."""

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlmodel import Session, select

from models import OutboxMessage
from schedules.jobs import DailyHours, daily_hours_from, run_daily, run_daily_if_due
from schedules.runner import daily_trigger
from tests.factories import launch_cycle
from web.common.templating import day, when
from workflow.clock import is_working_day, today, uk_date, uk_date_time, uk_time

# Clocks go forward at 01:00 UTC on Sunday 29 March 2026 and back at 01:00 UTC on Sunday 25 October 2026.
BEFORE_SPRING, AFTER_SPRING = datetime(2026, 3, 28, 14, 5, tzinfo=UTC), datetime(2026, 3, 30, 14, 5, tzinfo=UTC)
BEFORE_AUTUMN, AFTER_AUTUMN = datetime(2026, 10, 24, 14, 5, tzinfo=UTC), datetime(2026, 10, 26, 14, 5, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_times_read_as_gov_uk_writes_them_on_a_clock_in_london_either_side_of_both_clock_changes():
    assert [uk_date_time(t) for t in (BEFORE_SPRING, AFTER_SPRING, BEFORE_AUTUMN, AFTER_AUTUMN)] == [
        "28 March 2026 at 2:05pm",  # GMT: London is UTC
        "30 March 2026 at 3:05pm",  # BST: an hour ahead
        "24 October 2026 at 3:05pm",
        "26 October 2026 at 2:05pm",
    ]
    assert uk_time(utc(2026, 12, 2, 10, 0)) == "10am"
    assert uk_time(utc(2026, 6, 2, 11, 0)) == "midday"
    assert uk_time(utc(2026, 12, 2, 0, 0)) == "midnight"
    assert uk_time(utc(2026, 3, 29, 0, 59)) == "12:59am"  # the minute before the clocks go forward
    assert uk_time(utc(2026, 3, 29, 1, 0)) == "2am"
    assert uk_time(utc(2026, 10, 25, 0, 30)) == "1:30am"  # 1:30am twice: BST, then GMT
    assert uk_time(utc(2026, 10, 25, 1, 30)) == "1:30am"
    assert uk_date(date(2026, 12, 2)) == "2 December 2026"  # no leading zero
    # A stored moment is shown by its day in London: 23:30 UTC on 31 May is 1 June.
    assert uk_date(utc(2026, 5, 31, 23, 30)) == "1 June 2026"
    # SQLite gives back naive times; they are UTC.
    assert uk_date_time(datetime(2026, 7, 1, 8, 15)) == "1 July 2026 at 9:15am"


def test_pages_show_dates_and_times_in_london():
    assert day(date(2026, 12, 2)) == "2 December 2026"
    assert when(utc(2026, 7, 1, 23, 30)) == "2 July 2026 at 12:30am"
    assert when(None) == day(None) == ""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-05-31 22:59:00", date(2026, 5, 31)),  # 23:59 BST
        ("2026-05-31 23:00:00", date(2026, 6, 1)),  # midnight in London, still 31 May in UTC
        ("2026-12-01 23:30:00", date(2026, 12, 1)),  # GMT: the same day
        ("2026-03-29 00:30:00", date(2026, 3, 29)),
        ("2026-10-24 23:30:00", date(2026, 10, 25)),
    ],
)
def test_today_is_the_date_on_a_clock_in_london(moment, expected):
    with freeze_time(moment):
        assert today() == expected


def test_working_days_are_weekdays_that_are_not_bank_holidays_in_england_and_wales():
    holidays_2026 = [date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25),
                     date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)]
    assert [d for d in holidays_2026 if is_working_day(d)] == []
    assert is_working_day(date(2026, 4, 7)) and is_working_day(date(2026, 12, 29))
    assert not is_working_day(date(2026, 12, 26))  # a Saturday
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday: England and Wales work


def test_the_daily_work_is_due_from_7am_in_london_on_working_days_across_both_clock_changes():
    hours = DailyHours()
    assert not hours.due(utc(2026, 3, 30, 5, 59))  # Monday after the spring change: 6:59am BST
    assert hours.due(utc(2026, 3, 30, 6, 0))  # 7am BST
    assert not hours.due(utc(2026, 10, 26, 6, 30))  # Monday after the autumn change: 6:30am GMT
    assert hours.due(utc(2026, 10, 26, 7, 0))  # 7am GMT
    assert not hours.due(utc(2026, 10, 26, 19, 0))  # 7pm: the day's work is done
    assert not hours.due(utc(2026, 4, 3, 9, 0))  # Good Friday
    assert not hours.due(utc(2026, 12, 28, 9, 0))  # Boxing Day's substitute
    assert not hours.due(utc(2026, 10, 24, 9, 0))  # a Saturday
    assert DailyHours(first_hour=9).due(utc(2026, 7, 1, 8, 0))  # 9am BST


def test_the_scheduler_fires_on_the_hour_in_london_on_weekdays_across_both_clock_changes():
    trigger = daily_trigger(DailyHours())

    def next_runs(after: datetime, count: int) -> list[datetime]:
        runs, previous = [], None
        for _ in range(count):
            previous = trigger.get_next_fire_time(previous, previous or after)
            runs.append(previous.astimezone(UTC))
            previous = previous.replace(second=1)
        return runs

    # Friday evening before the spring change: next is Monday at 7am BST, which is 6am UTC.
    assert next_runs(utc(2026, 3, 27, 18, 30), 2) == [utc(2026, 3, 30, 6, 0), utc(2026, 3, 30, 7, 0)]
    # Friday evening before the autumn change (7:30pm BST): next is Monday at 7am GMT.
    assert next_runs(utc(2026, 10, 23, 18, 30), 1) == [utc(2026, 10, 26, 7, 0)]
    # The last run of a day is at 6pm in London.
    assert next_runs(utc(2026, 7, 1, 16, 30), 2) == [utc(2026, 7, 1, 17, 0), utc(2026, 7, 2, 6, 0)]


def test_the_daily_hour_is_set_in_the_environment_and_a_bad_one_is_refused_in_words():
    assert daily_hours_from({}) == DailyHours(first_hour=7)
    assert daily_hours_from({"S11_DAILY_HOUR": "9"}) == DailyHours(first_hour=9)
    with pytest.raises(ValueError, match="S11_DAILY_HOUR must be a whole hour from 0 to 18"):
        daily_hours_from({"S11_DAILY_HOUR": "25"})
    with pytest.raises(ValueError, match="not '7am'"):
        daily_hours_from({"S11_DAILY_HOUR": "7am"})


def _queued(engine, kind: str) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)).all())


def test_a_deadline_is_missed_at_midnight_in_london_not_at_midnight_utc(engine, partnership):
    p = partnership
    opens = date(2027, 4, 19)  # the factory gives a deadline 42 days on: Monday 31 May 2027, in BST
    with freeze_time("2027-04-19 09:00:00"):
        launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], opens_on=opens)

    with freeze_time("2027-05-31 22:30:00"):  # 11:30pm on the deadline day in London
        run_daily(engine)
    assert _queued(engine, "submission_overdue") == []
    with freeze_time("2027-05-31 23:30:00"):  # 12:30am on 1 June in London, still 31 May in UTC
        run_daily(engine)
    assert _queued(engine, "submission_overdue") == ["yusuf.youth@example.org"]


def test_the_scheduler_sends_nothing_on_a_bank_holiday_and_catches_up_on_the_next_working_day(engine, partnership):
    p = partnership
    with freeze_time("2027-02-01 09:00:00"):  # the deadline is Monday 15 March 2027
        launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"], opens_on=date(2027, 2, 1))

    with freeze_time("2027-03-26 10:00:00"):  # Good Friday 2027, overdue for eleven days
        assert run_daily_if_due(engine) is None
    with freeze_time("2027-03-29 10:00:00"):  # Easter Monday
        assert run_daily_if_due(engine) is None
    assert _queued(engine, "submission_overdue") == _queued(engine, "submission_escalation") == []
    with freeze_time("2027-03-30 05:30:00"):  # Tuesday, 6:30am BST: too early
        assert run_daily_if_due(engine) is None
    with freeze_time("2027-03-30 06:00:00"):  # 7am BST
        assert run_daily_if_due(engine) is not None
    assert _queued(engine, "submission_escalation") != []
