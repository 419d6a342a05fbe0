"""Who gets what, for every page of a return: a table of routes by role, checked for each person.

200 the page; 302 to sign in (anonymous); 403 a role that has no business there; 404 another
agency's return, action or file (its existence is not even confirmed).
"""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from models import Action, Agency
from models.user import Role
from tests.factories import act, add_agency
from tests.web import return_world
from tests.web.conftest import add_person
from tests.web.return_world import PDF, World, signed_in, submitted
from workflow.answering.evidence_files import check_upload
from workflow.answering.evidence_storage import FolderStore
from workflow.answering.uploads import Upload, store_and_record
from workflow.clock import today
from workflow.review import qa

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
    w = world
    submitted(w, sqlite_only_engine)
    question = w.questions[0]
    challenge = act(sqlite_only_engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?")
    request = act(sqlite_only_engine, qa.request_evidence, w.qa, w.ret.id, description="Minutes",
                  due_date=today() + timedelta(days=10))
    store = FolderStore(app.config["EVIDENCE_DIR"])
    upload = Upload("policy.pdf", PDF, question.id)
    checked = [(upload, check_upload("policy.pdf", PDF))]
    [record] = act(sqlite_only_engine, store_and_record, w.agency_user, w.ret.id, store, checked)
    action = session.exec(select(Action).where(Action.return_id == w.ret.id)).first()
    return {"ret": w.ret.id, "standard": question.standard_id, "question": question.id, "challenge": challenge.id,
            "request": request.id, "action": action.id, "file": record.id}


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
