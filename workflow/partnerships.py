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
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import and_, event, exists, literal, or_, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlmodel import Session, func

from models import (
    Action,
    ActionPlanSample,
    Agency,
    AgencyMember,
    AgencyPartnership,
    AuditReturn,
    CarriedStandard,
    Challenge,
    CommissionerComment,
    ComplianceStatement,
    Cycle,
    CycleAgency,
    CyclePartnership,
    CycleSurvey,
    DeadlineExtension,
    DeliveryEvent,
    EvidenceFile,
    EvidenceRequest,
    GoodPractice,
    HistoryRecord,
    IntelligenceEntry,
    KeyTheme,
    OutboxMessage,
    Partnership,
    PartnershipMember,
    PeerReview,
    QaMeeting,
    QaMeetingItem,
    QaSelection,
    ReusedAnswer,
    SampledPlan,
    SubmissionCopy,
    SurveyImport,
    SurveyLink,
    SurveyResponse,
    Template,
    User,
    field_limits,
)
from models.partnership import first_partnership_id
from workflow.errors import DomainError, NotFound

SCOPE_KEY = "s11_partnerships"
ACROSS = "s11_across_partnerships"
HOME_KEY = "s11_home_partnership"
STAFF_KEY = "s11_staff_partnerships"


def partnerships_of(session: Session, user: User) -> frozenset[int]:
    """The partnerships a person works in: as staff (membership) and through every agency they act for."""
    return frozenset(partnership_id for partnership_id, _ in _memberships(session, user))


def _memberships(session: Session, user: User) -> list[tuple[int, bool]]:
    """Each partnership of the person, and whether they work in it as staff, in one statement."""
    agencies = select(AgencyMember.agency_id).where(AgencyMember.user_id == user.id)
    if user.agency_id is not None:
        agencies = agencies.union(select(Agency.id).where(Agency.id == user.agency_id))
    query = select(PartnershipMember.partnership_id, literal(True)).where(PartnershipMember.user_id == user.id).union(
        select(AgencyPartnership.partnership_id, literal(False)).where(AgencyPartnership.agency_id.in_(agencies))
    )
    return [(pid, bool(staff)) for pid, staff in session.execute(query.execution_options(**{ACROSS: True}))]


def limit_to(session: Session, user: User) -> frozenset[int]:
    """From now on this session reads only what belongs to the person's partnerships (and knows,
    without asking again, which of them the person works in as staff: the header's switcher)."""
    memberships = _memberships(session, user)
    ids = frozenset(pid for pid, _ in memberships)
    session.info[SCOPE_KEY] = ids
    session.info[STAFF_KEY] = frozenset(pid for pid, staff in memberships if staff)
    return ids


def staff_partnerships(session: Session) -> frozenset[int] | None:
    """The partnerships the session's person works in as staff, when `limit_to` has read them."""
    return session.info.get(STAFF_KEY)


def work_in(session: Session, partnership_id: int) -> None:
    """From now on this session reads only this one partnership's things, and what it makes goes there
    (`s11 ... --partnership`, and a member of several partnerships who chose one)."""
    session.info[SCOPE_KEY] = frozenset({partnership_id})
    session.info[HOME_KEY] = partnership_id


def partnership_named(session: Session, given: str) -> Partnership:
    """A partnership by its slug or its name (either case), or NotFound naming those there are."""
    wanted = given.strip().casefold()
    every = list(session.execute(select(Partnership).order_by(Partnership.name).execution_options(**{ACROSS: True})).scalars())
    for partnership in every:
        if wanted in (partnership.slug.casefold(), partnership.name.casefold()):
            return partnership
    known = ", ".join(f"{p.slug} ({p.name})" for p in every) or "none yet"
    raise NotFound(f"There is no partnership “{given.strip()}”. The partnerships are: {known}.")


def scope(session: Session) -> frozenset[int] | None:
    """The partnerships this session is limited to, or None when it sees the whole deployment."""
    return session.info.get(SCOPE_KEY)


def across_partnerships() -> dict[str, bool]:
    """Execution options for a read that must see every partnership (uniqueness across the deployment)."""
    return {ACROSS: True}


def home_partnership(session: Session, actor: User | None) -> int:
    """Where a new agency, cycle or template goes: the actor's partnership when they have exactly
    one, else the deployment's first (a single-partnership deployment never names one)."""
    chosen = session.info.get(HOME_KEY)
    if chosen is not None:
        return chosen
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
    """A new partnership (a deployment administrator's step: `s11 partnership add`), its name and
    slug unique across the deployment."""
    name, slug = name.strip(), (slug.strip() or _slug(name))
    problems = []
    if not name:
        problems.append("Enter the partnership's name.")
    elif len(name) > field_limits.AGENCY_NAME:
        problems.append("The partnership's name must be 200 characters or fewer.")
    taken = select(Partnership).where(or_(func.lower(Partnership.name) == name.lower(), Partnership.slug == slug))
    if name and session.execute(taken.execution_options(**{ACROSS: True})).first():
        problems.append(f"There is already a partnership called “{name}” or with the short name “{slug}”.")
    if problems:
        raise DomainError(" ".join(problems))
    partnership = Partnership(name=name, slug=slug)
    session.add(partnership)
    session.flush()
    return partnership


@dataclass(frozen=True)
class PartnershipCount:
    slug: str
    name: str
    agencies: int
    staff: int


def partnership_counts(session: Session) -> list[PartnershipCount]:
    """Every partnership of the deployment with how many agencies and staff (`s11 partnership list`)."""
    agencies = select(func.count()).where(AgencyPartnership.partnership_id == Partnership.id).scalar_subquery()
    staff = select(func.count()).where(PartnershipMember.partnership_id == Partnership.id).scalar_subquery()
    query = select(Partnership.slug, Partnership.name, agencies, staff).order_by(Partnership.name)
    return [PartnershipCount(*row) for row in session.execute(query.execution_options(**{ACROSS: True}))]


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
# The same for the rest of a return's record and a cycle's settings (kept apart so each list merges simply).
ALSO_BY_RETURN = (CarriedStandard, CommissionerComment, ComplianceStatement, DeadlineExtension, ReusedAnswer,
                  SubmissionCopy)
ALSO_BY_CYCLE = (CycleAgency, CycleSurvey, SurveyImport)


# The criteria, per table: what of it belongs to partnerships `ids`. Each is a correlated EXISTS
# on the link tables' own tables (not their mapped classes, so the criteria are not added again
# inside themselves), each subquery keeping its own table even when the outer query reads the same
# one (`correlate_except`): a row is checked by index lookups, whereas `IN (subquery)` lists on indexed
# columns made SQLite multiply them (a million lookups for a cycle's thousand returns).
_AGENCY_LINKS, _CYCLE_LINKS = AgencyPartnership.__table__, CyclePartnership.__table__
_CYCLES, _RETURNS = Cycle.__table__, AuditReturn.__table__


def _agency_in(agency_id, ids: frozenset[int]):
    """The agency (an agency id column) is one of the partnerships'."""
    links = _AGENCY_LINKS
    return exists().where(links.c.agency_id == agency_id, links.c.partnership_id.in_(ids)).correlate_except(links)


def _cycle_in(cycle_id, ids: frozenset[int]):
    """The cycle is the partnerships' own, or joint with one of them."""
    own = exists().where(_CYCLES.c.id == cycle_id, _CYCLES.c.partnership_id.in_(ids)).correlate_except(_CYCLES)
    links = _CYCLE_LINKS
    joint = exists().where(links.c.cycle_id == cycle_id, links.c.partnership_id.in_(ids)).correlate_except(links)
    return own | joint


def _return_in(return_id, ids: frozenset[int]):
    """The return is of one of the partnerships' agencies, in one of their cycles."""
    ret = _RETURNS.alias()
    return (
        exists()
        .where(ret.c.id == return_id, _agency_in(ret.c.agency_id, ids), _cycle_in(ret.c.cycle_id, ids))
        .correlate_except(ret)
    )


def _agencies_in(ids: frozenset[int]):
    return select(AgencyPartnership.agency_id).where(AgencyPartnership.partnership_id.in_(ids))


def _cycles_in(ids: frozenset[int]):
    joint = select(CyclePartnership.cycle_id).where(CyclePartnership.partnership_id.in_(ids))
    return select(Cycle.id).where(or_(Cycle.partnership_id.in_(ids), Cycle.id.in_(joint)))


def only_scoped_returns(session: Session, statement, column):
    """A Core statement about returns (which the ORM hook does not see: an UPDATE on the bare
    table, say) narrowed to the returns of the session's partnerships; unchanged when unscoped."""
    ids = scope(session)
    if ids is None:
        return statement
    returns = select(AuditReturn.id).where(AuditReturn.agency_id.in_(_agencies_in(ids)),
                                           AuditReturn.cycle_id.in_(_cycles_in(ids)))
    return statement.where(column.in_(returns))


@lru_cache(maxsize=256)
def _criteria(ids: frozenset[int]) -> tuple:
    """Built once per set of partnerships and reused by every read (building them took longer
    than running a report's queries); the ids are bound values, so the SQL is cached too."""
    agencies = _agencies_in(ids)
    staff = select(PartnershipMember.user_id).where(PartnershipMember.partnership_id.in_(ids))
    acting = select(AgencyMember.user_id).where(AgencyMember.agency_id.in_(agencies))
    joint = select(CyclePartnership.cycle_id).where(CyclePartnership.partnership_id.in_(ids))
    # For history and e-mails, on the bare tables (so the criteria are not added inside themselves).
    cycles = select(_CYCLES.c.id).where(or_(_CYCLES.c.partnership_id.in_(ids), _CYCLES.c.id.in_(joint)))
    returns = select(_RETURNS.c.id).where(_RETURNS.c.agency_id.in_(agencies), _RETURNS.c.cycle_id.in_(cycles))
    return (
        *(with_loader_criteria(model, _return_in(model.return_id, ids)) for model in BY_RETURN),
        *(with_loader_criteria(model, _cycle_in(model.cycle_id, ids)) for model in BY_CYCLE),
        with_loader_criteria(Agency, _agency_in(Agency.id, ids)),
        with_loader_criteria(Cycle, or_(Cycle.partnership_id.in_(ids), Cycle.id.in_(joint))),
        # A partnership's own templates, and the template of a joint cycle it takes part in.
        with_loader_criteria(Template, or_(
            Template.partnership_id.in_(ids),
            Template.id.in_(select(_CYCLES.c.template_id).where(or_(_CYCLES.c.partnership_id.in_(ids), _CYCLES.c.id.in_(joint)))),
        )),
        with_loader_criteria(AuditReturn, _agency_in(AuditReturn.agency_id, ids) & _cycle_in(AuditReturn.cycle_id, ids)),
        # An agency's survey link is its own, like its return: in a joint cycle, the other area's
        # agencies' links (and staff responses) are not this partnership's.
        with_loader_criteria(SurveyLink, _agency_in(SurveyLink.agency_id, ids) & _cycle_in(SurveyLink.cycle_id, ids)),
        with_loader_criteria(User, or_(User.id.in_(staff), User.id.in_(acting), User.agency_id.in_(agencies))),
        with_loader_criteria(Partnership, Partnership.id.in_(ids)),
        *(with_loader_criteria(model, _return_in(model.return_id, ids)) for model in ALSO_BY_RETURN),
        *(with_loader_criteria(model, _cycle_in(model.cycle_id, ids)) for model in ALSO_BY_CYCLE),
        *_record_criteria(returns, cycles, staff, acting, agencies),
        # The intelligence log: about one of the partnership's agencies, or partnership-wide and
        # recorded by its staff.
        with_loader_criteria(IntelligenceEntry, or_(
            IntelligenceEntry.agency_id.in_(agencies),
            IntelligenceEntry.agency_id.is_(None) & IntelligenceEntry.recorded_by_id.in_(staff),
        )),
    )


def _record_criteria(returns, cycles, staff, acting, agencies) -> list:
    """History, e-mails and survey responses: where their return, cycle or recipient belongs."""
    theirs = or_(User.id.in_(staff), User.id.in_(acting), User.agency_id.in_(agencies))
    people = select(User.email).where(theirs)
    contacts = select(Agency.contact_email).where(Agency.id.in_(agencies)).union(
        select(Agency.executive_email).where(Agency.id.in_(agencies)))
    links = select(SurveyLink.id).where(SurveyLink.cycle_id.in_(cycles), SurveyLink.agency_id.in_(agencies))
    ours = or_(
        OutboxMessage.return_id.in_(returns),
        and_(OutboxMessage.return_id.is_(None), or_(OutboxMessage.to_email.in_(people), OutboxMessage.to_email.in_(contacts))),
    )
    return [
        # A return's (and its actions') records by the return; a cycle's by the cycle. Any other
        # subject is left alone, so no chain's head is hidden from the one appending to it.
        with_loader_criteria(HistoryRecord, or_(
            HistoryRecord.return_id.in_(returns),
            and_(HistoryRecord.return_id.is_(None),
                 or_(HistoryRecord.subject_type != "cycle", HistoryRecord.subject_id.in_(cycles))),
        )),
        # An e-mail about a return belongs with the return; any other with its recipient (one of
        # the partnerships' people, or an agency's contact or executive). An e-mail to an address
        # that is now nobody's is no partnership's, and no one's page shows it.
        with_loader_criteria(OutboxMessage, ours),
        # What the e-mail service said about one of those e-mails, or (a late bounce, which names
        # no e-mail) about one of the partnerships' people's or agencies' addresses.
        with_loader_criteria(DeliveryEvent, or_(
            DeliveryEvent.outbox_message_id.in_(select(OutboxMessage.id).where(ours)),
            func.lower(DeliveryEvent.email).in_(select(func.lower(User.email)).where(theirs)),
            DeliveryEvent.email.in_(contacts),
        )),
        with_loader_criteria(SurveyResponse, SurveyResponse.link_id.in_(links)),
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
