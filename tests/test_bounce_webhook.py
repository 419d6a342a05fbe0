"""SendGrid's Event Webhook, end to end on SQLite and PostgreSQL: a message goes out through the
SendGrid fake, SendGrid reports it bounced (twice, as it does), and the coordinators see the
address to fix; a batch with a bad signature is refused and records nothing."""

import json
from datetime import timedelta

import pytest
from flask import Flask
from flask_wtf import CSRFProtect
from sqlalchemy import update
from sqlmodel import Session, func, select

from models import DeliveryEvent, OutboxMessage
from models.types import utcnow
from notifications.backends import SendGridBackend
from notifications.outbox_worker import DeliverySettings, claim_batch, deliver_pending
from tests.fakes.sendgrid_api import FakeSendGrid, WebhookSigner
from web import create_app, webhooks
from web.common import db as web_db
from workflow.mail import bounces, delivery, outbox

URL = "/webhooks/sendgrid"


@pytest.fixture
def signer() -> WebhookSigner:
    return WebhookSigner()


@pytest.fixture
def client(database_url, signer):
    """The blueprint in a small app with CSRF protection on, wired as create_app wires it."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", DATABASE_URL=database_url, SENDGRID_WEBHOOK_PUBLIC_KEY=signer.public_key)
    web_db.init_app(app)
    csrf = CSRFProtect(app)
    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.sendgrid_events)
    yield app.test_client()
    app.extensions[web_db.ENGINE_KEY].dispose()


def post(client, signer: WebhookSigner, events: list[dict], *, signed_by: WebhookSigner | None = None):
    payload = json.dumps(events).encode()
    headers = (signed_by or signer).headers(payload)
    return client.post(URL, data=payload, headers={**headers, "Content-Type": "application/json"})


SETTINGS = DeliverySettings(first_retry_after=timedelta(seconds=1))


def queue_an_invitation(engine) -> None:
    with Session(engine) as session:
        outbox.queue(session, kind="invitation", to_email="head@nursery.example", to_name="Nadia Head",
                     context={"return_id": 1, "cycle_name": "Section 11 audit 2026-27",
                              "agency_name": "Little Acorns Nursery", "deadline": "15 February 2027"})
        session.commit()


def sendgrid(fake: FakeSendGrid) -> SendGridBackend:
    return SendGridBackend(fake.api_key, "section11@partnership.example", "Partnership", host=fake.host, timeout=2)


def a_sent_invitation(engine) -> OutboxMessage:
    """One invitation, sent through the SendGrid fake, so it carries SendGrid's X-Message-Id."""
    queue_an_invitation(engine)
    with FakeSendGrid() as fake:
        deliver_pending(engine, sendgrid(fake), SETTINGS)
    with Session(engine) as session:
        return session.exec(select(OutboxMessage)).one()


def an_invitation_sent_twice(engine, fake: FakeSendGrid) -> OutboxMessage:
    """A worker claims the invitation, hands it to SendGrid and is killed before recording that;
    once its lease runs out the next run sends it again (Mail Send has no idempotency key)."""
    queue_an_invitation(engine)
    [claim] = claim_batch(engine, SETTINGS, due_by=utcnow())
    sendgrid(fake).send(claim.email)  # ... and the worker dies here
    with Session(engine) as session:
        session.exec(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    deliver_pending(engine, sendgrid(fake), SETTINGS)
    with Session(engine) as session:
        return session.exec(select(OutboxMessage)).one()


def events_sendgrid_reports(fake: FakeSendGrid, *, first_event: str = "evt") -> list[dict]:
    """What SendGrid's Event Webhook says about each accepted copy: processed, then delivered, each
    with the copy's own sg_message_id and the copy's custom_args as top-level fields."""
    batch = []
    accepted = [r for r in fake.requests if r.status == 202]
    for number, request in enumerate(accepted):
        [personalization] = request.json()["personalizations"]
        echoed = personalization.get("custom_args", {})
        sg_message_id = f"{request.message_id}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-{number}.0"
        for offset, kind in enumerate(("processed", "delivered")):
            batch.append(event(f"{first_event}-{number}-{kind}", kind, sg_message_id=sg_message_id,
                               timestamp=1_800_000_000 + 60 * number + offset, **echoed))
    return batch


def event(sg_event_id: str, kind: str, *, email: str = "head@nursery.example", timestamp: int = 1_800_000_000, **extra) -> dict:
    return {"sg_event_id": sg_event_id, "event": kind, "email": email, "timestamp": timestamp, **extra}


def test_a_bounce_reported_twice_is_recorded_once_and_shows_the_contact_to_fix(engine, session, client, signer):
    sent = a_sent_invitation(engine)
    sg_message_id = f"{sent.provider_message_id}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0"
    batch = [
        event("evt-processed", "processed", sg_message_id=sg_message_id),
        event("evt-bounce", "bounce", sg_message_id=sg_message_id, timestamp=1_800_000_060,
              reason="550 5.1.1 The email account that you tried to reach does not exist", type="bounce"),
        event("evt-bounce", "bounce", sg_message_id=sg_message_id, timestamp=1_800_000_060,
              reason="550 5.1.1 The email account that you tried to reach does not exist", type="bounce"),
        event("evt-open", "open", sg_message_id=sg_message_id),  # tracking, not delivery: not kept
    ]

    first = post(client, signer, batch)
    again = post(client, signer, batch)  # SendGrid retries a batch it thinks failed

    assert first.status_code == 200 and first.json == {"recorded": 2, "duplicates": 1, "ignored": 1}
    assert again.status_code == 200 and again.json == {"recorded": 0, "duplicates": 3, "ignored": 1}
    assert session.exec(select(func.count()).select_from(DeliveryEvent)).one() == 2
    [contact] = bounces.bounced_contacts(session)
    assert contact.email == "head@nursery.example" and contact.event == "bounce"
    assert contact.reason.startswith("550 5.1.1")
    assert contact.outbox_message_id == sent.id  # found through SendGrid's sg_message_id
    assert contact.at.timestamp() == 1_800_000_060


def test_a_later_delivery_to_the_same_address_clears_a_bounce(engine, session, client, signer):
    post(client, signer, [
        event("e1", "dropped", email="gone@clinic.example", reason="Bounced Address", timestamp=1_800_000_000),
        event("e2", "bounce", email="Head@Nursery.example", reason="550 unknown recipient", timestamp=1_800_000_000),
    ])
    assert [c.email for c in bounces.bounced_contacts(session)] == ["gone@clinic.example", "Head@Nursery.example"]

    post(client, signer, [event("e3", "delivered", email="head@nursery.example", timestamp=1_800_000_500)])

    assert [c.email for c in bounces.bounced_contacts(session)] == ["gone@clinic.example"]


def test_a_batch_with_a_bad_or_missing_signature_is_refused_and_records_nothing(session, client, signer):
    forged = post(client, signer, [event("evt-1", "bounce")], signed_by=WebhookSigner())
    unsigned = client.post(URL, data=json.dumps([event("evt-1", "bounce")]), content_type="application/json")
    payload = json.dumps([event("evt-1", "delivered")]).encode()
    tampered = client.post(URL, data=payload.replace(b"delivered", b"bounce"), headers=signer.headers(payload))

    assert (forged.status_code, unsigned.status_code, tampered.status_code) == (403, 403, 403)
    assert session.exec(select(func.count()).select_from(DeliveryEvent)).one() == 0


def test_a_signed_batch_that_is_not_a_list_of_events_is_a_bad_request(client, signer):
    payload = json.dumps({"event": "bounce"}).encode()
    answer = client.post(URL, data=payload, headers=signer.headers(payload))
    assert answer.status_code == 400
    assert "JSON array" in answer.json["error"]


def test_without_a_verification_key_the_webhook_asks_sendgrid_to_retry_later(database_url, signer):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "S11_HTTPS": False, "SECRET_KEY": "test"})
    payload = json.dumps([event("evt-1", "bounce")]).encode()
    answer = app.test_client().post(URL, data=payload, headers=signer.headers(payload))
    assert answer.status_code == 503  # and SendGrid keeps the batch for 24 hours
    app.extensions[web_db.ENGINE_KEY].dispose()


def test_the_real_app_takes_sendgrids_post_without_a_csrf_token(database_url, session, signer):
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "S11_HTTPS": False, "SECRET_KEY": "test",
                      "SENDGRID_WEBHOOK_PUBLIC_KEY": signer.public_key})
    answer = post(app.test_client(), signer, [event("evt-1", "delivered")])
    assert answer.status_code == 200 and answer.json["recorded"] == 1
    app.extensions[web_db.ENGINE_KEY].dispose()


def test_an_email_sendgrid_took_twice_is_recorded_as_a_duplicate_of_its_outbox_row(engine, session, client, signer):
    with FakeSendGrid() as fake:
        sent = an_invitation_sent_twice(engine, fake)
        batch = events_sendgrid_reports(fake)

    assert sent.status == "sent" and len(fake.delivered) == 2
    assert {body["personalizations"][0]["custom_args"]["outbox_id"] for body in fake.delivered} == {str(sent.id)}
    answer = post(client, signer, batch)
    assert answer.json == {"recorded": 4, "duplicates": 0, "ignored": 0}
    # Every event is tied to the row, the lost copy's too (its X-Message-Id was never stored).
    tied = session.exec(select(DeliveryEvent.outbox_message_id)).all()
    assert tied == [sent.id] * 4
    [duplicate] = delivery.duplicate_sends(session)
    assert (duplicate.outbox_message_id, duplicate.copies) == (sent.id, 2)
    assert (duplicate.to_email, duplicate.to_name, duplicate.subject) == ("head@nursery.example", "Nadia Head", sent.subject)
    assert (duplicate.first_at.timestamp(), duplicate.last_at.timestamp()) == (1_800_000_000, 1_800_000_061)

    post(client, signer, batch)  # SendGrid repeating the batch is not a third copy
    [again] = delivery.duplicate_sends(session)
    assert again.copies == 2


def test_one_copy_reported_as_processed_then_delivered_is_not_a_duplicate(engine, session, client, signer):
    with FakeSendGrid() as fake:
        queue_an_invitation(engine)
        deliver_pending(engine, sendgrid(fake), SETTINGS)
        batch = events_sendgrid_reports(fake)
    post(client, signer, batch)
    post(client, signer, [{**e, "sg_event_id": e["sg_event_id"] + "-retried"} for e in batch])

    assert session.exec(select(func.count()).select_from(DeliveryEvent)).one() == 4
    assert delivery.duplicate_sends(session) == []


def test_an_outbox_id_echoed_for_another_address_is_not_tied_to_our_row(engine, session, client, signer):
    sent = a_sent_invitation(engine)
    batch = [
        event(f"evt-{n}", "delivered", email="someone@elsewhere.example", sg_message_id=f"other-{n}.filter0.0",
              outbox_id=str(sent.id))
        for n in range(2)
    ]  # e.g. another installation sharing the SendGrid account, whose row 1 is someone else's
    post(client, signer, batch)

    assert session.exec(select(DeliveryEvent.outbox_message_id)).all() == [None, None]
    assert delivery.duplicate_sends(session) == []
