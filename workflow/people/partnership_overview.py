"""The partnerships a member of staff works in (name, agencies, staff), and putting one of their
agencies in another of their partnerships. Making a partnership is a deployment administrator's
step on the command line (`s11 partnership add`), not a page: it decides who sees what."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Agency, AgencyPartnership, Partnership, PartnershipMember, User, UserRole
from models.user import Role
from workflow import partnerships
from workflow.access import require_role
from workflow.errors import DomainError, NotFound

ACROSS = partnerships.across_partnerships()


@dataclass(frozen=True)
class StaffMember:
    name: str
    email: str
    roles: str


@dataclass(frozen=True)
class PartnershipOverview:
    id: int
    name: str
    slug: str
    agencies: list[str]
    staff: list[StaffMember]


@dataclass(frozen=True)
class AgencyMove:
    """An agency of one of the person's partnerships that another of them does not hold yet."""

    agency_id: int
    agency_name: str
    partnership_id: int
    partnership_name: str


@dataclass(frozen=True)
class PartnershipsPage:
    partnerships: list[PartnershipOverview]
    # Every (agency, partnership) pair the person may add: empty when they work in one partnership.
    may_add: list[AgencyMove]
    working_in: int | None  # the partnership chosen for this session, None when all of theirs


def own_partnership_ids(session: Session, user: User) -> list[int]:
    """The partnerships the person works in as staff, by name."""
    query = (
        select(Partnership.id)
        .join(PartnershipMember, PartnershipMember.partnership_id == Partnership.id)
        .where(PartnershipMember.user_id == user.id)
        .order_by(Partnership.name)
    )
    return list(session.exec(query, execution_options=ACROSS))


def partnerships_page(session: Session, actor: User) -> PartnershipsPage:
    """What the coordinator's partnerships page shows: each of their partnerships, and the agencies
    they could add to another of them."""
    require_role(session, actor, {Role.COORDINATOR}, "see the partnerships")
    ids = own_partnership_ids(session, actor)
    overviews = [_overview(session, partnership_id) for partnership_id in ids]
    names = {o.id: o.name for o in overviews}
    moves = []
    for overview in overviews:
        theirs = set(overview.agencies)
        for other in overviews:
            if other.id == overview.id:
                continue
            for agency_id, agency_name in _agencies_of(session, other.id):
                if agency_name not in theirs and not any(m.agency_id == agency_id and m.partnership_id == overview.id
                                                         for m in moves):
                    moves.append(AgencyMove(agency_id, agency_name, overview.id, names[overview.id]))
    moves.sort(key=lambda m: (m.agency_name, m.partnership_name))
    return PartnershipsPage(overviews, moves, session.info.get(partnerships.HOME_KEY))


def _agencies_of(session: Session, partnership_id: int) -> list[tuple[int, str]]:
    query = (
        select(Agency.id, Agency.name)
        .join(AgencyPartnership, AgencyPartnership.agency_id == Agency.id)
        .where(AgencyPartnership.partnership_id == partnership_id)
        .order_by(Agency.name)
    )
    return [(row[0], row[1]) for row in session.exec(query, execution_options=ACROSS)]


def _overview(session: Session, partnership_id: int) -> PartnershipOverview:
    partnership = session.exec(select(Partnership).where(Partnership.id == partnership_id), execution_options=ACROSS).one()
    members = session.exec(
        select(User.name, User.email, UserRole.role)
        .join(PartnershipMember, PartnershipMember.user_id == User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(PartnershipMember.partnership_id == partnership_id, User.active == True,  # noqa: E712
               UserRole.role.in_([Role.COORDINATOR.value, Role.QA_REVIEWER.value]))
        .order_by(User.name, UserRole.role),
        execution_options=ACROSS,
    ).all()
    staff: dict[str, StaffMember] = {}
    for name, email, role in members:
        known = staff.get(email)
        staff[email] = StaffMember(name, email, f"{known.roles}, {Role(role).title}" if known else Role(role).title)
    agencies = [name for _id, name in _agencies_of(session, partnership_id)]
    return PartnershipOverview(partnership.id, partnership.name, partnership.slug, agencies, list(staff.values()))


def add_agency_to_partnership(session: Session, actor: User, agency_id: int, partnership_id: int) -> Agency:
    """A coordinator of both puts an agency of one of their partnerships in another of them (a police
    force serving both areas, say): from then on each partnership's cycles can include it."""
    require_role(session, actor, {Role.COORDINATOR}, "add an agency to a partnership")
    mine = set(own_partnership_ids(session, actor))
    if partnership_id not in mine:
        raise NotFound("There is no such partnership.")
    agency = session.exec(select(Agency).where(Agency.id == agency_id), execution_options=ACROSS).first()
    held = select(AgencyPartnership.partnership_id).where(AgencyPartnership.agency_id == agency_id)
    held_by = set(session.exec(held, execution_options=ACROSS).all()) if agency else set()
    if agency is None or not held_by & mine:
        raise NotFound("There is no such agency in your partnerships.")
    if partnership_id in held_by:
        raise DomainError(f"{agency.name} is already in that partnership.")
    partnerships.join(session, agency_id=agency.id, partnership_ids=[partnership_id])
    return agency
