"""Who gets told: an agency's contacts and executives, the partnership's coordinators."""

from sqlmodel import Session, select

from models import Agency, User, UserRole
from models.user import Role


def _users_with_role(session: Session, role: Role, agency_id: int | None = None) -> list[User]:
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.active == True)  # noqa: E712
        .order_by(User.id)
    )
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    return list(session.exec(query))


def agency_contacts(session: Session, agency: Agency) -> list[tuple[str, str]]:
    """(e-mail, name) of the agency's users, or its named contact when it has no users yet."""
    people = [(u.email, u.name) for u in _users_with_role(session, Role.AGENCY_USER, agency.id)]
    if not people and agency.contact_email:
        people = [(agency.contact_email, agency.contact_name)]
    return people


def has_agency_users(session: Session, agency: Agency) -> bool:
    """Whether the agency's invitations go to its own users rather than its named contact."""
    return bool(_users_with_role(session, Role.AGENCY_USER, agency.id))


def agency_executives(session: Session, agency: Agency) -> list[tuple[str, str]]:
    people = [(u.email, u.name) for u in _users_with_role(session, Role.EXECUTIVE, agency.id)]
    if not people and agency.executive_email:
        people = [(agency.executive_email, agency.executive_name)]
    return people


def coordinators(session: Session) -> list[tuple[str, str]]:
    return [(u.email, u.name) for u in _users_with_role(session, Role.COORDINATOR)]


def qa_reviewers(session: Session) -> list[tuple[str, str]]:
    return [(u.email, u.name) for u in _users_with_role(session, Role.QA_REVIEWER)]


def _by_agency(session: Session, role: Role, agency_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """(e-mail, name) of the active users with `role` at each agency, in one query."""
    found: dict[int, list[tuple[str, str]]] = {agency_id: [] for agency_id in agency_ids}
    rows = session.exec(
        select(User.agency_id, User.email, User.name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.active == True, User.agency_id.in_(agency_ids))  # noqa: E712
        .order_by(User.id)
    )
    for agency_id, email, name in rows:
        found[agency_id].append((email, name))
    return found


def contacts_of_agencies(session: Session, agencies: list[Agency]) -> dict[int, list[tuple[str, str]]]:
    """`agency_contacts` of many agencies at once, by agency id (a launch tells them all)."""
    users = _by_agency(session, Role.AGENCY_USER, [a.id for a in agencies])
    return {a.id: users[a.id] or ([(a.contact_email, a.contact_name)] if a.contact_email else []) for a in agencies}


def executives_of_agencies(session: Session, agencies: list[Agency]) -> dict[int, list[tuple[str, str]]]:
    """`agency_executives` of many agencies at once, by agency id."""
    users = _by_agency(session, Role.EXECUTIVE, [a.id for a in agencies])
    return {a.id: users[a.id] or ([(a.executive_email, a.executive_name)] if a.executive_email else []) for a in agencies}
