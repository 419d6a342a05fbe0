"""Year two's re-audit by peer review in a real headless Chromium, with axe-core on every page: the
executive chooses peer review, the coordinator pairs the return with a reviewer at the youth club,
the reviewer reads it and says standard by standard whether they agree, QA sees the review beside
the return, and the agency answers it. Only the agency's answers to its own return are given
through the engine (the year-one pages test typing them)."""

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

pytestmark = pytest.mark.browser


@pytest.fixture
def year_two(request, monkeypatch, session: Session, sqlite_only_engine, app):
    """Health's year one is closed and its statement year launched; the youth club has a reviewer."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p: Partnership = request.getfixturevalue("partnership")
    people = {
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        "executive": add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=p.health),
        "reviewer": add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth),
    }
    year_one, _ = launch_cycle(sqlite_only_engine, p.coordinator, [p.health], template=p.template,
                               name="Section 11 audit 2025-26", opens_on=today() - timedelta(days=400))
    act(sqlite_only_engine, cycles.close, p.coordinator, year_one.id)
    _cycle, launched = launch_cycle(sqlite_only_engine, p.coordinator, [p.health], template=p.template,
                                    name="Section 11 statement 2026-27", kind=CycleKind.STATEMENT_YEAR,
                                    previous_cycle_id=year_one.id)
    return {"p": p, "return": launched[0], **people}


def test_a_peer_organisation_reviews_a_year_two_return_through_the_pages(
    chromium, live_server, year_two, session, sqlite_only_engine
):
    journey = Journey(chromium, live_server, screenshot_folder())
    p, ret = year_two["p"], year_two["return"]

    executive = journey.sign_in(year_two["executive"].email, "Erin Executive")
    journey.goto(executive, f"/returns/{ret.id}/statement")
    journey.click(executive, executive.get_by_role("button", name="Choose a re-audit by peer review"))
    assert "the partnership will pair it with a reviewer from a peer organisation" in words(executive)

    answer_everything(sqlite_only_engine, p.agency_user, ret.id, questions_of(session, p.template))
    act(sqlite_only_engine, returns.submit, p.agency_user, ret.id, declaration_confirmed=True)

    coordinator_pairs_the_return_with_the_youth_clubs_reviewer(journey, p)
    reviewer_disagrees_on_standard_5_and_submits(journey, year_two, session)
    qa_sees_the_review_beside_the_return(journey, year_two)
    agency_answers_the_review(journey, p, ret)

    session.expire_all()
    review = session.exec(select(PeerReview).where(PeerReview.return_id == ret.id)).one()
    assert review.status == PeerReviewState.ANSWERED
    kinds = set(session.exec(select(OutboxMessage.kind).where(OutboxMessage.kind.startswith("peer_review"))))
    assert kinds == {"peer_review_chosen", "peer_review_request", "peer_review_arranged", "peer_review_submitted",
                     "peer_review_answered"}
    assert journey.violations == [], journey.report()


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
