"""Which partnership's things a signed-in person may read: the one scope every read goes through.

A deployment holds several partnerships. When a request knows who is signed in, `limit_to` marks
its session with that person's partnerships, and every ORM read of agencies, people, cycles,
templates and returns in that session is narrowed to them (SQLAlchemy's `with_loader_criteria`,
added by one `do_orm_execute` hook), whether the read is a list, a count or a `session.get` by id:
another partnership's row simply is not there, so its pages are 404s. Sessions without a mark (the
scheduler, the command line, tests arranging data) see the whole deployment. A read that must see
every partnership (is this e-mail address taken anywhere?) says so with `across_partnerships`.
"""

from collections.abc import Iterable

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlmodel import Session, func

from models import (
    Action,
    ActionPlanSample,
    Agency,
    AgencyMember,
    AgencyPartnership,
    AuditReturn,
    Challenge,
    Cycle,
    CyclePartnership,
    EvidenceFile,
    EvidenceRequest,
    GoodPractice,
    IntelligenceEntry,
    KeyTheme,
    Partnership,
    PartnershipMember,
    PeerReview,
    QaMeeting,
    QaMeetingItem,
    QaSelection,
    SampledPlan,
    Template,
    User,
)
from models.partnership import first_partnership_id

SCOPE_KEY = "s11_partnerships"
ACROSS = "s11_across_partnerships"


def partnerships_of(session: Session, user: User) -> frozenset[int]:
    """The partnerships a person works in: as staff (membership) and through every agency they act for."""
    agencies = select(AgencyMember.agency_id).where(AgencyMember.user_id == user.id)
    if user.agency_id is not None:
        agencies = agencies.union(select(Agency.id).where(Agency.id == user.agency_id))
    query = select(PartnershipMember.partnership_id).where(PartnershipMember.user_id == user.id).union(
        select(AgencyPartnership.partnership_id).where(AgencyPartnership.agency_id.in_(agencies))
    )
    return frozenset(session.execute(query.execution_options(**{ACROSS: True})).scalars())


def limit_to(session: Session, user: User) -> frozenset[int]:
    """From now on this session reads only what belongs to the person's partnerships."""
    ids = partnerships_of(session, user)
    session.info[SCOPE_KEY] = ids
    return ids


def scope(session: Session) -> frozenset[int] | None:
    """The partnerships this session is limited to, or None when it sees the whole deployment."""
    return session.info.get(SCOPE_KEY)


def across_partnerships() -> dict[str, bool]:
    """Execution options for a read that must see every partnership (uniqueness across the deployment)."""
    return {ACROSS: True}


def home_partnership(session: Session, actor: User | None) -> int:
    """Where a new agency, cycle or template goes: the actor's partnership when they have exactly
    one, else the deployment's first (a single-partnership deployment never names one)."""
    if actor is not None and actor.id is not None:
        own = select(PartnershipMember.partnership_id).where(PartnershipMember.user_id == actor.id)
        mine = list(session.execute(own.execution_options(**{ACROSS: True})).scalars())
        if len(mine) == 1:
            return mine[0]
    limited = scope(session)
    if limited and len(limited) == 1:
        return next(iter(limited))
    first = first_partnership_id(session.connection())
    if first is None:
        first = add_partnership(session, "Partnership").id
    return first


def add_partnership(session: Session, name: str, slug: str = "") -> Partnership:
    partnership = Partnership(name=name.strip(), slug=slug or _slug(name))
    session.add(partnership)
    session.flush()
    return partnership


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split()) or "partnership"


def join(session: Session, *, agency_id: int | None = None, user_id: int | None = None, partnership_ids: Iterable[int]) -> None:
    """Put an agency, or a member of staff, in partnerships (already there is fine)."""
    for partnership_id in partnership_ids:
        if agency_id is not None:
            _add_once(session, AgencyPartnership, agency_id=agency_id, partnership_id=partnership_id)
        if user_id is not None:
            _add_once(session, PartnershipMember, user_id=user_id, partnership_id=partnership_id)
    session.flush()


def act_for(session: Session, user_id: int, agency_id: int) -> None:
    """Record that a person acts for an agency (one person may act for several)."""
    _add_once(session, AgencyMember, user_id=user_id, agency_id=agency_id)
    session.flush()


def move_agency(session: Session, user_id: int, old: int | None, new: int | None) -> None:
    """A person moved from one agency to another stops acting for the old one."""
    if old is not None:
        query = select(AgencyMember).where(AgencyMember.user_id == user_id, AgencyMember.agency_id == old)
        for row in session.execute(query.execution_options(**{ACROSS: True})).scalars():
            session.delete(row)
    if new is not None:
        _add_once(session, AgencyMember, user_id=user_id, agency_id=new)
    session.flush()


def _add_once(session: Session, model: type, **values: int) -> None:
    query = select(func.count()).select_from(model).filter_by(**values).execution_options(**{ACROSS: True})
    if not session.execute(query).scalar_one():
        session.add(model(**values))


# What hangs off a return or a cycle belongs where the return or cycle does.
BY_RETURN = (Action, Challenge, EvidenceFile, EvidenceRequest, GoodPractice, PeerReview, QaMeetingItem, QaSelection, SampledPlan)
BY_CYCLE = (ActionPlanSample, KeyTheme, QaMeeting)


# The criteria, per table: what of it belongs to partnerships `ids`.
def _agencies_in(ids: frozenset[int]):
    return select(AgencyPartnership.agency_id).where(AgencyPartnership.partnership_id.in_(ids))


def _cycles_in(ids: frozenset[int]):
    joint = select(CyclePartnership.cycle_id).where(CyclePartnership.partnership_id.in_(ids))
    return select(Cycle.id).where(or_(Cycle.partnership_id.in_(ids), Cycle.id.in_(joint)))


def _criteria(ids: frozenset[int]) -> list:
    agencies = _agencies_in(ids)
    staff = select(PartnershipMember.user_id).where(PartnershipMember.partnership_id.in_(ids))
    acting = select(AgencyMember.user_id).where(AgencyMember.agency_id.in_(agencies))
    joint = select(CyclePartnership.cycle_id).where(CyclePartnership.partnership_id.in_(ids))
    cycles = _cycles_in(ids)
    returns = select(AuditReturn.id).where(AuditReturn.agency_id.in_(agencies), AuditReturn.cycle_id.in_(cycles))
    return [
        *(with_loader_criteria(model, model.return_id.in_(returns)) for model in BY_RETURN),
        *(with_loader_criteria(model, model.cycle_id.in_(cycles)) for model in BY_CYCLE),
        with_loader_criteria(Agency, Agency.id.in_(agencies)),
        with_loader_criteria(Cycle, or_(Cycle.partnership_id.in_(ids), Cycle.id.in_(joint))),
        # A partnership's own templates, and the template of a joint cycle it takes part in.
        with_loader_criteria(Template, or_(
            Template.partnership_id.in_(ids), Template.id.in_(select(Cycle.template_id).where(Cycle.id.in_(cycles)))
        )),
        with_loader_criteria(
            AuditReturn, AuditReturn.agency_id.in_(agencies) & AuditReturn.cycle_id.in_(cycles)
        ),
        with_loader_criteria(User, or_(User.id.in_(staff), User.id.in_(acting), User.agency_id.in_(agencies))),
        with_loader_criteria(Partnership, Partnership.id.in_(ids)),
        # The intelligence log: about one of the partnership's agencies, or partnership-wide and
        # recorded by its staff.
        with_loader_criteria(IntelligenceEntry, or_(
            IntelligenceEntry.agency_id.in_(agencies),
            IntelligenceEntry.agency_id.is_(None) & IntelligenceEntry.recorded_by_id.in_(staff),
        )),
    ]


@event.listens_for(Session, "do_orm_execute")
def _limit_reads(state: ORMExecuteState) -> None:
    """Every SELECT of a marked session is narrowed to its partnerships (refreshes of rows it
    already holds are not: they were read under the same scope)."""
    ids = state.session.info.get(SCOPE_KEY)
    if ids is None or not state.is_select or state.is_column_load or state.execution_options.get(ACROSS):
        return
    state.statement = state.statement.options(*_criteria(ids))


# --- A report's area: one partnership of a joint cycle (joint cycles) -------------------------------


def narrow_to(session: Session, partnership_id: int) -> bool:
    """For the rest of this session read only one of the person's partnerships: a report's "Area"
    filter for someone in several partnerships of a joint cycle. Refused (False) for a partnership
    outside the session's scope, so a filter can only ever narrow what a person reads."""
    limited = scope(session)
    if limited is not None and partnership_id not in limited:
        return False
    session.info[SCOPE_KEY] = frozenset({partnership_id})
    return True


def agency_ids_in_scope(session: Session):
    """The agencies a figure of this session may count, as a subquery of agency ids; None when the
    session sees the whole deployment. For reads that add up rows by id rather than through the
    ORM's entities (which the hook above narrows by itself), so a joint cycle's figures stay in area."""
    limited = scope(session)
    return None if limited is None else _agencies_in(limited)
