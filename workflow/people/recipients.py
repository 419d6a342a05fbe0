"""Who gets told: an agency's contacts and executives, and the staff of the partnerships a return
or cycle belongs to (never every coordinator of the deployment: the scheduler and the command line
read the whole deployment, and one partnership's agencies are no business of another's staff)."""

from sqlalchemy import ColumnElement, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from models import Agency, AgencyPartnership, AuditReturn, Cycle, CyclePartnership, PartnershipMember, User, UserRole
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


def _in_cycle_partnership(partnership_id: ColumnElement, cycle_id) -> ColumnElement:
    """Whether a partnership is one of a cycle's: the launching one or a further one of a joint cycle."""
    launched = aliased(Cycle)
    # Correlated explicitly: the return or cycle may be several subqueries up (auto-correlation
    # reaches only the query just outside).
    return or_(
        exists().where(launched.id == cycle_id, launched.partnership_id == partnership_id).correlate_except(launched),
        exists().where(CyclePartnership.cycle_id == cycle_id, CyclePartnership.partnership_id == partnership_id)
        .correlate_except(CyclePartnership),
    )


def serves_cycle(user_id: ColumnElement, cycle_id) -> ColumnElement:
    """Whether a person is staff (PartnershipMember) of one of the cycle's partnerships."""
    return exists().where(
        PartnershipMember.user_id == user_id, _in_cycle_partnership(PartnershipMember.partnership_id, cycle_id)
    ).correlate_except(PartnershipMember)


def serves_return(user_id: ColumnElement, cycle_id, agency_id) -> ColumnElement:
    """Whether a person is staff of a partnership a return belongs to: one of its cycle's
    partnerships that its agency is in (a joint cycle's return of an agency in two tells both)."""
    return exists().where(
        PartnershipMember.user_id == user_id,
        _in_cycle_partnership(PartnershipMember.partnership_id, cycle_id),
        exists().where(
            AgencyPartnership.agency_id == agency_id,
            AgencyPartnership.partnership_id == PartnershipMember.partnership_id,
        ).correlate_except(AgencyPartnership),
    ).correlate_except(PartnershipMember)


def _staff(session: Session, role: Role, about: AuditReturn | Cycle) -> list[tuple[str, str]]:
    if isinstance(about, AuditReturn):
        serving = serves_return(User.id, about.cycle_id, about.agency_id)
    else:
        serving = serves_cycle(User.id, about.id)
    query = (
        select(User.email, User.name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value, User.active == True, serving)  # noqa: E712
        .order_by(User.id)
    )
    return [(email, name) for email, name in session.exec(query)]


def coordinators(session: Session, about: AuditReturn | Cycle) -> list[tuple[str, str]]:
    """The active coordinators of the partnerships the return (or cycle) belongs to."""
    return _staff(session, Role.COORDINATOR, about)


def qa_reviewers(session: Session, about: AuditReturn | Cycle) -> list[tuple[str, str]]:
    """The active QA reviewers of the partnerships the return (or cycle) belongs to."""
    return _staff(session, Role.QA_REVIEWER, about)


def every_coordinator(session: Session) -> list[tuple[str, str]]:
    """Every active coordinator the session reads: only for news about the deployment as a whole
    (the daily history checkpoint), never about one partnership's agencies."""
    return [(u.email, u.name) for u in _users_with_role(session, Role.COORDINATOR)]


def coordinators_of_returns(session: Session, returns: list[AuditReturn]) -> dict[int, list[tuple[str, str]]]:
    """`coordinators` of many returns at once, by return id, in one query (the scheduler's sweeps)."""
    found: dict[int, list[tuple[str, str]]] = {ret.id: [] for ret in returns}
    if not returns:
        return found
    rows = session.exec(
        select(AuditReturn.id, User.email, User.name)
        .join(User, serves_return(User.id, AuditReturn.cycle_id, AuditReturn.agency_id))
        .join(UserRole, UserRole.user_id == User.id)
        .where(AuditReturn.id.in_(list(found)), UserRole.role == Role.COORDINATOR.value, User.active == True)  # noqa: E712
        .order_by(AuditReturn.id, User.id)
    )
    for return_id, email, name in rows:
        found[return_id].append((email, name))
    return found


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
