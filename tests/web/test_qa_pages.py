"""The QA sub-group's pages: the queue, reading a return, and every QA move with its refusals."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Answer, AuditReturn, Challenge, OutboxMessage
from models.audit_return import ReturnState
from tests.factories import act, answer_everything
from tests.web import return_world
from tests.web.return_world import World, date_fields, signed_in, submitted
from workflow.answering import returns
from workflow.clock import today
from workflow.review import qa

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


@pytest.fixture
def reviewer(browser, world, sqlite_only_engine):
    submitted(world, sqlite_only_engine)
    return signed_in(browser, world.qa)


def _status(session, w: World) -> str:
    session.expire_all()
    return session.get(AuditReturn, w.ret.id).status


def _review(w: World) -> str:
    return f"/qa/returns/{w.ret.id}"


def test_the_queue_lists_returns_waiting_for_qa_with_picked_ones_first(reviewer, world, sqlite_only_engine):
    w = world
    youth_questions = [q for q in w.questions if not q.statutory_only]
    answer_everything(sqlite_only_engine, w.youth_user, w.youth_ret.id, youth_questions)
    act(sqlite_only_engine, returns.submit, w.youth_user, w.youth_ret.id, declaration_confirmed=True)
    act(sqlite_only_engine, qa.pick_by_hand, w.qa, w.youth_ret.id, reason="New safeguarding lead this year")

    reviewer.open("/qa")
    text = reviewer.text
    assert text.index("Hackney Youth Club") < text.index("Hackney Health Trust")
    assert "Yes: New safeguarding lead this year" in text


def test_qa_reads_the_return_and_raises_a_challenge_on_an_element(reviewer, world, session):
    w = world
    question = w.questions[0]
    reviewer.open(_review(w))
    assert "Partly met" in reviewer.text and "Half done" in reviewer.text
    assert "Train the board" in reviewer.text

    reviewer.submit(f"{_review(w)}/challenge", {"challenge-question_id": str(question.id), "challenge-text": ""},
                    form_page=_review(w), expect=422)
    assert "Write the challenge: what the agency needs to explain." in reviewer.text
    assert f'<option value="{question.id}" selected' in reviewer.page.text  # the choice is kept
    assert _status(session, w) == ReturnState.SUBMITTED

    reviewer.submit(f"{_review(w)}/challenge", {"challenge-question_id": str(question.id),
                                                "challenge-text": "Who trains the board, and when?"}, form_page=_review(w))
    assert "The challenge was sent to the agency." in reviewer.text
    assert "Who trains the board, and when?" in reviewer.text
    assert _status(session, w) == ReturnState.UNDER_QA_CHALLENGE
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "challenge_raised")).all()


def test_qa_requests_evidence_by_a_real_future_date(reviewer, world, session):
    w = world
    reviewer.submit(f"{_review(w)}/request-evidence", {"evidence-question_id": "", "evidence-description": "Training register",
                                                       "evidence-due_date": ["30", "2", "2030"]},
                    form_page=_review(w), expect=422)
    assert "The due date must be a real date" in reviewer.text
    assert "Training register" in reviewer.text

    reviewer.submit(f"{_review(w)}/request-evidence", {"evidence-question_id": "", "evidence-description": "Training register",
                                                       **date_fields("evidence-due_date", today())},
                    form_page=_review(w), expect=422)
    assert "The due date must be in the future." in reviewer.text

    reviewer.submit(f"{_review(w)}/request-evidence", {"evidence-question_id": "", "evidence-description": "Training register",
                                                       **date_fields("evidence-due_date", today() + timedelta(days=14))},
                    form_page=_review(w))
    assert "The evidence request was sent to the agency." in reviewer.text
    assert _status(session, w) == ReturnState.EVIDENCE_REQUESTED
    # Accepting waits for the evidence, and the page says so instead of the button vanishing.
    reviewer.open(_review(w))
    assert "You can accept the return once the agency has provided the evidence requested" in reviewer.text


def test_qa_records_a_moderated_rating_beside_the_agencys(reviewer, world, session):
    w = world
    question = w.questions[0]
    reviewer.submit(f"{_review(w)}/questions/{question.id}/moderate", {f"m{question.id}-rating": "not_met"}, form_page=_review(w))
    assert "The moderated rating is recorded." in reviewer.text
    session.expire_all()
    answer = session.exec(select(Answer).where(Answer.return_id == w.ret.id, Answer.question_id == question.id)).one()
    assert (answer.rating, answer.moderated_rating) == ("partly_met", "not_met")


def test_accept_waits_for_every_challenge_to_be_answered(reviewer, world, session, sqlite_only_engine, another_browser):
    w = world
    challenge = act(sqlite_only_engine, qa.raise_challenge, w.qa, w.ret.id, text="Why?")
    reviewer.submit(f"{_review(w)}/accept", {"accept-note": "All good"}, form_page=_review(w), expect=422)
    assert "has not been answered yet." in reviewer.text
    assert "All good" in reviewer.text
    assert _status(session, w) == ReturnState.UNDER_QA_CHALLENGE

    act(sqlite_only_engine, qa.answer_challenge, w.agency_user, challenge.id, response="Because.")
    reviewer.submit(f"{_review(w)}/accept", {"accept-note": "All good"}, form_page=_review(w))
    assert "The return is accepted: its action plan is now live." in reviewer.text
    assert _status(session, w) == ReturnState.ACTION_PLAN_OPEN
    assert session.get(Challenge, challenge.id).status == "closed"
    # QA's moves are no longer offered on an accepted return.
    reviewer.open(_review(w))
    assert "Raise the challenge" not in reviewer.text and "Accept the return" not in reviewer.text
    # Nor is submitting offered to the agency once QA has accepted.
    agency = signed_in(another_browser, w.agency_user)
    agency.open(f"/returns/{w.ret.id}")
    assert "Submit the return" not in agency.text and "See all the answers" in agency.text


def test_return_for_amendment_needs_a_reason(reviewer, world, session):
    w = world
    reviewer.submit(f"{_review(w)}/return-for-amendment", {"amend-reason": ""}, form_page=_review(w), expect=422)
    assert "Say why the return is sent back and what the agency must change." in reviewer.text
    reviewer.submit(f"{_review(w)}/return-for-amendment", {"amend-reason": "Add evidence for 2.1"}, form_page=_review(w))
    assert "The return was sent back to the agency for amendment." in reviewer.text
    assert _status(session, w) == ReturnState.IN_PROGRESS


def test_qa_sees_what_changed_since_the_last_submission(reviewer, world, sqlite_only_engine):
    w = world
    reviewer.open(_review(w))
    assert "What changed since the last submission" not in reviewer.text  # the first submission
    act(sqlite_only_engine, qa.return_for_amendment, w.qa, w.ret.id, reason="Say more about the board")
    first = w.questions[0]
    act(
        sqlite_only_engine, returns.save_answer, w.agency_user, w.ret.id, first.id,
        rating="partly_met", narrative="The board now hears a report every March",
    )
    act(sqlite_only_engine, returns.submit, w.agency_user, w.ret.id, declaration_confirmed=True)
    reviewer.open(_review(w))
    assert "What changed since the last submission" in reviewer.text
    assert f"Question {first.ref} Narrative changed" in reviewer.text
    assert f"Question {w.questions[1].ref} Rating changed" not in reviewer.text
