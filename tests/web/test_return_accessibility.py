"""The return's pages (agency, QA, lead person, executive) pass axe's WCAG 2.2 AA checks in a real
Chromium, with the built styles, in the states where their forms are showing."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Action, User
from tests.factories import act
from tests.web import return_world
from tests.web.browser_helpers import assert_on_page
from tests.web.conftest import PASSWORD
from tests.web.return_world import World, submitted
from tests.web.test_reuse_page import youth_club_in_another_cycle
from workflow.answering import returns
from workflow.clock import today
from workflow.review import qa

pytestmark = pytest.mark.browser
world = return_world.world  # the shared fixture: a launched cycle with a person in every role

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Checker:
    """Signs one person in (a browser context each) and runs axe on the pages they see."""

    def __init__(self, chromium, live_server: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.chromium, self.base, self.axe = chromium, live_server, Axe()
        self.problems: dict[str, str] = {}

    def as_person(self, person: User, pages: dict[str, str]) -> None:
        """Sign in, then check each page, first making sure it is that page (address and heading)."""
        context = self.chromium.new_context()
        page = context.new_page()
        page.goto(self.base + "/sign-in")
        page.fill("#email", person.email)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert f"Signed in as {person.name}" in page.inner_text("body"), f"{person.email} not signed in: {page.url}"
        email = person.email
        for path, heading in pages.items():
            answer = page.goto(self.base + path)
            assert answer.status == 200, path
            assert_on_page(page, self.base + path, heading)
            # Missing CSS gives false target-size failures: make sure the built Arial styles loaded.
            assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower().startswith("arial")
            result = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            if result.violations_count:
                self.problems[f"{email} {path}"] = result.generate_report()
        context.close()


def test_the_return_pages_have_no_accessibility_violations(chromium, live_server, world: World, session, sqlite_only_engine):
    w, engine = world, sqlite_only_engine
    checker = Checker(chromium, live_server)

    # The youth club's return in progress: a Partly met answer with its action, so every field shows.
    question = next(q for q in w.questions if not q.statutory_only)
    act(engine, returns.save_answer, w.youth_user, w.youth_ret.id, question.id, rating="partly_met", narrative="Some")
    act(engine, returns.add_action, w.youth_user, w.youth_ret.id, question.id, description="Write it",
        lead_user_id=w.youth_lead.id, target_date=today() + timedelta(days=30))
    youth = w.youth_ret.id
    other = youth_club_in_another_cycle(w, engine)
    checker.as_person(w.youth_user, {
        "/returns": "Your agency's returns",
        f"/returns/{youth}": "Section 11 return",
        f"/returns/{youth}/standards/{question.standard_id}": "Standard 1: Senior leadership commitment",
        f"/returns/{youth}/check": "Check your answers",
        f"/returns/{youth}/submit": "Submit the return",
        f"/returns/{youth}/carry-forward": "Answers from your last return",
        f"/returns/{youth}/reuse?from={other}": "Reuse answers from another cycle",
        "/choose-agency": "Which agency are you acting for?",
    })

    # The health trust's return under QA: a challenge and an evidence request waiting for answers.
    submitted(w, engine)
    challenge = act(engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?", question_id=w.questions[0].id)
    request = act(engine, qa.request_evidence, w.qa, w.ret.id, description="Minutes", due_date=today() + timedelta(days=9))
    health = w.ret.id
    checker.as_person(w.agency_user, {
        f"/returns/{health}/challenges": "QA challenges",
        f"/returns/{health}/evidence-requests": "Evidence requests",
        f"/returns/{health}/actions": "Action plan",
        f"/returns/{health}/history": "History of the return",
        f"/returns/{health}/submitted": "Return submitted",
    })
    checker.as_person(w.qa, {"/qa": "Returns to review", f"/qa/returns/{health}": "Review the return"})

    # Accepted: the lead person's progress form and the executive's statement are open.
    act(engine, qa.answer_challenge, w.agency_user, challenge.id, response="Because")
    act(engine, qa.provide_evidence, w.agency_user, request.id, response="Attached")
    act(engine, qa.accept, w.qa, health)
    action = session.exec(select(Action).where(Action.return_id == health)).first()
    checker.as_person(w.lead, {"/my-actions": "Your actions", f"/actions/{action.id}": "Train the board"})
    checker.as_person(
        w.executive, {f"/returns/{health}": "Section 11 return", f"/returns/{health}/statement": "Statement of compliance"}
    )

    assert checker.problems == {}, "\n".join(f"{k}: {v}" for k, v in checker.problems.items())
