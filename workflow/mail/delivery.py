"""E-mails that could not be delivered: the coordinators' list of them, and sending one again."""

from sqlmodel import Session, select

from models import OutboxMessage, User
from models.outbox import OutboxState
from models.user import Role
from workflow.access import require_role
from workflow.clock import utcnow
from workflow.errors import DomainError, NotFound


def failed_messages(session: Session, *, limit: int = 200) -> list[OutboxMessage]:
    """Messages the worker gave up on (refused by the provider, or out of attempts), newest first."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxState.FAILED.value)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry_failed(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """A coordinator sends a failed message again (after fixing the address or the sender, say):
    it goes back to the queue with a fresh set of attempts; the last error stays until it is sent."""
    require_role(session, actor, {Role.COORDINATOR}, "send a failed e-mail again")
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound("There is no such e-mail.")
    if message.status != OutboxState.FAILED:
        raise DomainError(f"Only an e-mail that failed can be sent again; this one is {message.status}.")
    message.status = OutboxState.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claim_token = ""
    session.add(message)
    session.flush()
    return message
