"""The coordinator's lists that grow with the partnership, People and Agencies: searched, filtered
and cut into pages, each page read in a fixed number of queries however long the list."""

from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import or_
from sqlmodel import Session, func, select

from models import Agency, User, UserRole
from models.user import Role
from workflow.people.accounts import PersonRow

PER_PAGE = 25
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, and where it sits in the whole."""

    rows: list[T]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def _page_number(page: int, total: int, per_page: int) -> int:
    """A page number out of range shows the nearest page, not an error."""
    return min(max(1, page), max(1, ceil(total / per_page)))


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class AgencyFilters:
    search: str = ""
    sector: str = ""
    statutory: bool | None = None


def agency_page(session: Session, filters: AgencyFilters, page: int = 1, per_page: int = PER_PAGE) -> Page[Agency]:
    """The agencies matching the search (name, contact or executive, any case) and filters, by name."""
    query = select(Agency)
    if filters.search.strip():
        pattern = _like(filters.search)
        query = query.where(
            or_(*(func.lower(column).like(pattern, escape="\\") for column in (
                Agency.name, Agency.contact_name, Agency.contact_email, Agency.executive_name, Agency.executive_email
            )))
        )
    if filters.sector:
        query = query.where(Agency.sector == filters.sector)
    if filters.statutory is not None:
        query = query.where(Agency.statutory == filters.statutory)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    number = _page_number(page, total, per_page)
    rows = list(session.exec(query.order_by(Agency.name).offset((number - 1) * per_page).limit(per_page)))
    return Page(rows, total, number, per_page)


def sectors_in_use(session: Session) -> list[str]:
    return list(session.exec(select(Agency.sector).distinct().order_by(Agency.sector)))


@dataclass(frozen=True)
class PeopleFilters:
    search: str = ""
    role: Role | None = None
    agency_id: int | None = None
    status: str = ""  # "", "active", "invited", "deactivated"


STATUSES = {"active": "Active", "invited": "Invited, no password yet", "deactivated": "Deactivated"}


def people_page(session: Session, filters: PeopleFilters, page: int = 1, per_page: int = PER_PAGE) -> Page[PersonRow]:
    """The people matching the search (name or e-mail) and filters, active first, by name; three
    queries for the page however many people there are."""
    query = select(User)
    if filters.search.strip():
        pattern = _like(filters.search)
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (User.name, User.email))))
    if filters.role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == filters.role.value)))
    if filters.agency_id is not None:
        query = query.where(User.agency_id == filters.agency_id)
    if filters.status == "active":
        query = query.where(User.active == True, User.password_hash.is_not(None))  # noqa: E712
    elif filters.status == "invited":
        query = query.where(User.active == True, User.password_hash.is_(None))  # noqa: E712
    elif filters.status == "deactivated":
        query = query.where(User.active == False)  # noqa: E712
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    number = _page_number(page, total, per_page)
    ordered = query.order_by(User.active.desc(), User.name, User.id)
    users = list(session.exec(ordered.offset((number - 1) * per_page).limit(per_page)))
    ids = [u.id for u in users]
    roles: dict[int, list[Role]] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids or [0]))):
        roles.setdefault(user_id, []).append(Role(role))
    agency_ids = {u.agency_id for u in users if u.agency_id}
    names = dict(session.exec(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids or {0}))).all())
    rows = [PersonRow(u, sorted(roles.get(u.id, [])), names.get(u.agency_id, "")) for u in users]
    return Page(rows, total, number, per_page)
