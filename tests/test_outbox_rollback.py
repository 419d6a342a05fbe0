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


def test_many_messages_are_queued_once_each_and_counted_as_new_only_once(engine):
    letters = [
        ("invitation", f"lead{i}@police.example.org", f"Lead {i}", {**CONTEXT, "return_id": None}, None, f"many:{i}")
        for i in range(3)
    ]
    with Session(engine) as session:
        assert outbox.queue_once_many(session, letters[:2]) == 2
        session.commit()
    with Session(engine) as session:
        # The first two are there already; a key twice in one batch is written once.
        assert outbox.queue_once_many(session, [*letters, letters[2]]) == 1
        session.commit()
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.dedupe_key)).all()
    assert [(m.dedupe_key, m.to_email, m.to_name, m.status, m.attempts) for m in rows] == [
        (f"many:{i}", f"lead{i}@police.example.org", f"Lead {i}", "pending", 0) for i in range(3)
    ]
    assert rows[0].context == {**CONTEXT, "return_id": None}
    assert "2026-27" in rows[0].subject and "Lead 0" in rows[0].text_body and "Lead 0" in rows[0].html_body


def test_a_message_too_long_for_its_column_is_refused_not_cut_short(engine):
    long_name = "N" * 201  # to_name holds 200
    with Session(engine) as session:
        letter = ("invitation", "lead@police.example.org", long_name, CONTEXT, None, "many:long")
        try:
            outbox.queue_once_many(session, [letter])
        except Exception:  # noqa: BLE001 (PostgreSQL refuses; SQLite keeps text of any length)
            session.rollback()
        else:
            session.commit()
    with Session(engine) as session:
        kept = session.exec(select(OutboxMessage.to_name)).all()
    assert kept in ([], [long_name])
