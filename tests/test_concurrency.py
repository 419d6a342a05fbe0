"""Two people moving the same return at once: exactly one wins, the other is told, nothing is half saved."""

import threading

import pytest
from sqlmodel import Session, select

from models import Agency, AuditReturn, Challenge, HistoryRecord, User
from models.audit_return import ReturnState
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from workflow.answering import returns
from workflow.errors import ConcurrentChange, DomainError
from workflow.review import qa


@pytest.fixture
def submitted_return(engine, session):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session)
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    ret = launched[0]
    answer_everything(engine, agency_user, ret.id, questions_of(session, template))
    act(engine, returns.submit, agency_user, ret.id, declaration_confirmed=True)
    return {"return": ret, "coordinator": coordinator, "reviewer": reviewer}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_connections_moving_the_same_return_at_once_on_postgresql(engine, session, submitted_return):
    """QA accepts while the coordinator withdraws: both read the return, both try to move it."""
    ret_id = submitted_return["return"].id
    first, second = Session(engine, expire_on_commit=False), Session(engine, expire_on_commit=False)
    try:
        # Both people have the submitted return open.
        assert first.get(AuditReturn, ret_id).status == ReturnState.SUBMITTED
        assert second.get(AuditReturn, ret_id).status == ReturnState.SUBMITTED
        qa.accept(first, submitted_return["reviewer"], ret_id)
        outcome: dict[str, object] = {}

        def withdraw_in_second_connection() -> None:
            try:
                qa.withdraw(second, submitted_return["coordinator"], ret_id, reason="Invited by mistake")
                second.commit()
                outcome["second"] = "moved"
            except ConcurrentChange as error:
                second.rollback()
                outcome["second"] = error

        # The second UPDATE waits on the first transaction's row lock, then finds the version gone.
        racer = threading.Thread(target=withdraw_in_second_connection)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second connection should be waiting for the first to finish"
        first.commit()
        racer.join(timeout=30)
    finally:
        first.close()
        second.close()

    assert isinstance(outcome["second"], ConcurrentChange)
    assert "This return was changed by someone else" in str(outcome["second"])
    session.expire_all()
    assert session.get(AuditReturn, ret_id).status == ReturnState.ACTION_PLAN_OPEN
    triggers = session.exec(select(HistoryRecord.trigger).where(HistoryRecord.return_id == ret_id)).all()
    assert "accept" in triggers and "withdraw" not in triggers


def test_a_stale_page_cannot_move_a_return_someone_else_moved(engine, session, submitted_return):
    """The same race on either database, interleaved by hand: the later commit loses cleanly."""
    ret_id = submitted_return["return"].id
    with Session(engine) as slow:
        opened = slow.get(AuditReturn, ret_id)  # the coordinator opened the page a while ago
        act(engine, qa.accept, submitted_return["reviewer"], ret_id)
        with pytest.raises(ConcurrentChange):
            qa.withdraw(slow, submitted_return["coordinator"], ret_id, reason="Invited by mistake")
        slow.rollback()
        assert opened.id == ret_id
    session.expire_all()
    assert session.get(AuditReturn, ret_id).status == ReturnState.ACTION_PLAN_OPEN



def test_a_colleague_answering_a_challenge_already_answered_is_told_who_and_what(engine, session, submitted_return):
    """Two agency users answer the same challenge from pages opened at once: the second is told
    who answered first and what they said, and nothing of the second answer is saved."""
    ret_id = submitted_return["return"].id
    alex = session.exec(select(User).where(User.name == "Alex Agency")).one()
    bea = add_person(session, name="Bea Colleague", roles={Role.AGENCY_USER}, agency=session.get(Agency, alex.agency_id))
    challenge = act(engine, qa.raise_challenge, submitted_return["reviewer"], ret_id, text="How do you know?")
    with Session(engine, expire_on_commit=False) as slow:
        slow.get(Challenge, challenge.id)  # Bea opened the page while the challenge was open
        act(engine, qa.answer_challenge, alex, challenge.id, response="We audit every quarter.")
        with pytest.raises(DomainError) as refused:
            qa.answer_challenge(slow, bea, challenge.id, response="Supervision records.")
        slow.rollback()
    assert refused.value.reasons == [
        "Alex Agency answered this challenge after you opened this page, so your answer was not saved "
        "(it is still below). Their answer: “We audit every quarter.”"
    ]
    session.expire_all()
    assert session.get(Challenge, challenge.id).response == "We audit every quarter."
