"""The coordinator sees which e-mails failed and which addresses bounce, and sends a failed one again."""

from sqlmodel import select

from models import OutboxMessage
from models.bounce import DeliveryEvent
from models.outbox import OutboxState
from models.types import utcnow
from models.user import Role
from tests.web.conftest import add_person


def failed_email_and_bounce(session) -> OutboxMessage:
    message = OutboxMessage(
        kind="invitation", to_email="typo@police.example.og", to_name="Pat Police", subject="Your return is open",
        text_body="...", status=OutboxState.FAILED.value, attempts=1, last_error="400: The to address is not valid",
    )
    session.add(message)
    session.add(DeliveryEvent(sg_event_id="evt-1", event="bounce", email="old@scouts.example.org",
                              reason="550 mailbox unavailable", at=utcnow()))
    session.commit()
    return message


def test_a_coordinator_sees_failures_and_bounces_and_sends_a_failed_email_again(browser, partnership, session):
    message = failed_email_and_bounce(session)
    browser.sign_in("cora.ordinator@example.org")
    browser.open("/email-delivery")
    assert "typo@police.example.og" in browser.text and "400: The to address is not valid" in browser.text
    assert "old@scouts.example.org" in browser.text and "Bounce: 550 mailbox unavailable" in browser.text

    browser.submit(f"/email-delivery/{message.id}/retry", form_page="/email-delivery")
    assert "will be sent again in a moment" in browser.text
    session.expire_all()
    assert session.exec(select(OutboxMessage.status).where(OutboxMessage.id == message.id)).one() == OutboxState.PENDING

    browser.submit(f"/email-delivery/{message.id}/retry", form_page="/email-delivery")
    assert "Only an e-mail that failed can be sent again; this one is pending." in browser.text


def test_only_coordinators_see_email_delivery(browser, partnership, session):
    add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    browser.open("/email-delivery")
    assert "Sign in" in browser.text
    browser.sign_in("quinn.reviewer@example.org")
    browser.open("/email-delivery", expect=403)
    browser.sign_out()
    browser.sign_in("alex.agency@example.org")
    browser.open("/email-delivery", expect=403)
