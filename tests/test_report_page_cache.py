"""The Board's pages keep their figures until the data they show changes (issue 8): asked again,
a page reads one small version of its cycle's data; after any change a figure could show, made
the way people make it, the page shows the change.

Each test changes one agency of the known year (tests/report_scenario.py) that no other test
here touches, and compares the page before and after, so the tests hold in any order.
"""

import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import inspect
from sqlmodel import Session, select

from models import Cycle, Question, User
from tests.factories import act
from tests.report_scenario import LAUNCH, READ_ON, Year, answer, at
from tests.statement_log import statements_sent
from workflow.answering import actions, returns
from workflow.calendar import cycle_changes, deadlines
from workflow.calendar.cycles import CycleDates
from workflow.reporting import figures_cache, report_pages
from workflow.reporting.reports import CycleInfo
from workflow.review import qa

PAGES = [
    report_pages.progress_page,
    report_pages.heatmap_page,
    report_pages.year_on_year_page,
    report_pages.action_plans_page,
]


def _read(engine, year: Year, page: Callable) -> tuple[object, list[str]]:
    """The page's view from a fresh session, and the statements it took."""
    with statements_sent(engine) as seen, Session(engine) as session:
        return page(session, year.cycle_id), seen


@pytest.fixture
def year(year: Year, built) -> Year:
    """The known year, its people and questions read afresh (the scenario's copies are detached)."""
    with Session(built[0], expire_on_commit=False) as session:
        template_id = session.get(Cycle, year.cycle_id).template_id
        questions = session.exec(select(Question).where(Question.template_id == template_id)).all()
        people = {key: session.get(User, inspect(user).identity[0]) for key, user in year.people.items()}
    return replace(year, questions={q.ref: q for q in questions}, people=people)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.__name__)
def test_a_page_asked_again_reads_only_the_version_of_its_data(built, year, page):
    engine = built[0]
    first, read_first = _read(engine, year, page)
    again, read_again = _read(engine, year, page)

    assert len(read_first) > 1
    assert len(read_again) == 1, read_again  # the version; the figures are the ones read before
    assert again == first


def test_a_qa_moderation_shows_on_the_ratings_page(built, year):
    engine = built[0]
    before, _ = _read(engine, year, report_pages.heatmap_page)
    act(engine, qa.moderate, year.people["qa"], year.returns["elm"], year.questions["2.1"].id, rating="red")
    after, _ = _read(engine, year, report_pages.heatmap_page)

    elm = next(row for row in after.heatmap.rows if row.agency_name == "Elm Council")
    assert elm.cells["2"].moderated.value == "red"
    assert after != before


def test_a_withdrawn_return_leaves_the_progress_and_ratings_pages(built, year):
    engine = built[0]
    progress, _ = _read(engine, year, report_pages.progress_page)
    ratings, _ = _read(engine, year, report_pages.heatmap_page)
    act(engine, qa.withdraw, year.people["coordinator"], year.returns["grove"], reason="Merged with another club")

    progress_after, _ = _read(engine, year, report_pages.progress_page)
    ratings_after, _ = _read(engine, year, report_pages.heatmap_page)
    assert progress_after.figures.by_state["withdrawn"] == progress.figures.by_state["withdrawn"] + 1
    assert "Grove Sports Club" not in [row.agency_name for row in ratings_after.heatmap.rows]
    assert "Grove Sports Club" in [row.agency_name for row in ratings.heatmap.rows]


def test_an_extended_deadline_takes_a_return_off_the_overdue_list(built, year):
    engine = built[0]
    before, _ = _read(engine, year, report_pages.progress_page)
    act(
        engine,
        deadlines.extend_deadline,
        year.people["coordinator"],
        year.returns["cedar"],
        new_deadline=READ_ON + timedelta(days=10),
        reason="Staff off sick",
    )
    after, _ = _read(engine, year, report_pages.progress_page)

    assert "Cedar Youth Club" in [r.agency_name for r in before.figures.overdue_returns]
    assert "Cedar Youth Club" not in [r.agency_name for r in after.figures.overdue_returns]


def test_a_completed_action_leaves_the_overdue_list_and_counts_as_completed(built, year):
    """An action's progress writes nothing on its return: its own record moves the version."""
    engine = built[0]
    progress, _ = _read(engine, year, report_pages.progress_page)
    plans, _ = _read(engine, year, report_pages.action_plans_page)
    act(engine, actions.update_progress, year.people["alder_lead"], year.actions["alder_2.1"], note="Done", trigger="complete")

    progress_after, _ = _read(engine, year, report_pages.progress_page)
    plans_after, _ = _read(engine, year, report_pages.action_plans_page)
    assert [a.agency_name for a in progress.figures.overdue_actions] == ["Alder Health Trust"]
    assert progress_after.figures.overdue_actions == []
    assert plans_after.plans.total.completed == plans.plans.total.completed + 1


def test_new_cycle_dates_show_on_every_page(built, year):
    engine = built[0]
    before = {page: _read(engine, year, page)[0] for page in PAGES}
    with Session(engine) as session:
        cycle = CycleInfo.of(session.get(Cycle, year.cycle_id))
    later = CycleDates(
        opens_on=cycle.opens_on,
        submission_deadline=cycle.submission_deadline,
        qa_window_ends=cycle.qa_window_ends + timedelta(days=1),
        action_plan_review=cycle.action_plan_review + timedelta(days=1),
        statement_deadline=cycle.statement_deadline,
    )
    act(engine, cycle_changes.change_dates, year.people["coordinator"], year.cycle_id, later, reason="Half term")

    after = {page: _read(engine, year, page)[0] for page in PAGES}
    assert after[report_pages.progress_page].figures.cycle == replace(
        before[report_pages.progress_page].figures.cycle,
        qa_window_ends=later.qa_window_ends,
        action_plan_review=later.action_plan_review,
    )
    assert all(after[page] != before[page] for page in PAGES)


def test_a_return_submitted_shows_in_the_ratings_and_year_on_year(built, year):
    engine = built[0]
    ratings, _ = _read(engine, year, report_pages.heatmap_page)
    yearly, _ = _read(engine, year, report_pages.year_on_year_page)
    answer(engine, year, "dale", {ref: "green" for ref in year.questions if ref != "2.2"})  # 2.2: statutory only
    act(engine, returns.submit, year.people["dale"], year.returns["dale"], declaration_confirmed=True)

    ratings_after, _ = _read(engine, year, report_pages.heatmap_page)
    yearly_after, _ = _read(engine, year, report_pages.year_on_year_page)
    assert "Dale Youth Project" not in [row.agency_name for row in ratings.heatmap.rows]
    assert "Dale Youth Project" in [row.agency_name for row in ratings_after.heatmap.rows]
    dale = next(row for row in yearly_after.figures.rows if row.agency_name == "Dale Youth Project")
    assert dale.ratings["1"][-1].value == "green"
    assert yearly_after != yearly


def test_at_midnight_the_progress_page_runs_to_the_new_day(built, year):
    """Nothing in the database changes overnight, yet what is overdue (and the days charted) does:
    read two minutes before midnight in London and a minute after, it shows the new day."""
    engine = built[0]
    day = (READ_ON - LAUNCH).days
    with freeze_time(at(day) + timedelta(hours=10, minutes=58)):  # 23:58 in London (summer time)
        today, _ = _read(engine, year, report_pages.progress_page)
    with freeze_time(at(day) + timedelta(hours=11, minutes=1)):
        tomorrow, _ = _read(engine, year, report_pages.progress_page)

    assert today.figures.states_over_time[-1].day == READ_ON
    assert tomorrow.figures.states_over_time[-1].day == READ_ON + timedelta(days=1)


# --- Shared between a machine's web processes -----------------------------------------------------


def test_what_one_process_read_another_finds_on_the_shelf(tmp_path):
    first, second = figures_cache.Shelf(tmp_path), figures_cache.Shelf(tmp_path)
    first.get(("cycle", 1, (1, 2)), lambda: {"read": "once"})

    assert second.get(("cycle", 1, (1, 2)), lambda: pytest.fail("read again")) == {"read": "once"}
    assert second.get(("cycle", 1, (1, 3)), lambda: "another version") == "another version"


def test_a_shelved_report_too_old_or_half_written_is_read_again(tmp_path):
    shelf = figures_cache.Shelf(tmp_path, max_age=60)
    shelf.get("old", lambda: "then")
    shelf.get("broken", lambda: "whole")
    assert len(list(tmp_path.iterdir())) == 2
    for path in tmp_path.iterdir():
        os.utime(path, (time.time() - 120, time.time() - 120))
    broken = figures_cache.Shelf(tmp_path)._path("broken")
    broken.write_bytes(b"\x80\x05half")
    os.utime(broken, None)

    assert shelf.get("old", lambda: "now") == "now"
    assert shelf.get("broken", lambda: "read again") == "read again"
