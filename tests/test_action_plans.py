"""Action plans, on SQLite and PostgreSQL: a lead person is e-mailed when named on an action, and
when an action they lead changes; before the action-plan review date agencies are asked to update
their actions, and the review lists them overdue and stale first."""

from datetime import date, timedelta

from freezegun import freeze_time
from sqlmodel import Session, select

from models import Action, OutboxMessage
from tests.factories import act, answer_everything, launch_cycle, questions_of
from workflow.answering import actions, returns
from workflow.calendar import plan_review
from workflow.clock import today
from workflow.review import qa

LEE = "lee.lead@example.org"


def _mail(session) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind.in_(["action_assigned", "action_changed"])))
    return [(row.kind, row.to_email) for row in rows.all()]


def test_the_lead_person_is_told_when_named_and_when_their_action_changes(engine, session, partnership):
    p = partnership
    _cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    question = questions_of(session, p["template"])[0]
    action = act(engine, returns.add_action, p["agency_user"], launched[0].id, question.id,
                 description="Publish the policy", lead_user_id=None, target_date=None)
    assert _mail(session) == []
    act(engine, returns.edit_action, p["agency_user"], action.id, description="Publish the policy",
        lead_user_id=p["lead"].id, target_date=today() + timedelta(days=30))
    assert _mail(session) == [("action_assigned", LEE)]
    act(engine, returns.edit_action, p["agency_user"], action.id, description="Publish the policy",
        lead_user_id=p["lead"].id, target_date=today() + timedelta(days=30))
    assert _mail(session) == [("action_assigned", LEE)]  # nothing changed: nobody told again
    act(engine, returns.edit_action, p["agency_user"], action.id, description="Publish and train on the policy",
        lead_user_id=p["lead"].id, target_date=today() + timedelta(days=60))
    assert _mail(session) == [("action_assigned", LEE), ("action_changed", LEE)]
    body = session.exec(select(OutboxMessage.text_body).where(OutboxMessage.kind == "action_changed")).one()
    assert "Publish and train on the policy" in body


def test_before_the_review_date_agencies_are_asked_to_update_and_the_review_lists_overdue_first(
    engine, session, partnership
):
    p = partnership
    opens = date(2027, 1, 4)
    with freeze_time(opens) as clock:
        cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"], opens_on=opens)
        ret = launched[0]
        answer_everything(engine, p["agency_user"], ret.id, questions_of(session, p["template"]), rating="partly_met",
                          lead=p["lead"])
        act(engine, returns.submit, p["agency_user"], ret.id, declaration_confirmed=True)
        act(engine, qa.release_without_qa, p["coordinator"], ret.id)
        done = session.exec(select(Action).where(Action.return_id == ret.id).order_by(Action.id)).first()
        act(engine, actions.update_progress, p["lead"], done.id, note="Published", trigger="complete")

        review_on = cycle.action_plan_review
        for day, expected in ((review_on - timedelta(days=15), 0), (review_on - timedelta(days=14), 1),
                              (review_on - timedelta(days=13), 0)):
            clock.move_to(day)
            with Session(engine) as job:
                assert plan_review.queue_plan_review_requests(job, day) == expected, day
                job.commit()
        assert _kinds(session, "action_plan_review_due") == [("action_plan_review_due", "alex.agency@example.org")]

        view = plan_review.plan_review(session, cycle.id, on=review_on)
        assert view.lines[0].overdue and view.lines[0].stale  # no update since the plan went live
        assert view.lines[-1].action_id == done.id and not view.lines[-1].overdue


def _kinds(session, kind: str) -> list[tuple[str, str]]:
    session.expire_all()
    return [(m.kind, m.to_email) for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind))]
