"""Colleagues saving the same return at once, on SQLite and PostgreSQL: nobody's confirmed answer
is lost, a change to something someone else saved meanwhile is refused with both versions shown,
and nobody sees an error page."""

import html
import re
import threading

import pytest
from sqlmodel import Session, select

from models import Answer, HistoryRecord
from models.user import Role
from tests.web import return_world
from tests.web.conftest import Browser, add_person
from tests.web.return_world import World, signed_in

pytestmark = pytest.mark.minutes  # started before the short modules (tests/conftest.py)

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


@pytest.fixture
def sqlite_only_engine(engine):
    """These journeys run on both databases: the web fixtures take the parametrised engine."""
    return engine


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_RADIO = re.compile(
    r'<input[^>]*name="([^"]+)"[^>]*type="radio"[^>]*value="([^"]*)"[^>]*checked|'
    r'<input[^>]*type="radio"[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*checked'
)


def form_state(page_html: str) -> dict[str, str]:
    """What the browser would post back from a page as shown: hidden fields, text areas, chosen radios."""
    state = {name: html.unescape(value) for name, value in _HIDDEN.findall(page_html) if name != "csrf_token"}
    state.update({name: html.unescape(text).lstrip("\n") for name, text in _TEXTAREA.findall(page_html)})
    for match in _RADIO.finditer(page_html):
        name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        state[name] = html.unescape(value)
    return state


def _path(w: World, index: int = 0) -> str:
    return f"/returns/{w.ret.id}/standards/{w.standards[index].id}"


def _answer(session: Session, w: World, question_id: int) -> Answer | None:
    session.expire_all()
    return session.exec(select(Answer).where(Answer.return_id == w.ret.id, Answer.question_id == question_id)).first()


def test_two_colleagues_saving_one_standard_keep_both_answers(app, world, session, browser, another_browser):
    w = world
    bea = add_person(session, name="Bea Colleague", roles={Role.AGENCY_USER}, agency=w.p.health)
    q1, q2, *_ = [q for q in w.questions if q.standard_id == w.standards[0].id]
    signed_in(browser, w.agency_user)
    signed_in(another_browser, bea)
    alex_page = form_state(browser.open(_path(w)).text)
    bea_page = form_state(another_browser.open(_path(w)).text)
    assert alex_page[f"q{q1.id}-seen"] and alex_page == bea_page

    # Alex answers 1.1; Bea, whose page still shows 1.1 blank, answers only 1.2.
    browser.submit(_path(w), {**alex_page, f"q{q1.id}-rating": "fully_met", f"q{q1.id}-narrative": "Alex's words"})
    assert "is saved" in browser.text
    another_browser.submit(_path(w), {**bea_page, f"q{q2.id}-rating": "partly_met", f"q{q2.id}-narrative": "Bea's words"})
    assert "is saved" in another_browser.text

    assert (_answer(session, w, q1.id).rating, _answer(session, w, q1.id).narrative) == ("fully_met", "Alex's words")
    assert (_answer(session, w, q2.id).rating, _answer(session, w, q2.id).narrative) == ("partly_met", "Bea's words")
    answered = session.exec(
        select(HistoryRecord.actor_name, HistoryRecord.details).where(
            HistoryRecord.return_id == w.ret.id, HistoryRecord.trigger == "answer"
        )
    ).all()
    assert [(name, details["question"]) for name, details in answered] == [("Alex Agency", q1.ref), ("Bea Colleague", q2.ref)]
    # The return's history says it in words.
    browser.open(f"/returns/{w.ret.id}/history")
    assert (
        f"Change an answer Question {q1.ref}: changed rating and narrative; rating now Fully met (was not answered)."
        in browser.text
    )
    assert (
        f"Bea Colleague Change an answer Question {q2.ref}: changed rating and narrative; rating now Partly met" in browser.text
    )


def test_changing_an_answer_a_colleague_saved_meanwhile_is_refused_with_both_versions(
    app, world, session, browser, another_browser
):
    w = world
    bea = add_person(session, name="Bea Colleague", roles={Role.AGENCY_USER}, agency=w.p.health)
    q1, q2, *_ = [q for q in w.questions if q.standard_id == w.standards[0].id]
    signed_in(browser, w.agency_user)
    signed_in(another_browser, bea)
    alex_page = form_state(browser.open(_path(w)).text)
    bea_page = form_state(another_browser.open(_path(w)).text)
    browser.submit(_path(w), {**alex_page, f"q{q1.id}-rating": "fully_met", f"q{q1.id}-narrative": "Alex's words"})

    another_browser.submit(
        _path(w),
        {
            **bea_page,
            f"q{q1.id}-rating": "partly_met",
            f"q{q1.id}-narrative": "Bea's words for 1.1",
            f"q{q2.id}-rating": "not_met",
            f"q{q2.id}-narrative": "Bea's words for 1.2",
        },
        expect=409,
    )
    said = another_browser.text
    assert f"Question {q1.ref}: Alex Agency saved a change to its answer after you opened this page" in said
    assert "Saved by Alex Agency (their version)" in said and "Alex's words" in said and "Fully met" in said
    assert "Bea's words for 1.1" in said  # what she typed is still in the fields
    # 1.1 kept Alex's answer; 1.2, which nobody else touched, was saved.
    assert _answer(session, w, q1.id).narrative == "Alex's words"
    assert _answer(session, w, q2.id).narrative == "Bea's words for 1.2"

    # Having seen both, Bea saves again from the page she was given: now hers is kept, knowingly.
    another_browser.submit(_path(w), form_state(another_browser.page.text))
    assert "is saved" in another_browser.text
    assert (_answer(session, w, q1.id).rating, _answer(session, w, q1.id).narrative) == ("partly_met", "Bea's words for 1.1")


def test_changing_an_action_a_colleague_changed_meanwhile_is_refused(app, world, session, browser, another_browser, engine):
    from datetime import timedelta

    from tests.factories import act
    from workflow.answering import returns
    from workflow.clock import today

    w = world
    bea = add_person(session, name="Bea Colleague", roles={Role.AGENCY_USER}, agency=w.p.health)
    q1 = next(q for q in w.questions if q.standard_id == w.standards[0].id)
    act(engine, returns.save_answer, w.agency_user, w.ret.id, q1.id, rating="partly_met", narrative="Half")
    action = act(
        engine,
        returns.add_action,
        w.agency_user,
        w.ret.id,
        q1.id,
        description="Train the board",
        lead_user_id=w.lead.id,
        target_date=today() + timedelta(days=60),
    )
    signed_in(browser, w.agency_user)
    signed_in(another_browser, bea)
    alex_page = form_state(browser.open(_path(w)).text)
    bea_page = form_state(another_browser.open(_path(w)).text)
    browser.submit(_path(w), {**alex_page, f"a{action.id}-description": "Train the whole board", **_date(action, alex_page)})
    assert "is saved" in browser.text
    another_browser.submit(
        _path(w), {**bea_page, f"a{action.id}-description": "Train two board members", **_date(action, bea_page)}, expect=409
    )
    assert f"Question {q1.ref}: Alex Agency saved a change to one of its actions" in another_browser.text
    assert "Train the whole board" in another_browser.text and "Train two board members" in another_browser.text
    session.expire_all()
    assert session.get(type(action), action.id).description == "Train the whole board"


def _date(action, page: dict[str, str]) -> dict[str, list[str]]:
    """The date boxes as the page showed them (three inputs sharing one name)."""
    day = action.target_date
    return {
        f"a{action.id}-target_date": [str(day.day), str(day.month), str(day.year)],
        f"a{action.id}-lead_user_id": str(action.lead_user_id),
    }


SAVERS = 50


def test_fifty_colleagues_saving_one_return_at_once_lose_no_confirmed_answer(app, world, session):
    w = world
    people = [add_person(session, name=f"Colleague {i:02d}", roles={Role.AGENCY_USER}, agency=w.p.health) for i in range(SAVERS)]
    questions = w.questions
    by_standard = {s.id: i for i, s in enumerate(w.standards)}
    savers = []
    for i, person in enumerate(people):
        question = questions[i % len(questions)]
        browser = signed_in(Browser(app.test_client()), person)
        path = _path(w, by_standard[question.standard_id])
        shown = form_state(browser.open(path).text)  # every page is opened before anyone saves
        savers.append((browser, path, question, shown, f"Words of colleague {i:02d}"))

    outcomes: list[tuple[int, int, str]] = [(0, 0, "")] * SAVERS
    start = threading.Barrier(SAVERS)

    def save(index: int) -> None:
        browser, path, question, shown, words = savers[index]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', browser.client.get(path).text).group(1)
        start.wait()
        data = {**shown, "csrf_token": token, f"q{question.id}-rating": "fully_met", f"q{question.id}-narrative": words}
        response = browser.client.post(path, data=data, follow_redirects=True)
        outcomes[index] = (response.status_code, question.id, response.text)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(SAVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    statuses = [status for status, _, _ in outcomes]
    assert all(status in (200, 409, 422) for status in statuses), statuses  # never an error page
    confirmed: dict[int, list[str]] = {}
    for index, (status, question_id, text) in enumerate(outcomes):
        if status == 200 and "is saved" in text:
            confirmed.setdefault(question_id, []).append(savers[index][4])
        else:
            assert "was not saved" in text or "Nothing you did was saved" in text
    lost = [
        (question_id, words)
        for question_id, said in confirmed.items()
        for words in said
        if _answer(session, w, question_id).narrative != words
    ]
    assert lost == []
    # Every page showed the same blank answers, so each question is saved by exactly one person.
    assert sorted(confirmed) == sorted(q.id for q in questions)
    assert all(len(said) == 1 for said in confirmed.values())


class _Busy(Exception):
    """What the driver says when the database is busy (SQLite) or a deadlock was broken (PostgreSQL)."""

    sqlstate = "40P01"


def test_a_deadlock_is_retried_once_and_then_told_as_someone_elses_change_never_an_error_page(app):
    from sqlalchemy.exc import OperationalError

    from web.common.db import commit_or_show_errors

    attempts: list[int] = []

    def deadlocks(times: int):
        def operation(_session):
            attempts.append(1)
            if len(attempts) <= times:
                raise OperationalError("UPDATE audit_return ...", {}, _Busy("deadlock detected"))
            return "saved"

        return operation

    with app.test_request_context():
        answer = commit_or_show_errors(deadlocks(1), then=lambda result: result, otherwise=lambda reasons: reasons)
        assert answer == "saved" and len(attempts) == 2  # run once more from the start, and it worked
        attempts.clear()
        answer = commit_or_show_errors(deadlocks(2), then=lambda result: result, otherwise=lambda reasons: reasons)
        assert len(attempts) == 2  # once more only
        assert answer == [
            "This return was changed by someone else while you were working on it. "
            "Nothing you did was saved: reload the page to see the latest version and try again."
        ]
