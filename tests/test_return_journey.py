"""A whole year through the engine, on SQLite and PostgreSQL: launch, answer, refuse, fix, submit,
challenge, request evidence, provide it, accept, complete the actions, sign."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import Action, AuditReturn, HistoryRecord, OutboxMessage
from models.audit_return import ReturnState
from tests.factories import act, answer_everything, launch_cycle, questions_of
from workflow.answering import actions, returns
from workflow.clock import today
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.review import qa, statements


def _return_of(session, cycle, agency) -> AuditReturn:
    session.expire_all()
    return session.exec(select(AuditReturn).where(AuditReturn.cycle_id == cycle.id, AuditReturn.agency_id == agency.id)).one()


def test_a_year_of_the_audit_from_launch_to_signed_statement(engine, session, partnership):
    p = partnership
    cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    assert len(launched) == 2
    invitations = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
    assert {m.to_email for m in invitations} == {"alex.agency@example.org", "yusuf.youth@example.org"}

    ret = _return_of(session, cycle, p["health"])
    assert ret.status == ReturnState.INVITED
    questions = questions_of(session, p["template"])
    first, second, *rest = questions

    # The agency starts: the first saved answer moves the return to in progress.
    act(engine, returns.save_answer, p["agency_user"], ret.id, first.id, rating="fully_met", narrative="Named lead in post")
    assert _return_of(session, cycle, p["health"]).status == ReturnState.IN_PROGRESS

    # Submitting too early is refused with every reason listed.
    act(engine, returns.save_answer, p["agency_user"], ret.id, second.id, rating="partly_met")
    with pytest.raises(DomainError) as refused:
        act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=False)
    reasons = refused.value.reasons
    assert f"Question {first.ref} is rated Fully met but has no evidence: upload a file or describe the evidence." in reasons
    assert f"Question {second.ref} is rated Partly met but has no action in the plan." in reasons
    assert f"Question {rest[0].ref} is not answered." in reasons
    assert "Confirm the declaration that you are submitting on behalf of the organisation." in reasons
    assert _return_of(session, cycle, p["health"]).status == ReturnState.IN_PROGRESS

    # The agency fixes every problem and submits.
    act(
        engine,
        returns.save_answer,
        p["agency_user"],
        ret.id,
        first.id,
        rating="fully_met",
        narrative="Named lead in post",
        evidence_description="Job description of the named lead",
    )
    action = act(
        engine,
        returns.add_action,
        p["agency_user"],
        ret.id,
        second.id,
        description="Train all managers",
        lead_user_id=p["lead"].id,
        target_date=today() + timedelta(days=60),
    )
    answer_everything(engine, p["agency_user"], ret.id, rest)
    act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    ret = _return_of(session, cycle, p["health"])
    assert ret.status == ReturnState.SUBMITTED
    assert ret.submitted_by_id == p["agency_user"].id

    # QA challenges, asks for evidence; the agency answers and provides it; QA accepts.
    challenge = act(
        engine, qa.raise_challenge, p["qa"], ret.id, text="How do you know managers apply the policy?", question_id=second.id
    )
    assert _return_of(session, cycle, p["health"]).status == ReturnState.UNDER_QA_CHALLENGE
    request = act(
        engine,
        qa.request_evidence,
        p["qa"],
        ret.id,
        description="The training register for 2026",
        due_date=today() + timedelta(days=14),
        question_id=second.id,
    )
    assert _return_of(session, cycle, p["health"]).status == ReturnState.EVIDENCE_REQUESTED
    with pytest.raises(DomainError, match="You cannot accept the return because the return is evidence requested."):
        act(engine, qa.accept, p["qa"], ret.id)
    act(engine, qa.answer_challenge, p["agency_user"], challenge.id, response="Supervision audits each quarter.")
    act(engine, qa.provide_evidence, p["agency_user"], request.id, response="Register attached: 94% trained.")
    assert _return_of(session, cycle, p["health"]).status == ReturnState.UNDER_QA_CHALLENGE
    act(engine, qa.moderate, p["qa"], ret.id, second.id, rating="not_met")
    act(engine, qa.accept, p["qa"], ret.id, note="Assurance given.")
    assert _return_of(session, cycle, p["health"]).status == ReturnState.ACTION_PLAN_OPEN

    # The lead person completes their action; the executive signs.
    act(engine, actions.update_progress, p["lead"], action.id, note="Half the managers trained", trigger="begin")
    act(engine, actions.update_progress, p["lead"], action.id, note="All managers trained", trigger="complete")
    session.expire_all()
    assert session.get(Action, action.id).status == "completed"
    act(engine, statements.sign, p["executive"], ret.id, signed_name="Erin Executive", declaration_confirmed=True)
    assert _return_of(session, cycle, p["health"]).status == ReturnState.COMPLIANCE_STATEMENT_SIGNED

    # The history reads back in order, complete, and is intact.
    moves = [
        (r.trigger, r.from_state, r.to_state)
        for r in history.for_return(session, ret.id)
        if r.subject_type == "return" and r.to_state
    ]
    assert moves == [
        ("launch", "", "invited"),
        ("start", "invited", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("challenge", "submitted", "under_qa_challenge"),
        ("request_evidence", "under_qa_challenge", "evidence_requested"),
        ("evidence_provided", "evidence_requested", "under_qa_challenge"),
        ("accept", "under_qa_challenge", "action_plan_open"),
        ("sign_statement", "action_plan_open", "compliance_statement_signed"),
    ]
    count, problems = history.verify(session)
    assert problems == [] and count > 10
    kinds = {m.kind for m in session.exec(select(OutboxMessage).where(OutboxMessage.return_id == ret.id))}
    assert {
        "invitation",
        "submission_receipt",
        "challenge_raised",
        "evidence_requested",
        "evidence_provided",
        "challenge_answered",
        "action_plan_open",
        "statement_signed",
    } <= kinds


def test_every_role_is_refused_a_move_that_is_not_theirs(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    ret = _return_of(session, cycle, p["health"])
    answer_everything(engine, p["agency_user"], ret.id, questions_of(session, p["template"]))
    for person in ("coordinator", "lead", "executive"):
        with pytest.raises(DomainError, match="Only an agency user can submit the return"):
            act(engine, returns.submit, p[person], ret.id, declaration_confirmed=True)
    with pytest.raises(NotFound):  # QA does not even see a return before it is submitted
        act(engine, returns.submit, p["qa"], ret.id, declaration_confirmed=True)
    act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    for person in ("coordinator", "agency_user", "lead", "executive"):
        with pytest.raises(DomainError, match="Only a QA reviewer can raise a challenge"):
            act(engine, qa.raise_challenge, p[person], ret.id, text="Why?")
    for person in ("qa", "agency_user", "executive"):
        with pytest.raises(DomainError, match="withdraw the return"):
            act(engine, qa.withdraw, p[person], ret.id, reason="Closed")
    with pytest.raises(DomainError, match="Only an executive can sign the statement of compliance"):
        act(engine, statements.sign, p["coordinator"], ret.id, signed_name="Cora Ordinator", declaration_confirmed=True)


def test_an_agency_never_sees_another_agencys_return(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    health_return = _return_of(session, cycle, p["health"])
    question = questions_of(session, p["template"])[0]
    with pytest.raises(DomainError, match="There is no such return"):
        act(engine, returns.save_answer, p["youth_user"], health_return.id, question.id, rating="fully_met")


def test_non_statutory_agency_is_not_asked_statutory_only_questions(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["youth"]], template=p["template"])
    ret = _return_of(session, cycle, p["youth"])
    non_statutory = questions_of(session, p["template"], statutory=False)
    assert len(non_statutory) < len(questions_of(session, p["template"]))
    answer_everything(engine, p["youth_user"], ret.id, non_statutory)
    act(engine, returns.submit, p["youth_user"], ret.id, declaration_confirmed=True)
    assert _return_of(session, cycle, p["youth"]).status == ReturnState.SUBMITTED


def test_return_for_amendment_and_withdraw_need_a_reason_and_say_so(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    ret = _return_of(session, cycle, p["health"])
    answer_everything(engine, p["agency_user"], ret.id, questions_of(session, p["template"]))
    act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    with pytest.raises(DomainError, match="Say why the return is sent back"):
        act(engine, qa.return_for_amendment, p["qa"], ret.id, reason=" ")
    act(engine, qa.return_for_amendment, p["qa"], ret.id, reason="Evidence for 2.1 is last year's")
    assert _return_of(session, cycle, p["health"]).status == ReturnState.IN_PROGRESS
    with pytest.raises(DomainError, match="Say why the return is withdrawn"):
        act(engine, qa.withdraw, p["coordinator"], ret.id, reason="")
    act(engine, qa.withdraw, p["coordinator"], ret.id, reason="Agency merged into another trust")
    assert _return_of(session, cycle, p["health"]).status == ReturnState.WITHDRAWN
    with pytest.raises(DomainError, match="You cannot submit the return because the return is withdrawn."):
        act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    last = session.exec(select(HistoryRecord).where(HistoryRecord.return_id == ret.id).order_by(HistoryRecord.id.desc())).first()
    assert (last.trigger, last.reason, last.actor_name) == ("withdraw", "Agency merged into another trust", "Cora Ordinator")


def test_a_refused_move_saves_nothing_and_sends_nothing(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    ret = _return_of(session, cycle, p["health"])
    answer_everything(engine, p["agency_user"], ret.id, questions_of(session, p["template"]))
    act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    before = (session.exec(select(HistoryRecord)).all(), session.exec(select(OutboxMessage)).all())
    with pytest.raises(DomainError, match="Write the challenge"):
        act(engine, qa.raise_challenge, p["qa"], ret.id, text="   ")
    session.expire_all()
    after = (session.exec(select(HistoryRecord)).all(), session.exec(select(OutboxMessage)).all())
    assert [len(x) for x in after] == [len(x) for x in before]
    assert qa.selection_of(session, ret.id) is None


def test_a_coordinator_extends_one_agencys_deadline_with_a_reason(engine, session, partnership):
    from workflow.answering.content import effective_deadline
    from workflow.calendar import deadlines

    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    ret = _return_of(session, cycle, p["health"])
    with pytest.raises(DomainError) as refused:
        act(engine, deadlines.extend_deadline, p["coordinator"], ret.id, new_deadline=cycle.submission_deadline, reason="")
    assert refused.value.reasons == [
        f"The new deadline must be after the current one ({cycle.submission_deadline.day} {cycle.submission_deadline:%B %Y}).",
        "Give the reason for the extension.",
    ]
    with pytest.raises(DomainError, match="Only a coordinator can extend a deadline"):
        act(
            engine,
            deadlines.extend_deadline,
            p["agency_user"],
            ret.id,
            new_deadline=cycle.submission_deadline + timedelta(days=7),
            reason="Please",
        )
    later = cycle.submission_deadline + timedelta(days=14)
    act(engine, deadlines.extend_deadline, p["coordinator"], ret.id, new_deadline=later, reason="Merger with another trust")
    assert effective_deadline(session, ret) == later
    assert effective_deadline(session, _return_of(session, cycle, p["youth"])) == cycle.submission_deadline
    told = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "deadline_extended")).one()
    assert told.to_email == "alex.agency@example.org" and "Merger with another trust" in told.text_body


def test_answers_cannot_change_once_submitted(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    ret = _return_of(session, cycle, p["health"])
    questions = questions_of(session, p["template"])
    answer_everything(engine, p["agency_user"], ret.id, questions)
    act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
    with pytest.raises(DomainError, match="You cannot change the answers because the return is submitted."):
        act(engine, returns.save_answer, p["agency_user"], ret.id, questions[0].id, rating="not_met")
