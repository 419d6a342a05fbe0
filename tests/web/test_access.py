"""Who gets what, for every page of a return: a table of routes by role, checked for each person.

200 the page; 302 to sign in (anonymous); 403 a role that has no business there; 404 another
agency's return, action or file (its existence is not even confirmed).
"""

import re

import pytest

from models import Agency
from models.user import Role
from tests.factories import add_agency
from tests.web import return_world
from tests.web.conftest import add_person
from tests.web.partnership_routes import camden_people, fill, get_rules, post_rules, two_partnerships
from tests.web.return_world import World, signed_in, under_review

pytestmark = pytest.mark.minutes  # started before the short modules (tests/conftest.py)

PEOPLE = ("anonymous", "coordinator", "qa", "agency_user", "lead", "executive", "other_agency_user", "other_executive",
          "commissioner")
STAFF = {"coordinator", "qa"}
OWN_AGENCY = {"agency_user", "lead", "executive"}
# The commissioner is an agency user of the agency that commissions this one: another agency's
# person on the agency's own pages, a reader on the commissioner's pages (and of its evidence).
OTHER_AGENCY = {"other_agency_user", "other_executive", "commissioner"}

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _expect(*, allowed: set[str], other_agency: int = 404, refused: int = 403) -> dict[str, int]:
    """The answer for each person: 200 for the allowed, `other_agency` for the other agency's people."""
    expected = {"anonymous": 302}
    for person in PEOPLE[1:]:
        if person in allowed:
            expected[person] = 200
        elif person in OTHER_AGENCY and other_agency != 403:
            expected[person] = other_agency
        else:
            expected[person] = refused
    return expected


# Anyone who may see the return: the partnership's staff and the agency's own people.
SEES_THE_RETURN = _expect(allowed=STAFF | OWN_AGENCY)

GET_ROUTES = {
    "/returns": _expect(allowed=OWN_AGENCY | OTHER_AGENCY),
    "/returns/{ret}": SEES_THE_RETURN,
    "/returns/{ret}/standards/{standard}": SEES_THE_RETURN,
    "/returns/{ret}/check": SEES_THE_RETURN,
    "/returns/{ret}/submit": {**_expect(allowed={"agency_user"}), "other_agency_user": 404, "other_executive": 403},
    "/returns/{ret}/submitted": SEES_THE_RETURN,
    "/returns/{ret}/challenges": SEES_THE_RETURN,
    "/returns/{ret}/evidence-requests": SEES_THE_RETURN,
    "/returns/{ret}/actions": SEES_THE_RETURN,
    "/returns/{ret}/history": SEES_THE_RETURN,
    "/returns/{ret}/statement": {**_expect(allowed={"executive"}), "other_executive": 404, "other_agency_user": 403,
                                 "commissioner": 403},
    "/returns/{ret}/peer-review": SEES_THE_RETURN,
    "/returns/{ret}/reuse": _expect(allowed={"agency_user"}),
    "/peer-reviews": _expect(allowed=STAFF | OWN_AGENCY | OTHER_AGENCY),
    "/peer-reviews/arrange": _expect(allowed={"coordinator"}, other_agency=403),
    "/peer-reviews/999999": {**_expect(allowed=set(), refused=404)},
    "/qa": _expect(allowed={"qa"}, other_agency=403),
    "/qa/returns/{ret}": _expect(allowed={"qa"}, other_agency=403),
    "/my-actions": _expect(allowed=OWN_AGENCY | OTHER_AGENCY),
    "/actions/{action}": SEES_THE_RETURN,
    "/evidence/{file}": {**SEES_THE_RETURN, "commissioner": 200},
    "/commissioned": _expect(allowed={"coordinator"} | OWN_AGENCY | OTHER_AGENCY),
    "/commissioned/returns/{ret}": {**_expect(allowed={"coordinator", "commissioner"}), **dict.fromkeys(OWN_AGENCY, 404)},
    "/returns/999999": {**_expect(allowed=set(), refused=404)},
    "/actions/999999": {**_expect(allowed=set(), refused=404)},
    "/evidence/999999": {**_expect(allowed=set(), refused=404)},
}

# Every POST on the agency's return: another agency's people get 404, anonymous people sign in.
POST_ROUTES = [
    "/returns/{ret}/standards/{standard}",
    "/returns/{ret}/submit",
    "/returns/{ret}/email-copy",
    "/returns/{ret}/challenges/{challenge}",
    "/returns/{ret}/evidence-requests/{request}",
    "/actions/{action}",
    "/returns/{ret}/statement",
    "/returns/{ret}/statement/peer-review",
    "/returns/{ret}/peer-review",
    "/commissioned/returns/{ret}",
    "/returns/{ret}/reuse/{ret}",
]
QA_POST_ROUTES = [
    "/qa/returns/{ret}/challenge",
    "/qa/returns/{ret}/request-evidence",
    "/qa/returns/{ret}/questions/{question}/moderate",
    "/qa/returns/{ret}/accept",
    "/qa/returns/{ret}/return-for-amendment",
]


@pytest.fixture
def ids(world: World, session, sqlite_only_engine, app) -> dict[str, int]:
    """A submitted return with a challenge, an evidence request, an action and a stored file."""
    return under_review(world, session, sqlite_only_engine, app.config["EVIDENCE_DIR"])


def _person(name: str, w: World, session):
    if name == "commissioner":
        council = add_agency(session, name="Hackney Council", sector="Local authority", statutory=True)
        health = session.get(Agency, w.p.health.id)
        health.commissioned_by_id = council.id
        session.add(health)
        session.commit()
        return add_person(session, name="Cam Commissioner", roles={Role.AGENCY_USER}, agency=council)
    if name == "other_executive":
        return add_person(session, name="Olu Executive", roles={Role.EXECUTIVE}, agency=w.p.youth)
    return {
        "coordinator": w.p.coordinator, "qa": w.qa, "agency_user": w.agency_user, "lead": w.lead,
        "executive": w.executive, "other_agency_user": w.youth_user,
    }[name]


@pytest.mark.parametrize("person", PEOPLE)
def test_every_page_answers_each_person_as_it_should(person, browser, world, ids, session):
    if person != "anonymous":
        signed_in(browser, _person(person, world, session))
    wrong = []
    for route, expected in GET_ROUTES.items():
        path = route.format(**ids)
        response = browser.client.get(path)
        response.close()
        if response.status_code != expected[person]:
            wrong.append(f"GET {path}: {response.status_code}, expected {expected[person]}")
        if response.status_code == 302:
            assert "/sign-in" in response.headers["Location"]
    assert wrong == []


@pytest.mark.parametrize("person", ["anonymous", "other_agency_user", "other_executive", "commissioner"])
def test_another_agencys_people_cannot_post_to_this_return(person, browser, world, ids, session):
    if person != "anonymous":
        signed_in(browser, _person(person, world, session))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.client.get("/sign-in").text
                      if person == "anonymous" else browser.client.get("/").text).group(1)
    wrong = []
    for route in POST_ROUTES:
        path = route.format(**ids)
        response = browser.client.post(path, data={"csrf_token": token})
        expected = 302 if person == "anonymous" else 404
        if path.endswith("/statement") or path.endswith("/statement/peer-review"):
            expected = 302 if person == "anonymous" else (404 if person == "other_executive" else 403)
        if path.startswith("/commissioned/") and person == "commissioner":
            expected = 422  # the commissioner's own form: an empty comment is refused, nothing else changes
        if path.endswith("/submit") and person == "other_executive":
            expected = 403
        if response.status_code != expected:
            wrong.append(f"POST {path}: {response.status_code}, expected {expected}")
    for route in QA_POST_ROUTES:
        path = route.format(**ids)
        response = browser.client.post(path, data={"csrf_token": token})
        expected = 302 if person == "anonymous" else 403
        if response.status_code != expected:
            wrong.append(f"POST {path}: {response.status_code}, expected {expected}")
    assert wrong == []


@pytest.mark.parametrize("person", ["coordinator", "lead", "executive"])
def test_only_an_agency_user_may_change_or_submit_the_return(person, browser, world, ids, session):
    signed_in(browser, _person(person, world, session))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.client.get("/").text).group(1)
    question = ids["question"]
    saved = browser.client.post(f"/returns/{ids['ret']}/standards/{ids['standard']}",
                                data={"csrf_token": token, f"q{question}-rating": "fully_met"})
    assert saved.status_code == 403
    assert browser.client.post(f"/returns/{ids['ret']}/submit", data={"csrf_token": token, "confirm": "y"}).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(browser, world, ids):
    signed_in(browser, world.agency_user)
    response = browser.client.post(f"/returns/{ids['ret']}/submit", data={"confirm": "y"})
    assert response.status_code == 400


# The partnership dimension: what Camden's person of each role gets on every route of the app, GET
# and POST, filled with Hackney's things (tests/web/partnership_routes.py). A route about one of
# Hackney's things is a 404 for each of Camden's people who could use it (its existence is not
# confirmed) and stays the role's refusal (403) for the rest; a list page is 200, and what it lists
# is the leak crawl's business (tests/web/test_partnership_leaks.py). Every route has a row: a new
# route without one fails `test_the_partnership_table_has_a_row_for_every_route`.
PARTNERSHIP_ROLES = ("coordinator", "qa", "agency_user", "lead", "executive")


def _p(*codes: int) -> dict[str, int]:
    return dict(zip(PARTNERSHIP_ROLES, codes, strict=True))


ANOTHER_PARTNERSHIPS_PERSON = {
    "GET /": _p(200, 200, 200, 200, 200),
    "GET /actions/<int:action_id>": _p(404, 404, 404, 404, 404),
    "POST /actions/<int:action_id>": _p(404, 404, 404, 404, 404),
    "GET /agencies": _p(200, 403, 403, 403, 403),
    "GET /agencies/<int:agency_id>/edit": _p(404, 403, 403, 403, 403),
    "POST /agencies/<int:agency_id>/edit": _p(404, 403, 403, 403, 403),
    "GET /agencies/import": _p(200, 403, 403, 403, 403),
    "POST /agencies/import": _p(200, 403, 403, 403, 403),
    "GET /agencies/new": _p(200, 403, 403, 403, 403),
    "POST /agencies/new": _p(422, 403, 403, 403, 403),
    "GET /choose-partnership": _p(200, 200, 302, 302, 302),
    "POST /choose-partnership": _p(200, 200, 302, 302, 302),
    "GET /partnerships": _p(200, 403, 403, 403, 403),
    "POST /partnerships": _p(422, 403, 403, 403, 403),
    "GET /choose-agency": _p(302, 302, 200, 200, 200),
    "POST /choose-agency": _p(302, 302, 200, 200, 200),
    "GET /colleagues": _p(403, 403, 200, 403, 403),
    "GET /colleagues/invite": _p(403, 403, 200, 403, 403),
    "POST /colleagues/invite": _p(403, 403, 422, 403, 403),
    "GET /commissioned": _p(200, 403, 200, 200, 200),
    "GET /commissioned/returns/<int:return_id>": _p(404, 403, 404, 404, 404),
    "POST /commissioned/returns/<int:return_id>": _p(403, 403, 404, 404, 404),
    "GET /cycles": _p(200, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/action-plan-review": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/action-plan-sample": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/action-plan-sample": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/action-plan-sample/<int:sampled_id>": _p(403, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/add-agency": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/add-agency": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/close": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/close": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/dates": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/dates": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/delete": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/delete": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/dip-sample": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/dip-sample": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/edit": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/edit": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/exports/annual-report.pdf": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/exports/cycle-csv.zip": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/exports/cycle.xlsx": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/exports/figures.json": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/key-themes": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/key-themes": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/launch": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/qa-meetings": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/qa-meetings": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/qa-picks": _p(404, 404, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/qa-picks": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reminders": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/reminders": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reopen": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/reopen": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reports": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reports/actions": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reports/compliance": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reports/progress": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/reports/year-on-year": _p(404, 404, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/returns/<int:return_id>": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/returns/<int:return_id>/extend-deadline": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/returns/<int:return_id>/extend-deadline": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/returns/<int:return_id>/pick-for-qa": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/returns/<int:return_id>/pick-for-qa": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/returns/<int:return_id>/release": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/returns/<int:return_id>/return-for-amendment": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/returns/<int:return_id>/return-for-amendment": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/returns/<int:return_id>/withdraw": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/returns/<int:return_id>/withdraw": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/survey": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/survey": _p(404, 403, 403, 403, 403),
    "GET /cycles/<int:cycle_id>/survey/import": _p(404, 403, 403, 403, 403),
    "POST /cycles/<int:cycle_id>/survey/import": _p(404, 403, 403, 403, 403),
    "GET /cycles/new": _p(200, 403, 403, 403, 403),
    "POST /cycles/new": _p(422, 403, 403, 403, 403),
    "GET /email-delivery": _p(200, 403, 403, 403, 403),
    "POST /email-delivery/<int:message_id>/retry": _p(404, 403, 403, 403, 403),
    "GET /evidence/<int:file_id>": _p(404, 404, 404, 404, 404),
    "GET /favicon.ico": _p(200, 200, 200, 200, 200),
    "GET /forgotten-password": _p(200, 200, 200, 200, 200),
    "POST /forgotten-password": _p(200, 200, 200, 200, 200),
    "GET /good-practice": _p(200, 200, 200, 200, 200),
    "GET /healthz": _p(200, 200, 200, 200, 200),
    "GET /intelligence": _p(200, 200, 403, 403, 403),
    "POST /intelligence": _p(422, 422, 403, 403, 403),
    "GET /my-actions": _p(403, 403, 200, 200, 200),
    "GET /peer-reviews": _p(200, 200, 200, 200, 200),
    "GET /peer-reviews/<int:review_id>": _p(404, 404, 404, 404, 404),
    "POST /peer-reviews/<int:review_id>": _p(404, 404, 404, 404, 404),
    "GET /peer-reviews/<int:review_id>/cancel": _p(404, 403, 403, 403, 403),
    "POST /peer-reviews/<int:review_id>/cancel": _p(404, 403, 403, 403, 403),
    "GET /peer-reviews/arrange": _p(200, 403, 403, 403, 403),
    "POST /peer-reviews/arrange": _p(422, 403, 403, 403, 403),
    "GET /people": _p(200, 403, 403, 403, 403),
    "POST /people/<int:user_id>/deactivate": _p(404, 403, 403, 403, 403),
    "GET /people/<int:user_id>/edit": _p(404, 403, 403, 403, 403),
    "POST /people/<int:user_id>/edit": _p(404, 403, 403, 403, 403),
    "POST /people/<int:user_id>/reactivate": _p(404, 403, 403, 403, 403),
    "POST /people/<int:user_id>/resend-invitation": _p(404, 403, 403, 403, 403),
    "GET /people/invite": _p(200, 403, 403, 403, 403),
    "POST /people/invite": _p(422, 403, 403, 403, 403),
    "GET /qa": _p(403, 200, 403, 403, 403),
    "GET /qa/meetings/<int:meeting_id>": _p(404, 404, 403, 403, 403),
    "POST /qa/meetings/<int:meeting_id>": _p(404, 404, 403, 403, 403),
    "GET /qa/meetings/<int:meeting_id>/agenda-pack.pdf": _p(404, 404, 403, 403, 403),
    "GET /qa/returns/<int:return_id>": _p(403, 404, 403, 403, 403),
    "POST /qa/returns/<int:return_id>/accept": _p(403, 404, 403, 403, 403),
    "POST /qa/returns/<int:return_id>/challenge": _p(403, 404, 403, 403, 403),
    "POST /qa/returns/<int:return_id>/questions/<int:question_id>/moderate": _p(403, 404, 403, 403, 403),
    "POST /qa/returns/<int:return_id>/request-evidence": _p(403, 404, 403, 403, 403),
    "POST /qa/returns/<int:return_id>/return-for-amendment": _p(403, 404, 403, 403, 403),
    "GET /readyz": _p(200, 200, 200, 200, 200),
    "GET /reports": _p(200, 200, 403, 403, 403),
    "GET /reports/cycles/<int:cycle_id>/staff-survey": _p(404, 404, 403, 403, 403),
    "GET /reset-password/<token>": _p(404, 404, 404, 404, 404),
    "POST /reset-password/<token>": _p(404, 404, 404, 404, 404),
    "GET /returns": _p(403, 403, 200, 200, 200),
    "GET /returns/<int:return_id>": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/actions": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/carry-forward": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/carry-forward": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/carry-forward/standards/<int:standard_id>": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/challenges": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/challenges/<int:challenge_id>": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/check": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/email-copy": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/evidence-requests": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/evidence-requests/<int:request_id>": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/good-practice": _p(404, 404, 403, 403, 403),
    "POST /returns/<int:return_id>/good-practice": _p(404, 404, 403, 403, 403),
    "GET /returns/<int:return_id>/history": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/peer-review": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/peer-review": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/qa-feedback.pdf": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/return.pdf": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/reuse": _p(403, 403, 404, 404, 404),
    "POST /returns/<int:return_id>/reuse/<int:source_id>": _p(403, 403, 404, 404, 404),
    "GET /returns/<int:return_id>/standards/<int:standard_id>": _p(404, 404, 404, 404, 404),
    "POST /returns/<int:return_id>/standards/<int:standard_id>": _p(404, 404, 404, 404, 404),
    "GET /returns/<int:return_id>/statement": _p(403, 403, 403, 403, 404),
    "POST /returns/<int:return_id>/statement": _p(403, 403, 403, 403, 404),
    "POST /returns/<int:return_id>/statement/peer-review": _p(403, 403, 403, 403, 404),
    "GET /returns/<int:return_id>/submit": _p(403, 403, 404, 403, 403),
    "POST /returns/<int:return_id>/submit": _p(403, 403, 404, 403, 403),
    "GET /returns/<int:return_id>/submitted": _p(404, 404, 404, 404, 404),
    "GET /set-password/<token>": _p(404, 404, 404, 404, 404),
    "POST /set-password/<token>": _p(404, 404, 404, 404, 404),
    "GET /sign-in": _p(302, 302, 302, 302, 302),
    "POST /sign-in": _p(302, 302, 302, 302, 302),
    "POST /sign-out": _p(302, 302, 302, 302, 302),
    "GET /survey/<token>": _p(200, 200, 200, 200, 200),
    "POST /survey/<token>": _p(422, 422, 422, 422, 422),
    "GET /survey/<token>/thank-you": _p(200, 200, 200, 200, 200),
    "GET /templates": _p(200, 403, 403, 403, 403),
    "GET /templates/<int:template_id>": _p(404, 403, 403, 403, 403),
    "GET /templates/upload": _p(200, 403, 403, 403, 403),
    "POST /templates/upload": _p(200, 403, 403, 403, 403),
    "GET /unlock/<token>": _p(404, 404, 404, 404, 404),
    "POST /unlock/<token>": _p(404, 404, 404, 404, 404),
    "POST /webhooks/sendgrid": _p(503, 503, 503, 503, 503),
    "GET /your-staff-survey": _p(403, 403, 200, 403, 200),
}


def test_the_partnership_table_has_a_row_for_every_route(app):
    routes = {f"GET {rule}" for rule in get_rules(app)} | {f"POST {rule}" for rule in post_rules(app)}
    assert sorted(routes - set(ANOTHER_PARTNERSHIPS_PERSON)) == [], "a route without a row in the partnership table"
    assert sorted(set(ANOTHER_PARTNERSHIPS_PERSON) - routes) == [], "a row for a route that is gone"


def test_another_partnerships_people_get_what_the_partnership_table_says(app, browser, world, ids, session,
                                                                          sqlite_only_engine):
    both = two_partnerships(world, ids, session, sqlite_only_engine)
    wrong = []
    for role, person in camden_people(both.camden, session).items():
        signed_in(browser, person)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.client.get("/").text).group(1)
        for route, expected in sorted(ANOTHER_PARTNERSHIPS_PERSON.items(), key=lambda row: row[0] == "POST /sign-out"):
            method, rule = route.split(" ", 1)
            path = fill(rule, both.hackney)
            if method == "GET":
                response = browser.client.get(path)
            else:
                response = browser.client.post(path, data={"csrf_token": token})
            response.close()
            if response.status_code != expected[role]:
                wrong.append(f"{role}: {method} {path}: {response.status_code}, expected {expected[role]}")
    assert not wrong, "\n".join(wrong)
