"""QA reviews what agencies submit: a return still being written, and its evidence, are the agency's own.

The rule is one function in the engine (`workflow.access.qa_may_see`), used by every read of a
return, so the pages, the downloads and the printable PDF all follow it.
"""

from sqlmodel import select

from models import EvidenceFile
from tests.factories import act
from tests.web import return_world
from tests.web.return_world import World, pdf, signed_in, submitted
from workflow.review import qa

world = return_world.world


def _pages(w: World, file_id: int) -> list[str]:
    return [
        f"/returns/{w.ret.id}",
        f"/returns/{w.ret.id}/standards/{w.questions[0].standard_id}",
        f"/returns/{w.ret.id}/history",
        f"/qa/returns/{w.ret.id}",
        f"/evidence/{file_id}",
    ]


def _answers(browser, paths: list[str]) -> dict[str, int]:
    answers = {}
    for path in paths:
        response = browser.client.get(path)
        response.close()
        answers[path] = response.status_code
    return answers


def _evidence_uploaded_while_writing(browser, w: World, session) -> int:
    question = w.questions[0]
    signed_in(browser, w.agency_user).submit(
        f"/returns/{w.ret.id}/standards/{question.standard_id}",
        {f"q{question.id}-rating": "fully_met", f"q{question.id}-narrative": "Draft", f"q{question.id}-file": pdf()},
    )
    browser.sign_out()
    return session.exec(select(EvidenceFile)).one().id


def test_qa_cannot_see_or_download_from_a_return_still_being_written(browser, world: World, session):
    file_id = _evidence_uploaded_while_writing(browser, world, session)

    signed_in(browser, world.qa)
    answers = _answers(browser, _pages(world, file_id))

    assert answers == {path: 404 for path in _pages(world, file_id)}
    assert "Hackney Health Trust" not in browser.client.get("/qa").text


def test_the_coordinator_sees_a_return_being_written(browser, world: World, session):
    file_id = _evidence_uploaded_while_writing(browser, world, session)

    signed_in(browser, world.p.coordinator)

    assert _answers(browser, _pages(world, file_id)[:3] + [f"/evidence/{file_id}"]) == {
        path: 200 for path in _pages(world, file_id)[:3] + [f"/evidence/{file_id}"]
    }


def test_qa_sees_the_return_once_submitted_and_still_after_sending_it_back(browser, world: World, session, sqlite_only_engine):
    file_id = _evidence_uploaded_while_writing(browser, world, session)
    submitted(world, sqlite_only_engine)
    signed_in(browser, world.qa)

    assert _answers(browser, _pages(world, file_id)) == {path: 200 for path in _pages(world, file_id)}

    act(sqlite_only_engine, qa.return_for_amendment, world.qa, world.ret.id, reason="Say more about training")
    assert _answers(browser, _pages(world, file_id)[:3]) == {path: 200 for path in _pages(world, file_id)[:3]}
