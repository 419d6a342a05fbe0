"""The QA sub-group as a group, in a real headless Chromium with axe-core on every page: the
coordinator picks the health sector's returns with a reason, QA plans a meeting with an agenda
pack, records who was there and its decision, dip-samples live action plans and reviews one,
accepts the return with a summary, and the agency downloads QA's feedback letter. The returns'
answers are given through the engine."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import OutboxMessage
from models.user import Role
from tests.factories import act, answer_everything, launch_cycle, questions_of
from tests.web.browser_helpers import Journey, fill_date, screenshot_folder, words
from tests.web.conftest import Partnership, add_person
from workflow.answering import returns
from workflow.clock import today
from workflow.people import users
from workflow.review import qa as qa_operations

pytestmark = pytest.mark.browser


@pytest.fixture
def submitted(request, monkeypatch, session: Session, sqlite_only_engine, app):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p: Partnership = request.getfixturevalue("partnership")
    qa = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    youth_user = add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=p.youth)
    cycle, launched = launch_cycle(sqlite_only_engine, p.coordinator, [p.health, p.youth], template=p.template)
    youth_lead = add_person(session, name="Yara Lead", roles={Role.LEAD_PERSON}, agency=p.youth)
    health = next(r for r in launched if r.agency_id == p.health.id)
    youth = next(r for r in launched if r.agency_id == p.youth.id)
    answer_everything(sqlite_only_engine, p.agency_user, health.id, questions_of(session, p.template))
    act(sqlite_only_engine, returns.submit, p.agency_user, health.id, declaration_confirmed=True)
    # The youth club's plan is already live, with actions: the dip sample draws from it.
    answer_everything(sqlite_only_engine, youth_user, youth.id, questions_of(session, p.template, statutory=False),
                      rating="partly_met", lead=youth_lead)
    act(sqlite_only_engine, returns.submit, youth_user, youth.id, declaration_confirmed=True)
    act(sqlite_only_engine, qa_operations.release_without_qa, p.coordinator, youth.id)
    return {"p": p, "qa": qa, "cycle": cycle, "health": health}


def test_the_qa_sub_group_meets_decides_and_writes_back_through_the_pages(chromium, live_server, submitted, session):
    journey = Journey(chromium, live_server, screenshot_folder())
    p, cycle, health = submitted["p"], submitted["cycle"], submitted["health"]

    coordinator = journey.sign_in(p.coordinator.email, "Cora Ordinator")
    journey.click(coordinator, coordinator.get_by_role("link", name="Intelligence"))
    coordinator.get_by_label("Agency").select_option(label="Hackney Health Trust")
    coordinator.get_by_label("Source").fill("Rapid review")
    coordinator.get_by_label("Summary").fill("Information was not shared with the police in time")
    coordinator.get_by_label("Standards it touches (optional)").fill("8")
    journey.click(coordinator, coordinator.get_by_role("button", name="Add to the log"), expect=422)
    assert "Give the date of the intelligence." in words(coordinator)
    assert coordinator.get_by_label("Source").input_value() == "Rapid review"
    fill_date(coordinator, "Date of the intelligence", today())
    journey.click(coordinator, coordinator.get_by_role("button", name="Add to the log"), shot="coordinator-intelligence")
    assert "The intelligence is in the log." in words(coordinator)

    journey.goto(coordinator, f"/cycles/{cycle.id}")
    journey.click(coordinator, coordinator.get_by_role("link", name="Action-plan review"))
    assert "Hackney Youth Club" in words(coordinator, "table")
    journey.goto(coordinator, f"/cycles/{cycle.id}")
    journey.click(coordinator, coordinator.get_by_role("link", name="Pick returns for QA by sector"))
    coordinator.get_by_label("Sector").select_option("Health")
    journey.click(coordinator, coordinator.get_by_role("button", name="Filter"))
    assert "Hackney Youth Club" not in words(coordinator)
    coordinator.get_by_label("Hackney Health Trust (Health, statutory)").check()
    journey.click(coordinator, coordinator.get_by_role("button", name="Pick these returns for QA"), expect=422)
    assert "Give the reason these returns are picked for QA." in words(coordinator)
    assert coordinator.get_by_label("Hackney Health Trust (Health, statutory)").is_checked()
    coordinator.get_by_label("Intelligence behind the pick (optional)").select_option(index=1)
    coordinator.get_by_label("Reason").fill("This year QA looks at the health sector")
    journey.click(coordinator, coordinator.get_by_role("button", name="Pick these returns for QA"),
                  shot="coordinator-qa-picks")
    assert "1 return was picked for QA" in words(coordinator)
    coordinator.context.close()

    qa = journey.sign_in(submitted["qa"].email, "Quinn Reviewer")
    journey.goto(qa, "/qa")
    journey.click(qa, qa.get_by_role("link", name=f"QA meetings of {cycle.name}"))
    fill_date(qa, "Date of the meeting", today() + timedelta(days=3))
    qa.get_by_label("Hackney Health Trust").check()
    journey.click(qa, qa.get_by_role("button", name="Plan the meeting"), shot="qa-meeting")
    pack = qa.request.get(live_server + qa.get_by_role("link", name="Download the agenda pack").get_attribute("href"))
    assert pack.status == 200 and pack.body().startswith(b"%PDF-")
    journey.click(qa, qa.get_by_role("button", name="Record the meeting"), expect=422)
    assert "Choose the members present." in words(qa)
    qa.get_by_label("Quinn Reviewer").check()
    qa.get_by_label("Decision on Hackney Health Trust's return").fill("Accept: the evidence is sound")
    journey.click(qa, qa.get_by_role("button", name="Record the meeting"))
    assert "Accept: the evidence is sound" in words(qa)

    journey.goto(qa, "/qa")
    journey.click(qa, qa.get_by_role("link", name=f"dip sample of action plans of {cycle.name}"))
    qa.get_by_label("How many action plans to draw").fill("1")
    qa.get_by_label("Seed (optional)").fill("board-2026")
    journey.click(qa, qa.get_by_role("button", name="Draw the sample"))
    assert "seed board-2026" in words(qa)
    journey.click(qa, qa.get_by_role("button", name="Record the review of Hackney Youth Club's action plan"), expect=422)
    assert "Write the review of the action plan." in words(qa)
    qa.get_by_label("Your review of Hackney Youth Club's action plan").fill("On track; progress is evidenced.")
    journey.click(qa, qa.get_by_role("button", name="Record the review of Hackney Youth Club's action plan"),
                  shot="qa-plan-sample")
    assert "On track; progress is evidenced." in words(qa)

    journey.goto(qa, f"/qa/returns/{health.id}")
    assert "Information was not shared with the police in time" in words(qa, "#intelligence + dl")
    qa.get_by_label("Summary for the agency (optional)").fill("A sound return; keep the training records current.")
    journey.click(qa, qa.get_by_role("button", name="Accept the return"))

    journey.goto(qa, f"/qa/returns/{health.id}")
    journey.click(qa, qa.get_by_role("link", name="Share an answer as good practice"))
    qa.get_by_label("Question").select_option(index=1)
    qa.get_by_label("Why it is good practice").fill("A named board lead with quarterly reports")
    journey.click(qa, qa.get_by_role("button", name="Add to the good-practice library"), expect=422)
    assert "Give the name and role of the person at the agency who agreed to share it." in words(qa)
    qa.get_by_label("Consent given by").fill("Erin Executive, chief executive")
    qa.get_by_label("The agency agreed to share this with the partnership's agencies").check()
    journey.click(qa, qa.get_by_role("button", name="Add to the good-practice library"))
    qa.context.close()

    agency = journey.sign_in(p.agency_user.email, "Alex Agency")
    journey.goto(agency, f"/returns/{health.id}", shot="agency-feedback")
    link = agency.get_by_role("link", name="Download QA's feedback letter (PDF)").get_attribute("href")
    letter = agency.request.get(live_server + link)
    assert letter.status == 200 and letter.body().startswith(b"%PDF-")
    journey.click(agency, agency.get_by_role("link", name="Good practice"), shot="agency-good-practice")
    agency.get_by_label("Standard").select_option("1")
    journey.click(agency, agency.get_by_role("button", name="Show"))
    assert "A named board lead with quarterly reports" in words(agency)
    agency.context.close()

    session.expire_all()
    kinds = {k for k in session.exec(select(OutboxMessage.kind))}
    assert {"qa_returns_picked", "qa_meeting_planned", "qa_meeting_recorded", "qa_feedback"} <= kinds
    assert journey.violations == [], journey.report()
