"""What SendGrid reported about our e-mails after accepting them (Event Webhook).

SendGrid batches events, retries a batch for 24 hours and may send an event twice, so
`sg_event_id` is unique and a repeat is ignored.
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import utcnow


class DeliveryEvent(SQLModel, table=True):
    """One event about one message to one address: delivered, deferred, bounce, dropped, ..."""

    __tablename__ = "delivery_event"

    id: int | None = Field(default=None, primary_key=True)
    sg_event_id: str = Field(max_length=100, unique=True)
    event: str = Field(max_length=40, index=True)
    email: str = Field(default="", max_length=254, index=True)
    reason: str = ""
    at: datetime
    sg_message_id: str = Field(default="", max_length=200)
    # The outbox row the event is about, when SendGrid says (asynchronous bounces do not).
    outbox_message_id: int | None = Field(default=None, foreign_key="outbox_message.id", index=True)
    received_at: datetime = Field(default_factory=utcnow)
