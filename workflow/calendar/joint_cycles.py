"""Joint (pan-area) cycles: one cycle run by several partnerships together.

The rule, kept simple so that no partnership can be drawn into a cycle it did not choose: a joint
cycle is made, and changed as a whole (its agencies, dates, reminders, launching, closing), only by
a coordinator who is on the staff of EVERY partnership taking part. The command line (no actor)
may name any partnerships. The launching partnership is `Cycle.partnership_id`; the others are
rows of `cycle_partnership`. Its agencies must each be in one of the partnerships taking part, and
each gets one return however many of those partnerships it is in (`cycle_agency` holds an agency
once). Each partnership's staff then see the cycle beside their own agencies' returns only
(`workflow/partnerships.py` scopes every read); a return of an agency in two of them is the same
row for both, so its QA challenge thread is shared.
"""

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from models import Agency, AgencyPartnership, Cycle, CyclePartnership, Partnership, PartnershipMember, User
from models.user import Role
from workflow import partnerships
from workflow.access import roles_of
from workflow.errors import DomainError, NotFound, Reason

ACROSS = partnerships.across_partnerships()


@dataclass(frozen=True)
class Area:
    """A partnership taking part in a cycle, as a choice on a form or a report's area filter."""

    id: int
    name: str
    slug: str


def coordinated_by(session: Session, actor: User | None) -> list[Area]:
    """The partnerships a coordinator may name for a cycle: those they are on the staff of (every
    partnership for the command line)."""
    query = select(Partnership).order_by(Partnership.name)
    if actor is not None:
        if Role.COORDINATOR not in roles_of(session, actor):
            return []
        mine = select(PartnershipMember.partnership_id).where(PartnershipMember.user_id == actor.id)
        query = query.where(Partnership.id.in_(mine))
    return [Area(p.id, p.name, p.slug) for p in session.exec(query.execution_options(**ACROSS))]


def partnership_ids_of(session: Session, cycle: Cycle) -> list[int]:
    """Every partnership taking part in the cycle, the launching one first."""
    joined = session.exec(
        select(CyclePartnership.partnership_id)
        .where(CyclePartnership.cycle_id == cycle.id)
        .order_by(CyclePartnership.partnership_id)
        .execution_options(**ACROSS)
    ).all()
    return [cycle.partnership_id, *(p for p in joined if p != cycle.partnership_id)]


def areas_of(session: Session, cycle: Cycle) -> list[Area]:
    """The partnerships taking part in the cycle, by name (a joint cycle's partners may be named to
    each other's staff: that they take part together is no secret between them)."""
    further = select(CyclePartnership.partnership_id).where(CyclePartnership.cycle_id == cycle.id)
    query = select(Partnership).where(or_(Partnership.id == cycle.partnership_id, Partnership.id.in_(further)))
    rows = session.exec(query.execution_options(**ACROSS)).all()  # one query: a cycle page's cost barely moves
    rows.sort(key=lambda p: (p.id != cycle.partnership_id, p.id))
    return [Area(p.id, p.name, p.slug) for p in rows]


def areas_for_reports(session: Session, cycle: Cycle) -> list[Area]:
    """The areas a person may filter a cycle's reports to: the cycle's partnerships that are in the
    person's own scope. Two or more only for someone in several partnerships of a joint cycle."""
    limited = partnerships.scope(session)
    return [a for a in areas_of(session, cycle) if limited is None or a.id in limited]


def choose(session: Session, actor: User | None, named: list[int] | None) -> tuple[int, list[int]]:
    """(launching partnership, further partnerships) for a new cycle; refuses a partnership the
    coordinator is not on the staff of. None or [] means the actor's own partnership alone."""
    home = partnerships.home_partnership(session, actor)
    wanted = sorted(set(named or []))
    if not wanted:
        mine = [a.id for a in coordinated_by(session, actor)] if actor is not None else []
        return (mine[0] if len(mine) > 1 or (mine and home not in mine) else home), []
    problems = choice_problems(session, actor, wanted)
    if problems:
        raise DomainError(problems)
    launching = home if home in wanted else wanted[0]
    return launching, [p for p in wanted if p != launching]


def choice_problems(session: Session, actor: User | None, wanted: list[int]) -> list[str]:
    """Why these partnerships cannot run a cycle together with this coordinator, if they cannot."""
    allowed = {a.id for a in coordinated_by(session, actor)}
    if not set(wanted) <= allowed:
        return [Reason("Choose only partnerships you coordinate: a joint cycle is set up by a coordinator of every "
                       "partnership taking part.", "partnership_ids")]
    return []


def record(session: Session, cycle: Cycle, further: list[int]) -> None:
    """The further partnerships of a joint cycle (the launching one is the cycle's own)."""
    for partnership_id in further:
        session.add(CyclePartnership(cycle_id=cycle.id, partnership_id=partnership_id))
    session.flush()


def forget(session: Session, cycle: Cycle) -> None:
    """A deleted draft's further partnerships go with it."""
    query = select(CyclePartnership).where(CyclePartnership.cycle_id == cycle.id).execution_options(**ACROSS)
    for row in session.exec(query):
        session.delete(row)


def agency_problems(session: Session, partnership_ids: list[int], agency_ids: list[int]) -> list[str]:
    """Each agency chosen must be in one of the partnerships taking part."""
    if not agency_ids:
        return []
    inside = set(
        session.exec(
            select(AgencyPartnership.agency_id)
            .where(AgencyPartnership.agency_id.in_(set(agency_ids)), AgencyPartnership.partnership_id.in_(partnership_ids))
            .execution_options(**ACROSS)
        )
    )
    if set(agency_ids) <= inside:
        return []
    return [Reason("Choose only agencies of the partnerships taking part in the cycle.", "agency_ids")]


def agencies_of_partnerships(session: Session, partnership_ids: list[int], *, active_only: bool = True) -> list[int]:
    """Every agency of these partnerships, each once however many of them it is in."""
    query = (
        select(Agency.id)
        .join(AgencyPartnership, AgencyPartnership.agency_id == Agency.id)
        .where(AgencyPartnership.partnership_id.in_(partnership_ids))
        .distinct()
        .execution_options(**ACROSS)
    )
    if active_only:
        query = query.where(Agency.active == True)  # noqa: E712
    return sorted(session.exec(query))


def require_all(session: Session, actor: User | None, cycle: Cycle, what: str) -> None:
    """A change to a joint cycle as a whole is for a coordinator of every partnership taking part:
    one partnership's coordinator cannot change (or launch, or close) what the others run too."""
    if actor is None:
        return
    ids = partnership_ids_of(session, cycle)
    if len(ids) < 2:
        return  # a partnership's own cycle: the scope already keeps other partnerships out
    mine = set(
        session.exec(
            select(PartnershipMember.partnership_id)
            .where(PartnershipMember.user_id == actor.id, PartnershipMember.partnership_id.in_(ids))
            .execution_options(**ACROSS)
        )
    )
    if mine != set(ids):
        names = ", ".join(a.name for a in areas_of(session, cycle))
        raise DomainError(
            f"{cycle.name} is a joint cycle of {names}: only a coordinator of every one of them can {what}."
        )


def joint_cycle_ids(session: Session) -> set[int]:
    """The cycles with more than one partnership (for the cycles list's label)."""
    return set(session.exec(select(CyclePartnership.cycle_id).distinct().execution_options(**ACROSS)))


@dataclass(frozen=True)
class AreaFilter:
    """A report's "Area" filter: offered (`areas`) only to someone in several partnerships of the
    cycle; `chosen` is the area the figures were narrowed to, None for all of the person's."""

    areas: list[Area]
    chosen: Area | None

    @property
    def slug(self) -> str | None:
        return self.chosen.slug if self.chosen else None


def report_area(session: Session, cycle_id: int, wanted: str = "") -> AreaFilter:
    """The areas a cycle's reports may be narrowed to, and the one asked for (by its slug): every
    read after this in the session counts that partnership's agencies alone."""
    limited = partnerships.scope(session)
    if limited is not None and len(limited) < 2:
        return AreaFilter([], None)  # someone in one partnership: nothing to choose, nothing asked
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    areas = areas_for_reports(session, cycle)
    if len(areas) < 2:
        return AreaFilter([], None)
    chosen = next((a for a in areas if a.slug == wanted), None)
    if chosen is not None:
        partnerships.narrow_to(session, chosen.id)
    return AreaFilter(areas, chosen)
