"""The outbox worker sending to the local fake SendGrid (tests/fakes), beside a bare loop of the
same client sending the same bodies: e-mails per second, and each message sent exactly once."""

import time

from sqlalchemy import Engine, func, insert
from sqlmodel import Session, select

from bench.measure import Figure
from models import OutboxMessage
from models.outbox import OutboxState
from notifications.backends import EmailMessage, SendGridBackend
from notifications.outbox_worker import deliver_pending
from tests.fakes.sendgrid_api import FakeSendGrid


def measure(engine: Engine, *, messages: int) -> list[Figure]:
    with FakeSendGrid() as fake:
        backend = SendGridBackend(fake.api_key, "s11@example.org", "Section 11 audit", host=fake.host)
        _queue(engine, messages)
        started = time.perf_counter()
        deliver_pending(engine, backend)
        ours = time.perf_counter() - started
        sent_once = _sent_once(engine, fake, messages)
        bodies = [
            EmailMessage(
                to_email=f"floor{i}@example.org",
                to_name="Floor",
                subject="Subject",
                text_body="Body " * 40,
                html_body="<p>Body</p>" * 40,
                message_id=str(i),
            )
            for i in range(messages)
        ]
        started = time.perf_counter()
        for body in bodies:
            backend.send(body)
        floor = time.perf_counter() - started
    rate, floor_rate = messages / ours, messages / floor
    return [
        Figure(
            f"outbox, {messages} e-mails (ms each)",
            ours * 1000 / messages,
            floor * 1000 / messages,
            None,
            ">= 200 e-mails/s",
            rate >= 200,
            "",
        ),
        Figure(
            f"  outbox rate {rate:.0f}/s (bare client {floor_rate:.0f}/s)",
            None,
            None,
            None,
            "each sent once",
            sent_once,
            f"{rate:.0f}/s",
        ),
    ]


def _queue(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": "invitation",
                    "to_email": f"person{i}@example.org",
                    "to_name": "Person",
                    "subject": "Subject",
                    "text_body": "Body " * 40,
                    "html_body": "<p>Body</p>" * 40,
                    "context": {},
                }
                for i in range(count)
            ],
        )
        session.commit()


def _sent_once(engine: Engine, fake: FakeSendGrid, count: int) -> bool:
    with Session(engine) as session:
        sent = session.exec(select(func.count()).where(OutboxMessage.status == OutboxState.SENT)).one()
    traced = [body["headers"]["X-S11-Message-Id"] for body in fake.delivered]
    return sent == count and len(traced) == count and len(set(traced)) == count
