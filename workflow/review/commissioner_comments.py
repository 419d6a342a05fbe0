"""A commissioning agency's comments on the returns of the services it commissions: its people
read a provider's return (never change it) and comment; the provider's contacts are told, the
return's history records it, and the coordinator reads the same comments."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models import Agency, AuditReturn, CommissionerComment, User, field_limits
from workflow.access import can_see_return, commissioner_may_see
from workflow.errors import DomainError, NotFound, Reason
from workflow.lifecycle.moves import note_on_return
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts


def comment(session: Session, actor: User, return_id: int, *, text: str) -> CommissionerComment:
    """Add a commissioner's comment to a provider's return; only the commissioning agency's people
    may (others are not even told the return exists), and the comment must say something."""
    ret = session.get(AuditReturn, return_id)
    if ret is None or not commissioner_may_see(session, actor, ret):
        raise NotFound("There is no such return.")
    text = text.strip()
    reasons = []
    if not text:
        reasons.append(Reason("Write your comment for the provider.", "comment"))
    too_long = field_limits.text_problems("Your comment", text, field_limits.COMMENT, multiline=True)
    reasons += [Reason(r, "comment") for r in too_long]
    if reasons:
        raise DomainError(reasons)
    provider = session.get(Agency, ret.agency_id)
    commissioner = session.get(Agency, actor.agency_id)
    entry = CommissionerComment(return_id=ret.id, author_id=actor.id, commissioner_agency_id=commissioner.id, text=text)
    session.add(entry)
    session.flush()
    note_on_return(session, actor, ret, "commissioner_comment", reason=text, details={"commissioner": commissioner.name})
    context = return_context(session, ret, commissioner_name=commissioner.name, author_name=actor.name, comment=text)
    tell(session, "commissioner_comment", agency_contacts(session, provider), context, return_id=ret.id)
    return entry


@dataclass(frozen=True)
class CommentRow:
    """A comment as the pages show it: who wrote it, for which agency, when."""

    author_name: str
    commissioner_name: str
    created_at: datetime
    text: str


def comments_on(session: Session, actor: User, return_id: int) -> list[CommentRow]:
    """The comments on a return, oldest first (one query): for its commissioner, the coordinator, and
    whoever else may see the return (the provider's own people read what their commissioner said)."""
    ret = session.get(AuditReturn, return_id)
    if ret is None or not (can_see_return(session, actor, ret) or commissioner_may_see(session, actor, ret)):
        raise NotFound("There is no such return.")
    rows = session.exec(
        select(User.name, Agency.name, CommissionerComment.created_at, CommissionerComment.text)
        .join(User, User.id == CommissionerComment.author_id)
        .join(Agency, Agency.id == CommissionerComment.commissioner_agency_id)
        .where(CommissionerComment.return_id == return_id)
        .order_by(CommissionerComment.id)
    ).all()
    return [CommentRow(*row) for row in rows]
