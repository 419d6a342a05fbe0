"""A person acting for several agencies (a named nurse for two trusts) chooses which they act for.

The choice is the session's, not the account's: the same person may have one agency open on one
device and another elsewhere. `User.agency_id` stays the agency they act for when nothing is chosen.
"""

from sqlmodel import Session, select

from models import Agency, AgencyMember, User
from models.user import Role
from workflow import partnerships
from workflow.access import require_role
from workflow.errors import DomainError, NotFound


def agencies_for(session: Session, user: User) -> list[Agency]:
    """The active agencies the person acts for, by name (their own first when there is only one)."""
    acting = select(AgencyMember.agency_id).where(AgencyMember.user_id == user.id)
    query = select(Agency).where((Agency.id.in_(acting)) | (Agency.id == user.agency_id), Agency.active == True)  # noqa: E712
    return list(session.exec(query.order_by(Agency.name)))


def acts_for(session: Session, user: User, agency_id: int) -> bool:
    return any(agency.id == agency_id for agency in agencies_for(session, user))


def chosen_agency(session: Session, user: User, agency_id: int) -> Agency:
    """The agency chosen, or NotFound when the person does not act for it."""
    for agency in agencies_for(session, user):
        if agency.id == agency_id:
            return agency
    raise NotFound("You do not act for that agency.")


def let_act_for(session: Session, actor: User | None, user: User, agency_id: int) -> None:
    """A coordinator lets a person act for one more agency of the partnership (`actor` None: the command line)."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "let a person act for another agency")
    if session.get(Agency, agency_id) is None:
        raise NotFound("There is no such agency.")
    if user.agency_id is None:
        raise DomainError("Only an agency's people can act for another agency: give the person an agency role first.")
    partnerships.act_for(session, user.id, agency_id)
