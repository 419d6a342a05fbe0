"""An agency's own people: an agency user invites colleagues of their own agency, as agency users
or as lead persons for the action plan, without waiting for the coordinator, who sees who invited
whom."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Agency, User, UserRole
from models.user import Role
from workflow.errors import DomainError, NotPermitted, Reason
from workflow.people import accounts, users

# What an agency may make its own people; executives and partnership roles stay the coordinator's.
COLLEAGUE_ROLES = (Role.AGENCY_USER, Role.LEAD_PERSON)


def _agency_user_agency(session: Session, actor: User) -> Agency:
    held = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == actor.id))}
    agency = session.get(Agency, actor.agency_id) if actor.agency_id else None
    if Role.AGENCY_USER not in held or agency is None or not actor.active:
        raise NotPermitted("Only an agency user can invite colleagues of their agency.")
    return agency


def invite_colleague(
    session: Session, actor: User, *, email: str, name: str, roles: set[Role], job_title: str = ""
) -> User:
    """Add a colleague to the actor's own agency and e-mail them a link to set their password."""
    agency = _agency_user_agency(session, actor)
    problems: list[str] = []
    if not roles:
        problems.append(Reason("Choose what they will do: agency user, lead person or both.", "roles"))
    elif not roles <= set(COLLEAGUE_ROLES):
        problems.append(Reason("You can invite agency users and lead persons; ask the coordinator for other roles.", "roles"))
    if problems:
        raise DomainError(problems)
    # The coordinator's own checks (a valid, unused address, a name), every reason at once.
    user = users.add_user(session, None, email=email, name=name, roles=roles, agency_id=agency.id, job_title=job_title)
    user.invited_by_id = actor.id
    session.add(user)
    accounts._send_invitation(session, actor, user, roles)  # the same invitation e-mail the coordinator's sends
    session.flush()
    return user


@dataclass(frozen=True)
class Colleague:
    user: User
    roles: list[Role]
    invited_by: str


def colleagues(session: Session, actor: User) -> list[Colleague]:
    """The people of the actor's agency, and who invited each one when it was a colleague."""
    agency = _agency_user_agency(session, actor)
    people = list(session.exec(select(User).where(User.agency_id == agency.id).order_by(User.active.desc(), User.name)))
    ids = [p.id for p in people]
    roles: dict[int, list[Role]] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids or [0]))):
        roles.setdefault(user_id, []).append(Role(role))
    inviters = inviter_names(session, people)
    return [Colleague(p, sorted(roles.get(p.id, [])), inviters.get(p.id, "")) for p in people]


def inviter_names(session: Session, people: list[User]) -> dict[int, str]:
    """Who invited each of these people, by their id, where a colleague did."""
    inviter_ids = {p.invited_by_id for p in people if p.invited_by_id}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(inviter_ids or {0}))).all())
    return {p.id: names[p.invited_by_id] for p in people if p.invited_by_id in names}
