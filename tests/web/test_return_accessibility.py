"""The return's pages (agency, QA, lead person, executive) pass axe's WCAG 2.2 AA checks in a real
Chromium, with the built styles, in the states where their forms are showing."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Action
from tests.factories import act
from tests.web import return_world
from tests.web.conftest import PASSWORD
from tests.web.return_world import World, submitted
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

    def as_person(self, email: str, paths: list[str]) -> None:
        context = self.chromium.new_context()
        page = context.new_page()
        page.goto(self.base + "/sign-in")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        for path in paths:
            answer = page.goto(self.base + path)
            assert answer.status == 200, path
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
    checker.as_person(w.youth_user.email, [
        "/returns", f"/returns/{youth}", f"/returns/{youth}/standards/{question.standard_id}",
        f"/returns/{youth}/check", f"/returns/{youth}/submit",
    ])

    # The health trust's return under QA: a challenge and an evidence request waiting for answers.
    submitted(w, engine)
    challenge = act(engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?", question_id=w.questions[0].id)
    request = act(engine, qa.request_evidence, w.qa, w.ret.id, description="Minutes", due_date=today() + timedelta(days=9))
    health = w.ret.id
    checker.as_person(w.agency_user.email, [
        f"/returns/{health}/challenges", f"/returns/{health}/evidence-requests", f"/returns/{health}/actions",
        f"/returns/{health}/history", f"/returns/{health}/submitted",
    ])
    checker.as_person(w.qa.email, ["/qa", f"/qa/returns/{health}"])

    # Accepted: the lead person's progress form and the executive's statement are open.
    act(engine, qa.answer_challenge, w.agency_user, challenge.id, response="Because")
    act(engine, qa.provide_evidence, w.agency_user, request.id, response="Attached")
    act(engine, qa.accept, w.qa, health)
    action = session.exec(select(Action).where(Action.return_id == health)).first()
    checker.as_person(w.lead.email, ["/my-actions", f"/actions/{action.id}"])
    checker.as_person(w.executive.email, [f"/returns/{health}", f"/returns/{health}/statement"])

    assert checker.problems == {}, "\n".join(f"{k}: {v}" for k, v in checker.problems.items())
