"""An e-mail is queued in the same transaction as its change: roll the change back and no e-mail remains."""

from sqlmodel import Session, select

from models import OutboxMessage
from workflow.mail import outbox

CONTEXT = {
    "return_id": 1, "cycle_name": "Section 11 audit 2026-27", "agency_name": "Riverside Police", "deadline": "1 March 2027"
}


def test_a_reminder_queued_first_in_a_rolled_back_transaction_is_not_kept(engine):
    with Session(engine) as session:
        queued = outbox.queue(session, kind="invitation", to_email="lead@police.example.org", to_name="Sam", context=CONTEXT,
                              dedupe_key="reminder:1:2027-03-01:7")
        assert queued is not None
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_the_same_reminder_is_queued_once_however_often_it_is_asked_for(engine):
    for _ in range(3):
        with Session(engine) as session:
            outbox.queue(session, kind="invitation", to_email="lead@police.example.org", to_name="Sam", context=CONTEXT,
                         dedupe_key="reminder:1:2027-03-01:7")
            session.commit()
    with Session(engine) as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 1
