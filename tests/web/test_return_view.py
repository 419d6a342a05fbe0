"""The pages' predicates agree with the operations: a button is offered exactly when the move would
be allowed, and the reasons shown before pressing it are the ones the move gives."""

from sqlmodel import Session

from models import AuditReturn
from tests.factories import act, answer_everything
from tests.web import return_world
from tests.web.return_world import World, submitted
from workflow.answering import content, return_view, returns
from workflow.errors import DomainError
from workflow.review import qa, statement_view, statements

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _submit_reasons(engine, user, return_id: int) -> list[str]:
    """What `returns.submit` says, without keeping anything it did."""
    with Session(engine) as session:
        try:
            returns.submit(session, user, return_id, declaration_confirmed=True)
        except DomainError as refused:
            return refused.reasons
        finally:
            session.rollback()
    return []


def _predicted(engine, user, return_id: int) -> list[str]:
    with Session(engine) as session:
        return return_view.submit_refusals(session, user, content.load(session, session.get(AuditReturn, return_id)))


def test_submit_refusals_are_the_reasons_submit_gives(world: World, sqlite_only_engine):
    w = world
    people = [w.agency_user, w.p.coordinator, w.qa, w.lead, w.executive, w.youth_user]
    for person in people:  # invited, nothing answered
        assert _predicted(sqlite_only_engine, person, w.ret.id) == _submit_reasons(sqlite_only_engine, person, w.ret.id)
    act(sqlite_only_engine, returns.save_answer, w.agency_user, w.ret.id, w.questions[0].id, rating="fully_met")
    for person in people:  # in progress, incomplete
        assert _predicted(sqlite_only_engine, person, w.ret.id) == _submit_reasons(sqlite_only_engine, person, w.ret.id)
    answer_everything(sqlite_only_engine, w.agency_user, w.ret.id, w.questions)
    assert _predicted(sqlite_only_engine, w.agency_user, w.ret.id) == [] == _submit_reasons(
        sqlite_only_engine, w.agency_user, w.ret.id
    )


def test_editing_is_offered_exactly_when_an_answer_would_be_saved(world: World, sqlite_only_engine):
    w = world
    question = w.questions[0]

    def agrees(person) -> None:
        with Session(sqlite_only_engine) as session:
            offered = return_view.editing_refusal(session, person, session.get(AuditReturn, w.ret.id)) is None
            try:
                returns.save_answer(session, person, w.ret.id, question.id, rating="fully_met")
                saved = True
            except DomainError:
                saved = False
            session.rollback()
        assert offered == saved, person.name

    for person in (w.agency_user, w.p.coordinator, w.qa, w.lead, w.executive, w.youth_user):
        agrees(person)
    submitted(w, sqlite_only_engine)
    agrees(w.agency_user)


def test_qa_moves_are_offered_to_qa_only_while_the_return_is_in_qa(world: World, sqlite_only_engine):
    w = world
    with Session(sqlite_only_engine) as session:
        ret = session.get(AuditReturn, w.ret.id)
        assert not return_view.may_move(session, w.qa, ret, "accept")  # invited
    submitted(w, sqlite_only_engine)
    with Session(sqlite_only_engine) as session:
        ret = session.get(AuditReturn, w.ret.id)
        assert return_view.may_move(session, w.qa, ret, "accept")
        assert return_view.may_moderate(session, w.qa, ret)
        assert not return_view.may_move(session, w.agency_user, ret, "accept")
        assert not return_view.may_moderate(session, w.p.coordinator, ret)
        assert not statement_view.may_sign(session, w.executive, ret)
    act(sqlite_only_engine, qa.accept, w.qa, w.ret.id)
    with Session(sqlite_only_engine) as session:
        ret = session.get(AuditReturn, w.ret.id)
        assert not return_view.may_move(session, w.qa, ret, "accept")
        assert statement_view.may_sign(session, w.executive, ret)
        assert not statement_view.may_choose_peer_review(session, w.executive, ret)
        assert not statement_view.may_sign(session, w.agency_user, ret)
    act(sqlite_only_engine, statements.sign, w.executive, w.ret.id, signed_name=w.executive.name, declaration_confirmed=True)
