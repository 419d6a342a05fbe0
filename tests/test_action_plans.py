"""Action plans, on SQLite and PostgreSQL: a lead person is e-mailed when named on an action, and
when an action they lead changes; not when nothing they care about changed."""

from datetime import timedelta

from sqlmodel import select

from models import OutboxMessage
from tests.factories import act, launch_cycle, questions_of
from workflow.answering import returns
from workflow.clock import today

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
