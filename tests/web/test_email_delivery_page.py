"""The coordinator sees which e-mails failed and which addresses bounce, and sends a failed one again."""

from datetime import UTC, datetime

from sqlmodel import select

from models import OutboxMessage
from models.bounce import DeliveryEvent
from models.outbox import OutboxState
from models.types import utcnow
from models.user import Role
from tests import factories
from tests.web.conftest import add_person


def failed_email_and_bounce(session) -> OutboxMessage:
    """An invitation to a person whose address was mistyped, and a bounce from an agency contact's
    address (each belongs to the partnership through that person or agency)."""
    factories.add_person(session, name="Pat Police", roles={Role.QA_REVIEWER}, email="typo@police.example.og")
    factories.add_agency(session, name="Hackney Scouts", sector="Voluntary", statutory=False,
                         contact_email="old@scouts.example.org")
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


def an_email_sent_twice(session) -> OutboxMessage:
    """An invitation SendGrid took twice: each copy processed and delivered under its own id."""
    factories.add_person(session, name="Priya Shah", roles={Role.QA_REVIEWER}, email="dsl@school.example")
    message = OutboxMessage(
        kind="invitation", to_email="dsl@school.example", to_name="Priya Shah", subject="Your return is open",
        text_body="...", status=OutboxState.SENT.value, attempts=2, provider_message_id="second",
    )
    session.add(message)
    session.flush()
    for copy, minute in (("first", 0), ("second", 5)):
        for kind in ("processed", "delivered"):
            session.add(DeliveryEvent(
                sg_event_id=f"{copy}-{kind}", event=kind, email="dsl@school.example", sg_message_id=f"{copy}.filter0.0",
                at=datetime(2026, 11, 2, 9, minute, tzinfo=UTC), outbox_message_id=message.id,
            ))
    session.commit()
    return message


def test_a_coordinator_sees_which_email_went_out_twice_in_a_scrolling_table(browser, partnership, session):
    browser.sign_in("cora.ordinator@example.org")
    browser.open("/email-delivery")
    assert "No e-mail has been sent more than once." in browser.text

    an_email_sent_twice(session)
    browser.open("/email-delivery")

    assert "E-mails sent more than once" in browser.text
    assert "No e-mail has been sent more than once." not in browser.text
    page = browser.page.text
    table = page[page.index("E-mails sent more than once</caption>") :]
    table = table[: table.index("</table>")]
    assert "Priya Shah" in table and "dsl@school.example" in table and "Your return is open" in table
    assert "Sent 2 times" in table and "First " in table and ", last " in table
    region = page[: page.index("E-mails sent more than once</caption>")]
    region = region[region.rindex("<div") :]
    assert 'class="app-table-scroll"' in region and 'role="region"' in region and 'tabindex="0"' in region
