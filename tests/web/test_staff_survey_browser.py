"""The staff survey in a real headless Chromium, axe-core on every page that loads.

Three agencies have submitted their returns, each rating every element Fully met. The coordinator
opens the staff survey; five health trust staff answer anonymously (one by keyboard alone, one at
320 px wide) and most of them do not know who their safeguarding lead is; three youth club staff
answer; the police's results come from another survey tool as a CSV the coordinator imports. QA
then finds the health trust's standard 3 flagged in its queue and on the triangulation page, where
the youth club's figures are withheld because fewer than five staff answered.
"""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import SurveyLink, SurveyResponse
from models.user import Role
from tests.factories import act, add_agency, answer_everything, launch_cycle, questions_of
from tests.web.browser_helpers import Journey, fill_date, screenshot_folder, words
from tests.web.conftest import add_person
from workflow.answering import returns
from workflow.clock import today
from workflow.people import users

pytestmark = pytest.mark.browser

# The default template's survey: S4 "I know who my organisation's safeguarding lead is" and
# S5 (supervision) speak to standard 3.
DOUBTFUL = {4: "Disagree", 5: "Strongly disagree"}


@pytest.fixture
def three_submitted(monkeypatch, session: Session, sqlite_only_engine, partnership):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p = partnership
    police = add_agency(session, name="Hackney Police", sector="Police", statutory=True)
    people = {
        p.health.id: p.agency_user,
        p.youth.id: add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth),
        police.id: add_person(session, name="Pat Police", roles={Role.AGENCY_USER}, agency=police),
    }
    qa = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    cycle, launched = launch_cycle(sqlite_only_engine, p.coordinator, [p.health, p.youth, police], template=p.template)
    for ret in launched:
        statutory = ret.agency_id != p.youth.id
        answer_everything(
            sqlite_only_engine, people[ret.agency_id], ret.id, questions_of(session, p.template, statutory=statutory)
        )
        act(sqlite_only_engine, returns.submit, people[ret.agency_id], ret.id, declaration_confirmed=True)
    return p, police, qa, cycle


def test_staff_answer_for_two_agencies_a_third_is_imported_and_qa_sees_the_flag(
    chromium, live_server, three_submitted, session, tmp_path
):
    p, police, qa, cycle = three_submitted
    journey = Journey(chromium, live_server, screenshot_folder())

    coordinator = journey.sign_in(p.coordinator.email, p.coordinator.name)
    journey.goto(coordinator, f"/cycles/{cycle.id}")
    journey.click(coordinator, coordinator.get_by_role("link", name="Staff survey: dates, links, import and results"))
    fill_date(coordinator, "Opening date", today())
    fill_date(coordinator, "Closing date", today() + timedelta(days=21))
    coordinator.get_by_label("Minimum number of responses").fill("5")
    coordinator.get_by_label("Low agreement threshold").fill("50")
    coordinator.get_by_label("Confident agreement threshold").fill("80")
    journey.click(coordinator, coordinator.get_by_role("button", name="Save the survey settings"), shot="coordinator-survey")
    assert "The survey settings are saved" in words(coordinator)

    health_link = link_of(session, cycle.id, p.health.id)
    for n in range(5):
        answer_the_survey(journey, health_link, DOUBTFUL if n else {}, keyboard=n == 0, narrow=n == 1)
    for _ in range(3):
        answer_the_survey(journey, link_of(session, cycle.id, p.youth.id), DOUBTFUL)
    assert responses(session) == 8

    # The police used another survey tool: six staff, every answer imported from its CSV.
    csv = tmp_path / "police-staff-survey.csv"
    header = "Organisation,Lead,Training,Other\n"
    csv.write_text(header + "".join("Hackney Police,Agree,Strongly agree,\n" for _ in range(6)))
    journey.click(coordinator, coordinator.get_by_role("link", name="Import results from another survey tool"))
    coordinator.get_by_label("File of responses").set_input_files(csv)
    coordinator.get_by_label("Column that names the agency").fill("Organisation")
    coordinator.get_by_label("S4: I know who my organisation's safeguarding lead is.").fill("Lead")
    coordinator.get_by_label("S7: I have had safeguarding training").fill("Training")
    journey.click(coordinator, coordinator.get_by_role("button", name="Import the responses"))
    assert "The file was imported: 6 responses for 1 agency." in words(coordinator)
    assert responses(session) == 14

    # The health trust's people see their count, not the answers.
    agency = journey.sign_in(p.agency_user.email, p.agency_user.name)
    journey.click(agency, agency.get_by_role("navigation", name="Menu").get_by_role("link", name="Staff survey"))
    assert "Responses so far 5" in words(agency)

    # QA: the flag is in the queue, with its figures, and on the triangulation page.
    reviewer = journey.sign_in(qa.email, qa.name)
    journey.click(
        reviewer,
        reviewer.get_by_role("navigation", name="Menu").get_by_role("link", name="Quality assurance"),
        shot="qa-queue-survey-flag",
    )
    health_row = words(reviewer, f"tr:has-text('{p.health.name}')")
    assert "Flag Standard 3: Rated Fully met; 20% of staff answers agree (2 of 10, from 5 staff)" in health_row
    assert "No flag" in words(reviewer, f"tr:has-text('{police.name}')")

    journey.goto(reviewer, f"/reports/cycles/{cycle.id}/staff-survey", shot="qa-survey-triangulation")
    page = words(reviewer)
    assert "Hackney Health Trust, standard 3: rated fully met; 20% of staff answers agree (2 of 10, from 5 staff)." in page
    health = words(reviewer, f"table:has(caption:has-text('{p.health.name}')) tr:has-text('Standard 3')")
    assert "Flag: rated Fully met but staff agreement is below 50%" in health
    youth = words(reviewer, f"table:has(caption:has-text('{p.youth.name}'))")
    assert "Withheld: fewer than 5 staff responses" in youth and "% of staff answers agree" not in youth
    police_row = words(reviewer, f"table:has(caption:has-text('{police.name}')) tr:has-text('Standard 3')")
    assert "100% of staff answers agree (6 of 6, from 6 staff)" in police_row

    assert journey.violations == [], journey.report()


def answer_the_survey(
    journey: Journey, path: str, doubts: dict[int, str], *, keyboard: bool = False, narrow: bool = False
) -> None:
    """One member of staff, in a browser of their own, answers every question (Agree unless `doubts` says)."""
    width = 320 if narrow else 1100
    context = journey.chromium.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    journey.goto(page, path, shot="staff-survey" if narrow else None)
    if narrow:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the survey page scrolls sideways at 320 px"
        # Sent with nothing chosen: every question is named, each linking to its answers.
        journey.click(page, page.get_by_role("button", name="Send my answers"), expect=422)
        summary = page.locator(".govuk-error-summary")
        assert "Answer question 1" in words(page, ".govuk-error-summary") and summary.get_by_role("link").count() == 12
        summary.get_by_role("link", name="Answer question 3").click()
        assert page.evaluate("document.activeElement.name") == page.locator("form fieldset").nth(2).locator(
            "input"
        ).first.get_attribute("name")
    questions = page.locator("form fieldset")
    count = questions.count()
    if keyboard:
        answer_by_keyboard(page, count)
    else:
        for n in range(1, count + 1):
            questions.nth(n - 1).get_by_label(doubts.get(n, "Agree"), exact=True).check()
    if keyboard:
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        journey.check(page, navigation.value, shot=None, expect=200)
    else:
        journey.click(page, page.get_by_role("button", name="Send my answers"))
    assert "Your answers were sent" in words(page)
    journey.goto(page, path)
    assert "You have already answered this survey" in words(page)
    context.close()


def answer_by_keyboard(page, count: int) -> None:
    """Tab into each question, choose Agree with the arrow keys, then Tab to the button."""
    page.locator("form fieldset").first.locator("input").first.focus()
    for n in range(count):
        if n:
            page.keyboard.press("Tab")
        page.keyboard.press("Space")  # Strongly disagree
        for _ in range(3):
            page.keyboard.press("ArrowDown")  # ... to Agree
        assert page.evaluate("document.activeElement.value") == "agree"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent || document.activeElement.value").strip() == "Send my answers"


def link_of(session: Session, cycle_id: int, agency_id: int) -> str:
    session.expire_all()
    token = session.exec(select(SurveyLink.token).where(SurveyLink.cycle_id == cycle_id, SurveyLink.agency_id == agency_id)).one()
    return f"/survey/{token}"


def responses(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(SurveyResponse.id)).all())
