"""The outbox worker against a fake of SendGrid's API on loopback, on SQLite and PostgreSQL:
delivered, retried through an outage with nothing lost, refused and retried by a coordinator,
taken over from a dead worker, and nothing at all for a change that was rolled back."""

import time
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import Session, select

from models import OutboxMessage
from models.outbox import OutboxState
from models.types import utcnow
from models.user import Role
from notifications import outbox_worker
from notifications.backends import SendGridBackend
from notifications.outbox_worker import (
    DeliveryReport,
    DeliverySettings,
    claim_batch,
    deliver_one,
    deliver_pending,
    renew_lease,
)
from tests.factories import act, add_agency, add_person, install_template, launch_cycle
from tests.fakes.sendgrid_api import UNVERIFIED_SENDER, FakeSendGrid
from workflow.errors import DomainError, NotPermitted
from workflow.mail import delivery, outbox
from workflow.review import qa

# Small numbers so an outage of several answers passes in well under a second.
QUICK = DeliverySettings(
    batch_size=5,
    max_attempts=8,
    first_retry_after=timedelta(milliseconds=20),
    longest_retry_after=timedelta(milliseconds=100),
    lease=timedelta(seconds=30),
)


@pytest.fixture
def fake():
    with FakeSendGrid(hang_seconds=0.6, retry_after=0) as running:
        yield running


def sendgrid(fake: FakeSendGrid) -> SendGridBackend:
    return SendGridBackend(fake.api_key, "section11@partnership.example", "Northshire Partnership", host=fake.host, timeout=0.3)


def queue_invitations(engine, count: int) -> list[int]:
    """`count` invitations, queued the way operations queue them."""
    with Session(engine) as session:
        messages = [
            outbox.queue(
                session, kind="invitation", to_email=f"contact{n}@agency{n}.example.org", to_name=f"Contact {n}",
                context={"return_id": n, "cycle_name": "Section 11 audit 2026-27", "agency_name": f"Agency {n}",
                         "deadline": "15 February 2027"},
            )
            for n in range(count)
        ]
        session.commit()
        return [m.id for m in messages]


def rows(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def traced_ids(fake: FakeSendGrid) -> list[int]:
    """Our outbox ids of the bodies the fake accepted, in order, repeats included."""
    return [int(body["headers"]["X-S11-Message-Id"]) for body in fake.delivered]


def drain(engine, backend, settings: DeliverySettings = QUICK, within: float = 15.0) -> None:
    """Run the worker as the scheduler does, until nothing is left to send."""
    give_up = time.monotonic() + within
    while any(r.status in (OutboxState.PENDING, OutboxState.SENDING) for r in rows(engine)):
        assert time.monotonic() < give_up, "the outbox did not drain"
        deliver_pending(engine, backend, settings)
        time.sleep(0.02)


def test_queued_messages_are_delivered_once_and_marked_sent(engine, fake):
    ids = queue_invitations(engine, 3)

    report = deliver_pending(engine, sendgrid(fake), QUICK)

    assert sorted(report.sent) == ids
    assert traced_ids(fake) == ids
    assert fake.validation_errors == []
    sent = rows(engine)
    assert {r.status for r in sent} == {OutboxState.SENT}
    assert [r.provider_message_id for r in sent] == [request.message_id for request in fake.requests]
    assert all(r.attempts == 1 and r.sent_at is not None and r.claim_token == "" for r in sent)
    # A second run finds nothing to send.
    assert deliver_pending(engine, sendgrid(fake), QUICK) == DeliveryReport()
    assert len(fake.requests) == 3


def test_an_outage_then_recovery_loses_nothing_and_repeats_only_what_timed_out(engine, fake):
    ids = queue_invitations(engine, 12)
    # SendGrid fails, limits us, hangs past our timeout (and then accepts anyway), fails again.
    fake.script(["server_error", "server_error", "rate_limit", "hang", "server_error", "rate_limit"])

    drain(engine, sendgrid(fake))

    assert {r.status for r in rows(engine)} == {OutboxState.SENT}
    assert sorted(set(traced_ids(fake))) == ids  # every message arrived
    time.sleep(fake.hang_seconds)  # the hung request ends "accepted", after we gave up on it
    statuses = [request.status for request in fake.requests]
    assert statuses.count(500) == 3 and statuses.count(429) == 2
    hangs = 1
    assert len(fake.delivered) - len(ids) <= hangs  # a timeout may deliver twice; nothing else does
    retried = [r for r in rows(engine) if r.attempts > 1]
    assert retried and all("SendGrid" in r.last_error for r in retried)


def test_after_an_error_the_rest_of_the_batch_waits_untried(engine, fake):
    ids = queue_invitations(engine, 4)
    fake.script(["server_error"])
    slow = DeliverySettings(batch_size=10, first_retry_after=timedelta(minutes=1))

    report = deliver_pending(engine, sendgrid(fake), slow)

    assert report.retrying == [ids[0]] and report.sent == []
    assert len(fake.requests) == 1  # one failure was enough to stop hammering SendGrid
    waiting = rows(engine)
    assert {r.status for r in waiting} == {OutboxState.PENDING}
    assert [r.attempts for r in waiting] == [1, 0, 0, 0]
    assert all(r.next_attempt_at > utcnow() + timedelta(seconds=50) for r in waiting)


def test_sendgrids_retry_after_is_respected(engine):
    with FakeSendGrid(retry_after=120) as limited:
        [message_id] = queue_invitations(engine, 1)
        limited.script(["rate_limit"])
        before = utcnow()
        deliver_pending(engine, sendgrid(limited), QUICK)
        [row] = rows(engine)
        assert row.status == OutboxState.PENDING
        assert row.next_attempt_at >= before + timedelta(seconds=119)
        assert "429" in row.last_error
        # Nothing is sent again before then.
        assert deliver_pending(engine, sendgrid(limited), QUICK) == DeliveryReport()
        assert len(limited.requests) == 1


def test_a_message_that_keeps_failing_gives_up_after_the_last_attempt(engine, fake):
    [message_id] = queue_invitations(engine, 1)
    fake.mode = "server_error"

    drain(engine, sendgrid(fake), DeliverySettings(max_attempts=3, first_retry_after=timedelta(milliseconds=10)))

    [row] = rows(engine)
    assert row.status == OutboxState.FAILED and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts: SendGrid answered 500")
    assert len(fake.requests) == 3


def test_a_refused_message_fails_and_a_coordinator_sends_it_again(engine, session, fake):
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency = add_agency(session)
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    [message_id] = queue_invitations(engine, 1)
    fake.mode = "bad_request"  # "The from address does not match a verified Sender Identity."

    deliver_pending(engine, sendgrid(fake), QUICK)

    [row] = rows(engine)
    assert row.status == OutboxState.FAILED and row.attempts == 1
    assert UNVERIFIED_SENDER in row.last_error
    assert [m.id for m in delivery.failed_messages(session)] == [message_id]

    # The sender is verified; an agency user may not resend, a coordinator may.
    fake.mode = "accept"
    with pytest.raises(NotPermitted):
        act(engine, delivery.retry_failed, agency_user, message_id)
    act(engine, delivery.retry_failed, coordinator, message_id)
    with pytest.raises(DomainError, match="Only an e-mail that failed can be sent again"):
        act(engine, delivery.retry_failed, coordinator, message_id)
    deliver_pending(engine, sendgrid(fake), QUICK)

    [row] = rows(engine)
    assert row.status == OutboxState.SENT
    assert traced_ids(fake) == [message_id]
    session.expire_all()
    assert delivery.failed_messages(session) == []


def test_a_message_left_sending_by_a_stalled_worker_is_sent_once_by_another_after_the_lease(engine, fake):
    [message_id] = queue_invitations(engine, 1)
    lease = DeliverySettings().lease
    with freeze_time(utcnow() + timedelta(seconds=1)) as clock:
        [stuck] = claim_batch(engine, DeliverySettings(), due_by=utcnow())  # claimed, then the worker stalled

        assert deliver_pending(engine, sendgrid(fake)) == DeliveryReport()  # still leased to the stalled one
        clock.tick(lease + timedelta(seconds=1))
        assert deliver_pending(engine, sendgrid(fake)).sent == [message_id]

        # The worker was only stuck, and wakes up: its claim was taken over, so it sends nothing.
        late = DeliveryReport()
        deliver_one(engine, sendgrid(fake), stuck, DeliverySettings(), late)
    assert late == DeliveryReport()
    [row] = rows(engine)
    assert row.status == OutboxState.SENT and row.attempts == 2
    assert row.provider_message_id == fake.requests[0].message_id
    assert traced_ids(fake) == [message_id]


def test_nothing_is_sent_for_a_change_that_was_rolled_back(engine, session, fake):
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency = add_agency(session, name="Hackney Youth Club")
    template = install_template(session)
    cycle, [ret] = launch_cycle(engine, coordinator, [agency], template=template)
    deliver_pending(engine, sendgrid(fake), QUICK)  # the invitation
    delivered_before = len(fake.delivered)

    def withdraw_then_fail(s: Session, actor, return_id: int) -> None:
        qa.withdraw(s, actor, return_id, reason="The club has closed")  # queues "withdrawn"
        raise RuntimeError("the request failed after the e-mail was queued")

    with pytest.raises(RuntimeError):
        act(engine, withdraw_then_fail, coordinator, ret.id)

    assert [r.kind for r in rows(engine)] == ["invitation"]
    assert deliver_pending(engine, sendgrid(fake), QUICK) == DeliveryReport()
    assert len(fake.delivered) == delivered_before


class SlowSendGrid:
    """The real backend, each send taking a while (a slow provider, a big attachment)."""

    def __init__(self, backend: SendGridBackend, seconds: float) -> None:
        self.backend, self.seconds = backend, seconds

    def send(self, message):
        time.sleep(self.seconds)
        return self.backend.send(message)


def test_a_worker_sending_a_long_batch_keeps_renewing_its_short_lease_and_sends_each_once(engine, fake, monkeypatch):
    ids = queue_invitations(engine, 3)
    renewals: list[int] = []
    renew = outbox_worker.renew_lease

    def counted(engine_, claims, settings):
        held = renew(engine_, claims, settings)
        renewals.append(len(held))
        return held

    monkeypatch.setattr(outbox_worker, "renew_lease", counted)
    settings = DeliverySettings(batch_size=5, lease=timedelta(seconds=0.6))

    report = deliver_pending(engine, SlowSendGrid(sendgrid(fake), 0.25), settings)

    assert report.sent == ids
    assert renewals == [2, 1]  # before the second and the third send, each time for the rows still to send
    assert traced_ids(fake) == ids
    assert all(row.status == OutboxState.SENT for row in rows(engine))


def test_a_dead_workers_batch_waits_at_most_a_minute():
    assert DeliverySettings().lease <= timedelta(minutes=1)


def test_a_renewed_lease_is_refused_to_a_worker_whose_rows_were_taken_over(engine, fake):
    [message_id] = queue_invitations(engine, 1)
    lease = DeliverySettings().lease
    with freeze_time(utcnow() + timedelta(seconds=1)) as clock:
        [stuck] = claim_batch(engine, DeliverySettings(), due_by=utcnow())
        clock.tick(lease + timedelta(seconds=1))
        assert deliver_pending(engine, sendgrid(fake)).sent == [message_id]

        assert renew_lease(engine, [stuck], DeliverySettings()) == set()
