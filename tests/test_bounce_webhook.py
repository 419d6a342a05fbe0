"""SendGrid's Event Webhook, end to end on SQLite and PostgreSQL: a message goes out through the
SendGrid fake, SendGrid reports it bounced (twice, as it does), and the coordinators see the
address to fix; a batch with a bad signature is refused and records nothing."""

import json
from datetime import timedelta

import pytest
from flask import Flask
from flask_wtf import CSRFProtect
from sqlmodel import Session, func, select

from models import DeliveryEvent, OutboxMessage
from notifications.backends import SendGridBackend
from notifications.outbox_worker import DeliverySettings, deliver_pending
from tests.fakes.sendgrid_api import FakeSendGrid, WebhookSigner
from web import create_app, webhooks
from web.common import db as web_db
from workflow.mail import bounces, outbox

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


def a_sent_invitation(engine) -> OutboxMessage:
    """One invitation, sent through the SendGrid fake, so it carries SendGrid's X-Message-Id."""
    with Session(engine) as session:
        outbox.queue(session, kind="invitation", to_email="head@nursery.example", to_name="Nadia Head",
                     context={"return_id": 1, "cycle_name": "Section 11 audit 2026-27",
                              "agency_name": "Little Acorns Nursery", "deadline": "15 February 2027"})
        session.commit()
    with FakeSendGrid() as fake:
        backend = SendGridBackend(fake.api_key, "section11@partnership.example", "Partnership", host=fake.host, timeout=2)
        deliver_pending(engine, backend, DeliverySettings(first_retry_after=timedelta(seconds=1)))
    with Session(engine) as session:
        return session.exec(select(OutboxMessage)).one()


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
