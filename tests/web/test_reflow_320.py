"""Every page of every role reflows at 320 CSS pixels wide (WCAG 2.2, 1.4.10): nothing makes the
page scroll sideways. A wide table may scroll inside its own region, which a keyboard can reach.
One browser, one context per person, in the states where the pages' forms and tables show."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models import Action
from tests.factories import act, add_agency
from tests.web import return_world
from tests.web.conftest import PASSWORD
from tests.web.return_world import World, submitted
from tests.web.test_email_delivery_page import failed_email_and_bounce
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.calendar.cycles import CycleDates
from workflow.clock import today
from workflow.review import qa

pytestmark = pytest.mark.browser
world = return_world.world

WIDTH = 320
# How wide the page is, and what sticks out: the widest elements beyond the viewport, to name in a failure.
MEASURE = """() => {
  const width = document.documentElement.scrollWidth;
  const out = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => !(e.parentElement && e.parentElement.closest('.app-table-scroll')))
    .slice(0, 4)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
              + ':' + Math.round(e.getBoundingClientRect().right));
  const regions = [...document.querySelectorAll('.app-table-scroll')]
    .filter(r => r.scrollWidth > r.clientWidth && r.tabIndex !== 0).length;
  return {width, out, unreachable: regions};
}"""


def _arrange(w: World, engine, session: Session) -> dict[str, list[str]]:
    """Every state with something to show, and each person's pages in it."""
    question = next(q for q in w.questions if not q.statutory_only)
    act(engine, returns.save_answer, w.youth_user, w.youth_ret.id, question.id, rating="partly_met", narrative="Some")
    act(engine, returns.add_action, w.youth_user, w.youth_ret.id, question.id, description="Write it",
        lead_user_id=w.youth_lead.id, target_date=today() + timedelta(days=30))
    submitted(w, engine)
    challenge = act(engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?", question_id=w.questions[0].id)
    request = act(engine, qa.request_evidence, w.qa, w.ret.id, description="Minutes", due_date=today() + timedelta(days=9))
    act(engine, qa.answer_challenge, w.agency_user, challenge.id, response="Because")
    failed_email_and_bounce(session)
    add_agency(session, name="Riverside and District Integrated Care Board Safeguarding Children Partnership Unit",
               sector="Health", statutory=True, contact_email="safeguarding.children.partnership.unit@icb.example.org",
               executive_email="chief.executive@icb.example.org")
    session.commit()
    opens = today() + timedelta(days=30)
    draft = act(engine, cycles.create_cycle, w.p.coordinator, name="Section 11 audit 2027-28 draft",
                kind=cycles.CycleKind.FULL_AUDIT, template_id=w.p.template.id, agency_ids=[w.p.youth.id],
                dates=CycleDates(opens, opens + timedelta(days=42), opens + timedelta(days=70), opens + timedelta(days=180),
                                 opens + timedelta(days=200)))
    health, youth, cycle = w.ret.id, w.youth_ret.id, w.cycle.id
    standard = question.standard_id
    pages = {
        w.p.coordinator.email: [
            "/", "/cycles", f"/cycles/{cycle}", f"/cycles/{cycle}/returns/{health}",
            f"/cycles/{cycle}/returns/{health}/extend-deadline", f"/cycles/{cycle}/dip-sample", f"/cycles/{cycle}/close",
            f"/cycles/{cycle}/dates", f"/cycles/{cycle}/reminders", f"/cycles/{cycle}/add-agency",
            "/cycles/new", f"/cycles/{draft.id}", f"/cycles/{draft.id}/edit", f"/cycles/{draft.id}/delete",
            "/agencies", "/agencies/new", f"/agencies/{w.p.youth.id}/edit", "/agencies/import",
            "/people", "/people/invite", f"/people/{w.youth_user.id}/edit",
            "/templates", f"/templates/{w.p.template.id}", "/templates/upload", "/email-delivery",
            "/reports", f"/cycles/{cycle}/reports", f"/cycles/{cycle}/reports/progress",
            f"/cycles/{cycle}/reports/compliance", f"/cycles/{cycle}/reports/year-on-year", f"/cycles/{cycle}/reports/actions",
            f"/returns/{health}", f"/returns/{health}/history", f"/cycles/{cycle}/key-themes",
        ],
        w.youth_user.email: [
            "/", "/returns", f"/returns/{youth}", f"/returns/{youth}/standards/{standard}", f"/returns/{youth}/check",
            f"/returns/{youth}/actions", f"/returns/{youth}/history", "/colleagues", "/colleagues/invite",
            f"/returns/{youth}/carry-forward", "/choose-agency",
        ],
        w.agency_user.email: [
            f"/returns/{health}", f"/returns/{health}/challenges", f"/returns/{health}/evidence-requests",
            f"/returns/{health}/submitted", f"/returns/{health}/history",
        ],
        w.qa.email: ["/", "/qa", f"/qa/returns/{health}", f"/cycles/{cycle}/key-themes"],
    }
    return pages, (request, health)


def _after_acceptance(w: World, engine, session: Session, request, health: int) -> dict[str, list[str]]:
    act(engine, qa.provide_evidence, w.agency_user, request.id, response="Attached")
    act(engine, qa.accept, w.qa, health)
    action = session.exec(select(Action).where(Action.return_id == health)).first()
    return {
        w.lead.email: ["/", "/my-actions", f"/actions/{action.id}"],
        w.executive.email: ["/", f"/returns/{health}", f"/returns/{health}/statement", f"/returns/{health}/actions"],
    }


def test_every_page_of_every_role_reflows_at_320_pixels(chromium, live_server, world: World, session, sqlite_only_engine):
    w, engine = world, sqlite_only_engine
    pages, (request, health) = _arrange(w, engine, session)
    too_wide: dict[str, str] = {}

    def visit(email: str, paths: list[str]) -> None:
        context = chromium.new_context(viewport={"width": WIDTH, "height": 800})
        page = context.new_page()
        page.goto(live_server + "/sign-in")
        for path in ["/sign-in"] if email == w.qa.email else []:
            _measure(page, path)
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        for path in paths:
            answer = page.goto(live_server + path)
            assert answer.status == 200, f"{email} {path} answered {answer.status}"
            _measure(page, f"{email} {path}")
        context.close()

    def _measure(page, where: str) -> None:
        font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        assert font.lower().startswith("arial"), f"styles not loaded on {where}"
        found = page.evaluate(MEASURE)
        if found["width"] > WIDTH or found["unreachable"]:
            too_wide[where] = f"{found['width']} px wide; sticking out: {', '.join(found['out'])}"

    for email, paths in pages.items():
        visit(email, paths)
    for email, paths in _after_acceptance(w, engine, session, request, health).items():
        visit(email, paths)

    assert too_wide == {}, "\n".join(f"{where}: {why}" for where, why in too_wide.items())
