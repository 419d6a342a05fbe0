"""Every page of every role reflows at 320 CSS pixels wide (WCAG 2.2, 1.4.10): nothing makes the
page scroll sideways. A wide table may scroll inside its own region, which a keyboard can reach.
One browser, one context per person, in the states where the pages' forms and tables show. The
test fails on any page of the app it does not visit, so a new page must join it."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models import Action, Agency, SurveyLink, User
from models.account_token import TokenPurpose
from models.user import Role
from tests.factories import act, add_agency
from tests.web import return_world
from tests.web.conftest import PASSWORD, add_person
from tests.web.return_world import World, submitted
from tests.web.test_email_delivery_page import failed_email_and_bounce
from tests.web.test_reuse_page import youth_club_in_another_cycle
from workflow import partnerships
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.calendar.cycles import CycleDates
from workflow.clock import today
from workflow.people import accounts
from workflow.review import intelligence, peer_reviews, plan_samples, qa, qa_meetings
from workflow.survey import settings as survey_settings

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
    later = _issue_11_and_12_state(w, engine, session)
    # Launched while the coordinator works in one partnership (in two, a cycle goes where they choose).
    reuse_from = youth_club_in_another_cycle(w, engine)
    _in_a_second_partnership(w, session)
    council = add_agency(session, name="Hackney Council", sector="Local authority", statutory=True)
    session.get(Agency, w.p.health.id).commissioned_by_id = council.id
    session.commit()
    commissioner = add_person(session, name="Cam Commissioner", roles={Role.AGENCY_USER}, agency=council)
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
            "/commissioned", f"/commissioned/returns/{health}",
            f"/cycles/{cycle}/qa-picks", f"/cycles/{cycle}/returns/{youth}/pick-for-qa",
            f"/cycles/{cycle}/returns/{youth}/withdraw", f"/cycles/{cycle}/returns/{health}/return-for-amendment",
            f"/cycles/{cycle}/survey", f"/cycles/{cycle}/survey/import", f"/reports/cycles/{cycle}/staff-survey",
            "/peer-reviews", "/peer-reviews/arrange", f"/peer-reviews/{later['review']}/cancel", "/intelligence",
            "/good-practice", f"/cycles/{cycle}/qa-meetings", f"/qa/meetings/{later['meeting']}",
            f"/cycles/{cycle}/action-plan-review", "/partnerships", "/choose-partnership",
        ],
        commissioner.email: ["/commissioned", f"/commissioned/returns/{health}"],
        "": [  # nobody signed in
            "/forgotten-password", f"/survey/{later['survey']}", f"/survey/{later['survey']}/thank-you",
            f"/set-password/{later['links'][TokenPurpose.INVITATION]}",
            f"/reset-password/{later['links'][TokenPurpose.PASSWORD_RESET]}",
            f"/unlock/{later['links'][TokenPurpose.UNLOCK]}",
        ],
        w.youth_user.email: [
            "/", "/returns", f"/returns/{youth}", f"/returns/{youth}/standards/{standard}", f"/returns/{youth}/check",
            f"/returns/{youth}/actions", f"/returns/{youth}/history", "/colleagues", "/colleagues/invite",
            "/peer-reviews", f"/peer-reviews/{later['review']}", "/your-staff-survey", "/good-practice",
            f"/returns/{youth}/submit",
            f"/returns/{youth}/carry-forward", f"/returns/{youth}/reuse?from={reuse_from}",
            "/choose-agency",
        ],
        w.agency_user.email: [
            f"/returns/{health}", f"/returns/{health}/challenges", f"/returns/{health}/evidence-requests",
            f"/returns/{health}/submitted", f"/returns/{health}/history", f"/returns/{health}/peer-review",
        ],
        w.qa.email: ["/", "/qa", f"/qa/returns/{health}", "/intelligence", "/good-practice", "/peer-reviews",
                     f"/cycles/{cycle}/key-themes",
                     f"/cycles/{cycle}/qa-meetings", f"/qa/meetings/{later['meeting']}"],
    }
    return pages, (request, health)


def _in_a_second_partnership(w: World, session: Session) -> None:
    """The coordinator also works in Camden: sign-in asks which, and the partnerships page offers
    Hackney's agencies to Camden."""
    camden = partnerships.add_partnership(session, "Camden Safeguarding Children Partnership")
    partnerships.join(session, user_id=w.p.coordinator.id, partnership_ids=[camden.id])
    session.commit()


def _issue_11_and_12_state(w: World, engine, session: Session) -> dict[str, object]:
    """The QA sub-group's, peer review's and staff survey's pages have something to show: the
    health trust's submitted return picked for QA and put to a meeting, a peer review arranged with
    the youth club's user, an intelligence entry, and the cycle's survey set up."""
    health = w.ret.id
    act(engine, qa.pick_by_hand, w.p.coordinator, health, reason="This year's focus on health")
    meeting = act(engine, qa_meetings.plan_meeting, w.qa, w.cycle.id, held_on=today() + timedelta(days=7),
                  return_ids=[health])
    act(engine, intelligence.add_entry, w.p.coordinator, agency_id=w.p.health.id, sector="",
        source="Rapid review of a serious incident", received_on=today(),
        summary="Information was not shared with the police in time", standards="8", visibility="qa")
    review = act(engine, peer_reviews.arrange, w.p.coordinator, health, peer_agency_id=w.p.youth.id,
                 reviewer_id=w.youth_user.id, starts_on=today(), ends_on=today() + timedelta(days=14))
    act(engine, survey_settings.set_up_survey, w.p.coordinator, w.cycle.id,
        survey_settings.SurveySettings(today(), today() + timedelta(days=30), 5, 50, 80))
    token = session.exec(select(SurveyLink.token).where(SurveyLink.agency_id == w.p.health.id)).one()
    links = {}
    for purpose in (TokenPurpose.INVITATION, TokenPurpose.PASSWORD_RESET, TokenPurpose.UNLOCK):
        links[purpose], _row = accounts.issue_link(session, session.get(User, w.youth_lead.id), purpose, timedelta(hours=1))
    session.commit()
    return {"meeting": meeting.id, "review": review.id, "survey": token, "links": links}


def _after_acceptance(w: World, engine, session: Session, request, health: int) -> dict[str, list[str]]:
    act(engine, qa.provide_evidence, w.agency_user, request.id, response="Attached")
    act(engine, qa.accept, w.qa, health)
    action = session.exec(select(Action).where(Action.return_id == health)).first()
    act(engine, plan_samples.draw_plan_sample, w.qa, w.cycle.id, count=1, seed="reflow")
    return {
        w.qa.email: [f"/cycles/{w.cycle.id}/action-plan-sample", f"/returns/{health}/good-practice"],
        w.p.coordinator.email: [f"/cycles/{w.cycle.id}/action-plan-review", f"/cycles/{w.cycle.id}/action-plan-sample"],
        w.lead.email: ["/", "/my-actions", f"/actions/{action.id}"],
        w.executive.email: ["/", f"/returns/{health}", f"/returns/{health}/statement", f"/returns/{health}/actions"],
    }


# What a browser gets that is not a page: files, health checks, the favicon, evidence downloads.
NOT_PAGES = {"static", "favicon", "health.healthz", "health.readyz", "evidence.download", "qa_meetings.agenda_pack",
             "reports.annual_report_pdf", "reports.cycle_csv_zip", "reports.cycle_xlsx", "reports.figures_json",
             "reports.return_pdf", "feedback.letter"}


def _pages_not_visited(app, visited: set[str]) -> list[str]:
    """Every page of the app (a GET that answers with HTML) that this test did not visit."""
    adapter = app.url_map.bind("localhost")
    seen = {adapter.match(path.split("?")[0], method="GET")[0] for path in visited}
    pages = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    return sorted(rule for endpoint, rule in pages.items() if endpoint not in seen | NOT_PAGES)


def test_every_page_of_every_role_reflows_at_320_pixels(chromium, live_server, app, world: World, session, sqlite_only_engine):
    w, engine = world, sqlite_only_engine
    pages, (request, health) = _arrange(w, engine, session)
    too_wide: dict[str, str] = {}
    visited: set[str] = {"/sign-in"}

    def visit(email: str, paths: list[str]) -> None:
        context = chromium.new_context(viewport={"width": WIDTH, "height": 800})
        # The icon is not part of any page's width; a fetch cut short by the next page would leave the
        # test server's file open (a ResourceWarning), so the browser does not ask for it here.
        context.route("**/favicon*", lambda route: route.abort())
        page = context.new_page()
        page.goto(live_server + "/sign-in")
        for path in ["/sign-in"] if email == w.qa.email else []:
            _measure(page, path)
        if email:
            page.fill("#email", email)
            page.fill("#password", PASSWORD)
            with page.expect_navigation():  # the home page loads whole before the next address is typed
                page.click("button[type=submit]")
        for path in paths:
            answer = page.goto(live_server + path)
            assert answer.status == 200, f"{email} {path} answered {answer.status}"
            _measure(page, f"{email} {path}")
            visited.add(path)
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
    act(engine, cycles.close, w.p.coordinator, w.cycle.id, reason="The year is over")
    visit(w.p.coordinator.email, [f"/cycles/{w.cycle.id}/reopen"])

    assert too_wide == {}, "\n".join(f"{where}: {why}" for where, why in too_wide.items())
    assert _pages_not_visited(app, visited) == []  # a new page joins this test
