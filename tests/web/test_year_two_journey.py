"""Year two of the programme in a real headless Chromium, with axe-core on every page (issue 11's
"done when"): the youth club's executive signs the statement naming a standard now fully met, with
evidence, and the Board's year on year shows it; the health trust's executive chooses a re-audit
by peer review, the coordinator pairs the return with a reviewer at the youth club, the reviewer
says standard by standard whether they agree, QA sees the review beside the return and the agency
answers it; the coordinator picks the return for QA, the QA sub-group meets and decides, accepts it
(the agency downloads the feedback letter) and dip-samples the live action plan. Only the
agencies' answers to their own returns are given through the engine (the year-one pages test
typing them)."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import AuditReturn, OutboxMessage, PeerReview
from models.cycle import CycleKind
from models.peer_review import PeerReviewState
from models.user import Role
from tests.factories import act, answer_everything, launch_cycle, questions_of
from tests.web.browser_helpers import Journey, fill_date, screenshot_folder, words
from tests.web.conftest import Partnership, add_person, last_email, link_in
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.clock import today
from workflow.people import users
from workflow.review import qa as qa_operations

pytestmark = pytest.mark.browser


@pytest.fixture
def year_two(request, monkeypatch, session: Session, sqlite_only_engine, app):
    """Year one is closed: the youth club rated every standard Partly met, with actions. The
    statement year is launched for both; the youth club has a reviewer and an executive."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p: Partnership = request.getfixturevalue("partnership")
    engine = sqlite_only_engine
    people = {
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        "executive": add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=p.health),
        "health_lead": add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=p.health),
        "reviewer": add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth),
        "youth_executive": add_person(session, name="Yasmin Executive", roles={Role.EXECUTIVE}, agency=p.youth),
        "youth_lead": add_person(session, name="Yara Lead", roles={Role.LEAD_PERSON}, agency=p.youth),
    }
    year_one, launched = launch_cycle(engine, p.coordinator, [p.health, p.youth], template=p.template,
                                      name="Section 11 audit 2025-26", opens_on=today() - timedelta(days=400))
    youth_one = next(r for r in launched if r.agency_id == p.youth.id)
    answer_everything(engine, people["reviewer"], youth_one.id, questions_of(session, p.template, statutory=False),
                      rating="partly_met", lead=people["youth_lead"])
    act(engine, returns.submit, people["reviewer"], youth_one.id, declaration_confirmed=True)
    act(engine, qa_operations.release_without_qa, p.coordinator, youth_one.id)
    act(engine, cycles.close, p.coordinator, year_one.id)
    cycle, launched = launch_cycle(engine, p.coordinator, [p.health, p.youth], template=p.template,
                                   name="Section 11 statement 2026-27", kind=CycleKind.STATEMENT_YEAR,
                                   previous_cycle_id=year_one.id)
    returns_by_agency = {r.agency_id: r for r in launched}
    return {"p": p, "cycle": cycle, "return": returns_by_agency[p.health.id], "youth_return": returns_by_agency[p.youth.id],
            **people}


def test_a_year_two_cycle_through_the_pages(chromium, live_server, year_two, session, sqlite_only_engine):
    journey = Journey(chromium, live_server, screenshot_folder())
    p, ret = year_two["p"], year_two["return"]

    youth_executive_signs_naming_standard_2_now_fully_met(journey, year_two)

    executive = journey.sign_in(year_two["executive"].email, "Erin Executive")
    journey.goto(executive, f"/returns/{ret.id}/statement")
    journey.click(executive, executive.get_by_role("button", name="Choose a re-audit by peer review"))
    assert "the partnership will pair it with a reviewer from a peer organisation" in words(executive)
    executive.context.close()

    answer_everything(sqlite_only_engine, p.agency_user, ret.id, questions_of(session, p.template), rating="partly_met",
                      lead=year_two["health_lead"])
    act(sqlite_only_engine, returns.submit, p.agency_user, ret.id, declaration_confirmed=True)

    coordinator_pairs_the_return_with_the_youth_clubs_reviewer(journey, p)
    reviewer_disagrees_on_standard_5_and_submits(journey, year_two, session)
    coordinator_picks_the_health_return_for_qa(journey, year_two)
    qa_sees_the_review_beside_the_return(journey, year_two)
    agency_answers_the_review(journey, p, ret)
    qa_meets_accepts_and_samples_the_plan(journey, year_two, live_server)
    agency_downloads_the_feedback_letter(journey, p, ret, live_server)
    board_sees_the_improvement_in_year_on_year(journey, year_two)

    session.expire_all()
    review = session.exec(select(PeerReview).where(PeerReview.return_id == ret.id)).one()
    assert review.status == PeerReviewState.ANSWERED
    kinds = set(session.exec(select(OutboxMessage.kind)))
    assert {"peer_review_chosen", "peer_review_request", "peer_review_arranged", "peer_review_submitted",
            "peer_review_answered"} <= kinds
    assert {"statement_signed", "qa_returns_picked", "qa_meeting_planned", "qa_meeting_recorded", "qa_feedback",
            "statement_due"} <= kinds
    assert journey.violations == [], journey.report()


def youth_executive_signs_naming_standard_2_now_fully_met(journey: Journey, year_two) -> None:
    page = journey.sign_in(year_two["youth_executive"].email, "Yasmin Executive")
    journey.goto(page, f"/returns/{year_two['youth_return'].id}")
    journey.click(page, page.get_by_role("link", name="Read and sign the statement"))
    page.get_by_label("Standard 2:", exact=False).fill("Safer recruitment audit of all 40 staff files, March")
    page.get_by_label("Your full name").fill("Yasmin Executive")
    page.get_by_label("I confirm the statement of compliance above on behalf of the organisation.").check()
    journey.click(page, page.get_by_role("button", name="Sign the statement"), shot="executive-statement-improvement")
    assert "Standard 2 is now fully met: Safer recruitment audit of all 40 staff files, March" in words(page)
    page.context.close()


def coordinator_picks_the_health_return_for_qa(journey: Journey, year_two) -> None:
    page = journey.sign_in(year_two["p"].coordinator.email, "Cora Ordinator")
    journey.goto(page, f"/cycles/{year_two['cycle'].id}")
    journey.click(page, page.get_by_role("link", name="Pick returns for QA by sector"))
    page.get_by_label("Hackney Health Trust (Health, statutory)").check()
    page.get_by_label("Reason").fill("Re-audited by peer review: QA reads it with the review")
    journey.click(page, page.get_by_role("button", name="Pick these returns for QA"))
    assert "1 return was picked for QA" in words(page)
    page.context.close()


def qa_meets_accepts_and_samples_the_plan(journey: Journey, year_two, live_server: str) -> None:
    cycle, health = year_two["cycle"], year_two["return"]
    qa = journey.sign_in(year_two["qa"].email, "Quinn Reviewer")
    journey.goto(qa, "/qa")
    journey.click(qa, qa.get_by_role("link", name=f"QA meetings of {cycle.name}"))
    fill_date(qa, "Date of the meeting", today() + timedelta(days=3))
    qa.get_by_label("Hackney Health Trust").check()
    journey.click(qa, qa.get_by_role("button", name="Plan the meeting"))
    pack = qa.request.get(live_server + qa.get_by_role("link", name="Download the agenda pack").get_attribute("href"))
    assert pack.status == 200 and pack.body().startswith(b"%PDF-")
    qa.get_by_label("Quinn Reviewer").check()
    qa.get_by_label("Decision on Hackney Health Trust's return").fill("Accept, with the peer review's training target")
    journey.click(qa, qa.get_by_role("button", name="Record the meeting"), shot="qa-meeting-year-two")
    assert "Accept, with the peer review's training target" in words(qa)

    journey.goto(qa, f"/qa/returns/{health.id}")
    qa.get_by_label("Summary for the agency (optional)").fill("A sound re-audit; set the 90% training target.")
    journey.click(qa, qa.get_by_role("button", name="Accept the return"))

    journey.goto(qa, "/qa")
    journey.click(qa, qa.get_by_role("link", name=f"dip sample of action plans of {cycle.name}"))
    qa.get_by_label("How many action plans to draw").fill("1")
    qa.get_by_label("Seed (optional)").fill("board-2027")
    journey.click(qa, qa.get_by_role("button", name="Draw the sample"))
    assert "seed board-2027" in words(qa)
    qa.get_by_label("Your review of Hackney Health Trust's action plan").fill("Actions have owners and dates.")
    journey.click(qa, qa.get_by_role("button", name="Record the review of Hackney Health Trust's action plan"),
                  shot="qa-plan-sample-year-two")
    assert "Actions have owners and dates." in words(qa)
    qa.context.close()


def agency_downloads_the_feedback_letter(journey: Journey, p: Partnership, ret: AuditReturn, live_server: str) -> None:
    page = journey.sign_in(p.agency_user.email, "Alex Agency")
    journey.goto(page, f"/returns/{ret.id}")
    link = page.get_by_role("link", name="Download QA's feedback letter (PDF)").get_attribute("href")
    letter = page.request.get(live_server + link)
    assert letter.status == 200 and letter.body().startswith(b"%PDF-")
    page.context.close()


def board_sees_the_improvement_in_year_on_year(journey: Journey, year_two) -> None:
    page = journey.sign_in(year_two["p"].coordinator.email, "Cora Ordinator")
    journey.goto(page, f"/cycles/{year_two['cycle'].id}/reports/year-on-year", shot="coordinator-year-on-year-statement")
    row = page.locator("#year-on-year tr", has_text="Hackney Youth Club")
    assert "Partly met → Fully met Improved, evidenced by statement" in " ".join(row.inner_text().split())
    assert "Safer recruitment audit of all 40 staff files, March" in row.inner_text()
    page.context.close()


def coordinator_pairs_the_return_with_the_youth_clubs_reviewer(journey: Journey, p: Partnership) -> None:
    page = journey.sign_in(p.coordinator.email, "Cora Ordinator")
    journey.click(page, page.get_by_role("link", name="Peer reviews").first, shot="coordinator-peer-reviews")
    page.get_by_label("Return to review").select_option(label="Hackney Health Trust (Section 11 statement 2026-27): submitted")
    page.get_by_label("Peer organisation").select_option(label="Hackney Health Trust")
    page.get_by_label("Reviewer").select_option(label="Yusuf Youth, Hackney Youth Club")
    fill_date(page, "Date the review starts", today())
    fill_date(page, "Date the review ends", today() + timedelta(days=14))
    journey.click(page, page.get_by_role("button", name="Arrange the peer review"), expect=422)
    assert "Choose a peer organisation other than the one whose return is reviewed." in words(page)
    assert "Yusuf Youth does not work at Hackney Health Trust" in words(page)
    # Nothing typed is lost: only the organisation needs changing.
    page.get_by_label("Peer organisation").select_option(label="Hackney Youth Club")
    journey.click(page, page.get_by_role("button", name="Arrange the peer review"))
    assert "The peer review is arranged" in words(page)
    assert "Yusuf Youth, Hackney Youth Club" in words(page, "table")
    page.context.close()


def reviewer_disagrees_on_standard_5_and_submits(journey: Journey, year_two, session) -> None:
    page = journey.sign_in(year_two["reviewer"].email, "Yusuf Youth")
    journey.goto(page, link_in(last_email(session, "peer_review_request", year_two["reviewer"].email)),
                 shot="agency-peer-reviewer-return")
    groups = page.get_by_role("group", name="Do you agree with the agency's rating", exact=False)
    assert groups.count() == 8
    for index in range(groups.count()):
        group = groups.nth(index)
        if "standard 5 " in (group.text_content() or ""):
            group.get_by_label("No, I do not agree").check()
        else:
            group.get_by_label("Yes, I agree").check()
    page.locator("#s4-findings").fill("Only 60% of front-line staff trained this year")
    page.locator("#s4-recommendations").fill("Set a 90% target and report it to the Board")
    journey.click(page, page.get_by_role("button", name="Submit the peer review"), expect=422)
    assert "Write a summary of the review." in words(page)
    assert page.locator("#s4-findings").input_value() == "Only 60% of front-line staff trained this year"
    page.get_by_label("Summary of the review").fill("A committed organisation; training needs a target.")
    journey.click(page, page.get_by_role("button", name="Submit the peer review"))
    assert "Your peer review was submitted" in words(page)
    page.context.close()


def qa_sees_the_review_beside_the_return(journey: Journey, year_two) -> None:
    page = journey.sign_in(year_two["qa"].email, "Quinn Reviewer")
    journey.goto(page, f"/qa/returns/{year_two['return'].id}", shot="qa-peer-review")
    text = words(page)
    assert "By Yusuf Youth of Hackney Youth Club" in text
    assert "The reviewer does not agree." in text
    assert "Only 60% of front-line staff trained this year" in text
    page.context.close()


def agency_answers_the_review(journey: Journey, p: Partnership, ret: AuditReturn) -> None:
    page = journey.sign_in(p.agency_user.email, "Alex Agency")
    journey.goto(page, f"/returns/{ret.id}")
    journey.click(page, page.get_by_role("link", name="Peer review", exact=True), shot="agency-peer-review")
    page.get_by_label("Your answer to the peer review").fill("We will set a 90% training target by March.")
    journey.click(page, page.get_by_role("button", name="Send your answer"))
    assert "Your answer was sent" in words(page)
    assert "We will set a 90% training target by March." in words(page)
    # At 320 px wide the page still fits: nothing scrolls sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.context.close()
