"""Per-agency deadline extensions."""

from datetime import date

from sqlmodel import Session

from models import DeadlineExtension, User
from models.audit_return import ReturnState
from models.user import Role
from workflow.access import require_role, visible_return
from workflow.answering import content as return_content
from workflow.clock import uk_date
from workflow.errors import DomainError
from workflow.lifecycle.moves import note_on_return
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts


def extend_deadline(
    session: Session, actor: User, return_id: int, *, new_deadline: date | None, reason: str
) -> DeadlineExtension:
    """Give one agency a later submission deadline; every reminder moves with it."""
    require_role(session, actor, {Role.COORDINATOR}, "extend a deadline")
    ret = visible_return(session, actor, return_id)
    current = return_content.effective_deadline(session, ret)
    reasons = []
    if ret.status not in (ReturnState.INVITED, ReturnState.IN_PROGRESS):
        reasons.append(f"The return is {ReturnState(ret.status).title.lower()}: there is no submission deadline to extend.")
    if new_deadline is None:
        reasons.append("Give the new deadline.")
    elif new_deadline <= current:
        reasons.append(f"The new deadline must be after the current one ({uk_date(current)}).")
    if not reason.strip():
        reasons.append("Give the reason for the extension.")
    if reasons:
        raise DomainError(reasons)
    extension = DeadlineExtension(return_id=ret.id, new_deadline=new_deadline, reason=reason.strip(), granted_by_id=actor.id)
    session.add(extension)
    note_on_return(
        session, actor, ret, "extend_deadline", reason=reason.strip(), details={"from": str(current), "to": str(new_deadline)}
    )
    context = return_context(session, ret, new_deadline=uk_date(new_deadline), reason=reason.strip())
    tell(
        session,
        "deadline_extended",
        agency_contacts(session, return_content.load_agency(session, ret)),
        context,
        return_id=ret.id,
    )
    return extension
