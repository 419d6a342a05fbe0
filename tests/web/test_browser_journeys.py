"""A year of the audit in a real headless Chromium: each role's journey through the pages, by
clicking and typing as a person does, with axe-core run on every page that loads.

The coordinator creates and launches a cycle; the agency user completes a standard, is refused
with the engine's reasons, fixes them and submits; QA challenges and asks for evidence; the agency
answers and provides it; QA accepts; the lead person completes their action; the executive signs
the statement of compliance. Only the answers the browser would type over and over (standards 2
to 8) are given through the engine, in the arrange step. Screenshots of the main pages go to
S11_SCREENSHOTS (default artifacts/screenshots/).
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import Action, AuditReturn, EvidenceFile, User
from models.audit_return import ReturnState
from models.cycle import CycleKind
from models.user import Role
from tests.factories import act, questions_of
from tests.web.browser_helpers import Journey, fill_date, screenshot_folder, section_headed, words
from tests.web.conftest import Partnership, add_person
from tests.web.return_world import PDF
from workflow.answering import returns
from workflow.clock import today
from workflow.people import users

pytestmark = pytest.mark.browser

CYCLE = "Section 11 audit 2026-27"


@dataclass
class Cast:
    p: Partnership
    qa: User
    lead: User
    executive: User
    evidence: Path  # a real PDF on disk, to upload

    @property
    def coordinator(self) -> User:
        return self.p.coordinator

    @property
    def agency_user(self) -> User:
        return self.p.agency_user



@pytest.fixture
def cast(request, monkeypatch, app, session: Session, tmp_path) -> Cast:
    """The partnership's people, one per role, with passwords; no cycle yet (the coordinator makes it)."""
    # Argon2 at its cheapest: six people sign in, and this test is about pages, not hashing.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    app.config["EVIDENCE_DIR"] = tmp_path / "evidence"
    p: Partnership = request.getfixturevalue("partnership")
    evidence = tmp_path / "board-minutes-march.pdf"
    evidence.write_bytes(PDF)
    return Cast(
        p=p,
        qa=add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        lead=add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=p.health),
        executive=add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=p.health),
        evidence=evidence,
    )


def test_a_year_of_the_audit_through_every_role_in_the_browser(chromium, live_server, cast: Cast, session, sqlite_only_engine):
    journey = Journey(chromium, live_server, screenshot_folder())

    cycle_id = coordinator_creates_and_launches_a_cycle(journey, cast)
    ret = the_health_return(session, cycle_id, cast)
    answer_standards_2_to_8_through_the_engine(sqlite_only_engine, session, cast, ret)

    agency = agency_user_completes_standard_1_is_refused_then_submits(journey, cast, ret, session)
    assert status(session, ret) == ReturnState.SUBMITTED

    qa = qa_reviewer_challenges_and_requests_evidence(journey, cast, ret)
    assert status(session, ret) == ReturnState.EVIDENCE_REQUESTED

    agency_user_answers_the_challenge_and_provides_the_evidence(journey, agency, cast)
    assert status(session, ret) == ReturnState.UNDER_QA_CHALLENGE

    qa_reviewer_accepts_the_return(journey, qa, cast)
    assert status(session, ret) == ReturnState.ACTION_PLAN_OPEN

    lead_person_completes_their_action(journey, cast, session, ret)
    executive_signs_the_statement(journey, cast)
    assert status(session, ret) == ReturnState.COMPLIANCE_STATEMENT_SIGNED

    assert journey.violations == [], journey.report()


# --- 1. The coordinator ----------------------------------------------------------------------------


def coordinator_creates_and_launches_a_cycle(journey: Journey, cast: Cast) -> int:
    page = journey.sign_in(cast.coordinator.email, cast.coordinator.name, shot="coordinator-home")
    journey.click(page, menu(page, "Cycles"), shot="coordinator-cycles")
    journey.click(page, page.get_by_role("link", name="Create a cycle"), shot="coordinator-new-cycle")

    page.get_by_label("Name", exact=True).fill(CYCLE)
    page.get_by_label(CycleKind.FULL_AUDIT.title, exact=True).check()
    page.get_by_label("Standards template").select_option(label=f"{cast.p.template.name} (version {cast.p.template.version})")
    opens = today()
    fill_date(page, "Opening date", opens)
    fill_date(page, "Submission deadline", opens + timedelta(days=42))
    fill_date(page, "End of the QA window", opens + timedelta(days=70))
    fill_date(page, "Action plan review", opens + timedelta(days=180))
    fill_date(page, "Statement of compliance deadline", opens + timedelta(days=200))
    page.get_by_label(cast.p.health.name).check()
    page.get_by_label(cast.p.youth.name).check()
    journey.click(page, page.get_by_role("button", name="Create cycle"), shot="coordinator-draft-cycle")
    assert f"{CYCLE} was created as a draft" in words(page)
    assert cast.p.youth.name in words(page)

    journey.click(page, page.get_by_role("button", name="Launch the cycle"), shot="coordinator-cycle-launched")
    assert "The cycle is open: 2 agencies were invited." in words(page)
    assert "2 returns" in words(page)
    return int(re.search(r"/cycles/(\d+)", page.url).group(1))


# --- Arrange: most answers through the engine ------------------------------------------------------


def the_health_return(session: Session, cycle_id: int, cast: Cast) -> AuditReturn:
    query = select(AuditReturn).where(AuditReturn.cycle_id == cycle_id, AuditReturn.agency_id == cast.p.health.id)
    return session.exec(query).one()


def answer_standards_2_to_8_through_the_engine(engine, session: Session, cast: Cast, ret: AuditReturn) -> None:
    for question in questions_of(session, cast.p.template):
        if not question.ref.startswith("1."):
            act(
                engine,
                returns.save_answer,
                cast.agency_user,
                ret.id,
                question.id,
                rating="fully_met",
                narrative="We have a named lead and a written policy.",
                evidence_description="Board minutes, March",
            )


# --- 2. The agency user ---------------------------------------------------------------------------


def agency_user_completes_standard_1_is_refused_then_submits(journey: Journey, cast: Cast, ret: AuditReturn, session):
    page = journey.sign_in(cast.agency_user.email, cast.agency_user.name, shot="agency-home")
    journey.click(page, page.get_by_role("main").get_by_role("link", name=CYCLE), shot="agency-return")
    assert "You have completed 7 of 8 standards" in words(page)
    journey.click(page, page.get_by_role("link", name="1. Senior leadership"), shot="agency-standard")

    # Everything but what the engine will refuse: 1.1 is Fully met with no evidence yet, 1.5 is left.
    rate(page, "1.1", "Fully met", "Our chief nurse is the named board lead.")
    q12 = rate(page, "1.2", "Partly met", "The board heard a report in 2025 but did not act on it.")
    q12.get_by_text("Add an action for question 1.2").click()
    plan = q12.get_by_role("group", name="Add an action")
    plan.get_by_label("What will be done").fill("Put the safeguarding report on every March board agenda")
    plan.get_by_label("Lead person").select_option(label=cast.lead.name)
    target = today() + timedelta(days=90)
    fill_date(plan, "Target date", target)
    rate(
        page,
        "1.3",
        "Fully met",
        "Safeguarding is in the business plan, with a budget line.",
        evidence="Business plan 2026, section 4",
    )
    rate(page, "1.4", "Fully met", "The chief executive signs off the annual report.", evidence="Annual report 2025")
    journey.click(page, page.get_by_role("button", name="Save and return to your return"))
    assert "Standard 1 is saved." in words(page)

    # The return cannot be submitted yet: check your answers says why, in the engine's words.
    journey.click(page, this_return(page, "Check your answers"), shot="agency-check-answers-not-ready")
    still_needed = words(page, "#still-needed")
    assert "Question 1.1 is rated Fully met but has no evidence" in still_needed
    assert "Question 1.5 is not answered" in still_needed
    assert page.get_by_role("link", name="Continue to submit").count() == 0

    # Trying to submit anyway (the submit page's address typed in) is refused with the same reasons.
    journey.goto(page, f"/returns/{ret.id}/submit")
    page.get_by_role("group", name="Declaration").get_by_role("checkbox").check()
    journey.click(page, page.get_by_role("button", name="Submit the return"), expect=422, shot="agency-submit-refused")
    summary = words(page, ".govuk-error-summary")
    assert "There is a problem" in summary
    assert "Question 1.1 is rated Fully met but has no evidence: upload a file or describe the evidence." in summary
    assert "Question 1.5 is not answered." in summary

    # Fix them: each reason links to its question (the last such link: the list under the summary).
    journey.click(page, page.get_by_role("main").get_by_role("link", name="Question 1.1 is rated Fully met").last)
    section_headed(page, "Question 1.1").get_by_label("Upload a file of evidence (optional)").set_input_files(cast.evidence)
    rate(page, "1.5", "Fully met", "Allegations against staff go to the LADO within one working day.", evidence="LADO log")
    journey.click(page, page.get_by_role("button", name="Save and stay on this standard"), shot="agency-standard-saved")
    assert "Standard 1 is saved." in words(page)
    assert page.get_by_role("link", name=cast.evidence.name).is_visible()
    journey.click(page, page.get_by_role("link", name="Back to your return"))
    assert "You have completed 8 of 8 standards" in words(page)

    journey.click(page, page.get_by_role("link", name="Check your answers and submit"), shot="agency-check-answers")
    journey.click(page, page.get_by_role("link", name="Continue to submit"), shot="agency-submit")
    page.get_by_role("group", name="Declaration").get_by_role("checkbox").check()
    journey.click(page, page.get_by_role("button", name="Submit the return"), shot="agency-submitted")
    panel = words(page, ".govuk-panel")
    assert "Return submitted" in panel and f"S11-{ret.id}" in panel

    session.expire_all()
    uploaded = session.exec(select(EvidenceFile).where(EvidenceFile.return_id == ret.id)).all()
    assert [f.filename for f in uploaded] == [cast.evidence.name]
    action = session.exec(select(Action).where(Action.return_id == ret.id)).one()
    assert (action.lead_user_id, action.target_date) == (cast.lead.id, target)
    return page


def rate(page, ref: str, rating: str, narrative: str, *, evidence: str = ""):
    """Answer one question of the standard page: its rating, narrative and (if given) evidence."""
    block = section_headed(page, f"Question {ref}")
    block.get_by_label(rating, exact=True).check()
    block.get_by_label("What you do (narrative)").fill(narrative)
    if evidence:
        block.get_by_label("Evidence", exact=True).fill(evidence)
    return block


# --- 3. and 5. The QA reviewer ---------------------------------------------------------------------


def qa_reviewer_challenges_and_requests_evidence(journey: Journey, cast: Cast, ret: AuditReturn):
    page = journey.sign_in(cast.qa.email, cast.qa.name, shot="qa-home")
    journey.click(page, menu(page, "Quality assurance"), shot="qa-queue")
    journey.click(page, page.get_by_role("link", name=cast.p.health.name), shot="qa-review")

    journey.click(page, page.get_by_role("link", name="Challenge question 1.2"))
    form = section_headed(page, "Raise a challenge")
    assert form.get_by_label("About").locator("option:checked").inner_text() == "Question 1.2"
    form.get_by_label("Challenge", exact=True).fill("The board heard the report but did not act: what has changed since?")
    journey.click(page, form.get_by_role("button", name="Raise the challenge"))
    assert "The challenge was sent to the agency." in words(page)

    journey.click(page, page.get_by_role("link", name="Request evidence for question 1.1"))
    form = section_headed(page, "Request evidence")
    assert form.get_by_label("About").locator("option:checked").inner_text() == "Question 1.1"
    form.get_by_label("Evidence wanted").fill("The job description of the named board lead")
    fill_date(form, "Due date", today() + timedelta(days=14))
    journey.click(page, form.get_by_role("button", name="Request the evidence"), shot="qa-challenged")
    assert "The evidence request was sent to the agency." in words(page)
    return page


def qa_reviewer_accepts_the_return(journey: Journey, page, cast: Cast) -> None:
    journey.click(page, menu(page, "Quality assurance"))
    journey.click(page, page.get_by_role("link", name=cast.p.health.name))
    assert "Agency's answer: The March board now has the report as a standing item." in words(page)
    form = section_headed(page, "Accept the return")
    form.get_by_label("Summary for the agency (optional)").fill("Answers and evidence are sufficient.")
    journey.click(page, form.get_by_role("button", name="Accept the return"), shot="qa-accepted")
    assert "The return is accepted: its action plan is now live." in words(page)


# --- 4. The agency user answers QA --------------------------------------------------------------


def agency_user_answers_the_challenge_and_provides_the_evidence(journey: Journey, page, cast: Cast) -> None:
    journey.click(page, menu(page, "Your returns"))
    journey.click(page, page.get_by_role("main").get_by_role("link", name=CYCLE))
    journey.click(page, this_return(page, "QA challenges"), shot="agency-challenges")
    assert "what has changed since?" in words(page)
    page.get_by_label("Your answer").fill("The March board now has the report as a standing item.")
    journey.click(page, page.get_by_role("button", name="Send your answer"))
    assert "Your answer was sent to the QA sub-group." in words(page)

    journey.click(page, this_return(page, "Evidence requests"), shot="agency-evidence-request")
    assert "The job description of the named board lead" in words(page)
    page.get_by_label("Describe the evidence").fill("The lead's job description, approved by the board in March.")
    page.get_by_label("Upload files (optional)").set_input_files(cast.evidence)
    journey.click(page, page.get_by_role("button", name="Send the evidence"), shot="agency-evidence-provided")
    assert "The evidence was sent to the QA sub-group." in words(page)
    assert page.get_by_role("link", name=cast.evidence.name).is_visible()


# --- 6. The lead person ----------------------------------------------------------------------------


def lead_person_completes_their_action(journey: Journey, cast: Cast, session: Session, ret: AuditReturn) -> None:
    page = journey.sign_in(cast.lead.email, cast.lead.name, shot="lead-home")
    journey.click(page, menu(page, "Your actions"), shot="lead-my-actions")
    journey.click(
        page, page.get_by_role("link", name="Put the safeguarding report on every March board agenda"), shot="lead-action"
    )
    page.get_by_label("What has been done").fill("The report is now a standing item; the March board discussed it.")
    page.get_by_label("Complete the action").check()
    journey.click(page, page.get_by_role("button", name="Save progress"), shot="lead-action-completed")
    assert "Your progress is recorded." in words(page)
    assert "the March board discussed it" in words(page)
    session.expire_all()
    assert session.exec(select(Action).where(Action.return_id == ret.id)).one().status == "completed"


# --- 7. The executive -----------------------------------------------------------------------------


def executive_signs_the_statement(journey: Journey, cast: Cast) -> None:
    page = journey.sign_in(cast.executive.email, cast.executive.name, shot="executive-home")
    journey.click(page, page.get_by_role("main").get_by_role("link", name=CYCLE))
    journey.click(page, page.get_by_role("link", name="Read and sign the statement"), shot="executive-statement")
    page.get_by_label("Your full name").fill(cast.executive.name)
    page.get_by_role("group", name="Declaration").get_by_role("checkbox").check()
    journey.click(page, page.get_by_role("button", name="Sign the statement"), shot="executive-signed")
    assert "The statement of compliance is signed." in words(page)
    assert f"Signed by {cast.executive.name}" in words(page)


# --- small helpers --------------------------------------------------------------------------------


def this_return(page, text: str):
    """A link of the return's own navigation (its pages: answers, challenges, evidence requests...)."""
    return page.get_by_role("navigation", name="This return").get_by_role("link", name=text, exact=True)


def menu(page, text: str):
    """An item of the header's service navigation."""
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


def status(session: Session, ret: AuditReturn) -> str:
    session.expire_all()
    return session.get(AuditReturn, ret.id).status
