"""What the coordinator watches: a cycle's returns with state, deadline, overdue flag and last
activity, and the lists behind the home and cycles pages.

Each function reads in a fixed number of queries whatever the number of agencies: the progress
page of a partnership with 120 agencies must not make 120 round trips.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case
from sqlmodel import Session, func, select

from models import Agency, AuditReturn, Cycle, CycleAgency, DeadlineExtension, HistoryRecord, QaSelection, Template, User
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.cycle import CycleKind, CycleState
from workflow.access import visible_return
from workflow.answering.content import cycle_submission_deadline
from workflow.calendar import cycles, joint_cycles
from workflow.clock import today as clock_today
from workflow.errors import NotFound
from workflow.lifecycle import history
from workflow.lifecycle.machines import RETURN_LIFECYCLE


def is_overdue(status: str, deadline: date, on: date) -> bool:
    """A return is overdue once its (extended) deadline has passed and it is still not submitted."""
    return status in AWAITING_SUBMISSION and deadline < on


@dataclass(frozen=True)
class ReturnRow:
    """One agency's line on the progress page."""

    return_id: int
    agency_id: int
    agency_name: str
    sector: str
    status: str
    deadline: date
    extended: bool
    overdue: bool
    last_activity_at: datetime
    picked_for_qa: bool

    @property
    def state_title(self) -> str:
        return ReturnState(self.status).title


@dataclass(frozen=True)
class CycleProgress:
    cycle: Cycle
    by_state: dict[str, int]
    total: int
    overdue: int
    rows: list[ReturnRow]
    sectors: list[str]
    partnerships: list[str] = field(default_factory=list)  # a joint cycle's partnerships (one: not joint)


def _deadlines_subquery():
    return (
        select(DeadlineExtension.return_id, func.max(DeadlineExtension.new_deadline).label("extended_to"))
        .group_by(DeadlineExtension.return_id)
        .subquery()
    )


def cycle_progress(
    session: Session, cycle_id: int, *, state: str | None = None, sector: str | None = None, on: date | None = None
) -> CycleProgress:
    """Counts per state for the whole cycle, and the returns matching the filters (four queries)."""
    on = on or clock_today()
    status = cycles.status(session, cycle_id)  # the cycle and the counts
    cycle = status.cycle
    extended = _deadlines_subquery()
    due = cycle_submission_deadline(cycle)
    query = (
        select(
            AuditReturn.id,
            AuditReturn.agency_id,
            Agency.name,
            Agency.sector,
            AuditReturn.status,
            extended.c.extended_to,
            AuditReturn.last_activity_at,
            QaSelection.id,
        )
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .outerjoin(extended, extended.c.return_id == AuditReturn.id)
        .outerjoin(QaSelection, QaSelection.return_id == AuditReturn.id)
        .where(AuditReturn.cycle_id == cycle.id)
        .order_by(Agency.name)
    )
    if state:
        query = query.where(AuditReturn.status == state)
    if sector:
        query = query.where(Agency.sector == sector)
    rows = []
    for return_id, agency_id, name, agency_sector, row_status, extended_to, last_activity, selection_id in session.exec(query):
        deadline = max(due, extended_to) if extended_to else due
        rows.append(
            ReturnRow(
                return_id=return_id,
                agency_id=agency_id,
                agency_name=name,
                sector=agency_sector,
                status=row_status,
                deadline=deadline,
                extended=extended_to is not None and extended_to > due,
                overdue=is_overdue(row_status, deadline, on),
                last_activity_at=last_activity,
                picked_for_qa=selection_id is not None,
            )
        )
    overdue = _overdue_count(session, cycle, on) if (state or sector) else sum(r.overdue for r in rows)
    sectors = list(
        session.exec(
            select(Agency.sector)
            .join(AuditReturn, AuditReturn.agency_id == Agency.id)
            .where(AuditReturn.cycle_id == cycle.id)
            .distinct()
            .order_by(Agency.sector)
        )
    )
    taking_part = [area.name for area in joint_cycles.areas_of(session, cycle)]
    return CycleProgress(cycle, status.by_state, status.total, overdue, rows, sectors, taking_part)


def _overdue_count(session: Session, cycle: Cycle, on: date) -> int:
    """Overdue returns in the whole cycle, when the table shows only a filtered part of it."""
    extended = _deadlines_subquery()
    due = cycle_submission_deadline(cycle)
    deadline = case((extended.c.extended_to > due, extended.c.extended_to), else_=due)
    return session.exec(
        select(func.count())
        .select_from(AuditReturn)
        .outerjoin(extended, extended.c.return_id == AuditReturn.id)
        .where(AuditReturn.cycle_id == cycle.id, AuditReturn.status.in_(AWAITING_SUBMISSION), deadline < on)
    ).one()


@dataclass(frozen=True)
class CycleSummary:
    """One line of the cycles list."""

    cycle: Cycle
    template_name: str
    agencies: int

    @property
    def state_title(self) -> str:
        return CycleState(self.cycle.status).title

    @property
    def kind_title(self) -> str:
        return CycleKind(self.cycle.kind).title


def cycle_list(session: Session) -> list[CycleSummary]:
    """Every cycle, newest first, with its template and how many agencies take part (two queries).
    The agencies are those the reader may see: a joint cycle counts each partnership's own."""
    taking_part = (
        select(CycleAgency.cycle_id, func.count().label("agencies"))
        .join(Agency, Agency.id == CycleAgency.agency_id)
        .group_by(CycleAgency.cycle_id)
        .subquery()
    )
    rows = session.exec(
        select(Cycle, Template.name, taking_part.c.agencies)
        .join(Template, Template.id == Cycle.template_id)
        .outerjoin(taking_part, taking_part.c.cycle_id == Cycle.id)
        .order_by(Cycle.opens_on.desc(), Cycle.id.desc())
    ).all()
    return [CycleSummary(cycle, template_name, agencies or 0) for cycle, template_name, agencies in rows]


def agencies_of_cycle(session: Session, cycle_id: int) -> list[Agency]:
    """The agencies chosen for a cycle."""
    if session.get(Cycle, cycle_id) is None:
        raise NotFound("There is no such cycle.")
    return list(
        session.exec(
            select(Agency)
            .join(CycleAgency, CycleAgency.agency_id == Agency.id)
            .where(CycleAgency.cycle_id == cycle_id)
            .order_by(Agency.name)
        )
    )


@dataclass(frozen=True)
class AgencyReturn:
    """One of an agency's returns, for its people's home page."""

    return_id: int
    cycle_name: str
    status: str
    deadline: date
    overdue: bool

    @property
    def state_title(self) -> str:
        return ReturnState(self.status).title


def returns_of_agency(session: Session, agency_id: int, *, on: date | None = None) -> list[AgencyReturn]:
    """The agency's returns in open cycles, newest cycle first (one query)."""
    on = on or clock_today()
    extended = _deadlines_subquery()
    rows = session.exec(
        select(AuditReturn.id, Cycle, AuditReturn.status, extended.c.extended_to)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .outerjoin(extended, extended.c.return_id == AuditReturn.id)
        .where(AuditReturn.agency_id == agency_id, Cycle.status == CycleState.OPEN.value)
        .order_by(Cycle.opens_on.desc())
    ).all()
    result = []
    for return_id, cycle, status, extended_to in rows:
        due = cycle_submission_deadline(cycle)
        deadline = max(due, extended_to) if extended_to else due
        result.append(AgencyReturn(return_id, cycle.name, status, deadline, is_overdue(status, deadline, on)))
    return result


QA_STATES = (ReturnState.SUBMITTED.value, ReturnState.UNDER_QA_CHALLENGE.value, ReturnState.EVIDENCE_REQUESTED.value)
COORDINATOR_MOVES = ("return_for_amendment", "withdraw", "release")


@dataclass(frozen=True)
class ReturnOverview:
    """One return as the coordinator manages it, with the moves open to them from its state."""

    ret: AuditReturn
    cycle: Cycle
    agency: Agency
    deadline: date
    overdue: bool
    selection: QaSelection | None
    extensions: list[DeadlineExtension]
    history: list[HistoryRecord]
    moves: frozenset[str]

    @property
    def state_title(self) -> str:
        return ReturnState(self.ret.status).title


def return_overview(session: Session, actor: User, return_id: int, *, on: date | None = None) -> ReturnOverview:
    """The return's state, deadline, QA pick and history; `moves` says which buttons to offer (the
    operations still check everything when pressed)."""
    ret = visible_return(session, actor, return_id)
    cycle = session.get(Cycle, ret.cycle_id)
    extensions = list(
        session.exec(select(DeadlineExtension).where(DeadlineExtension.return_id == ret.id).order_by(DeadlineExtension.id))
    )
    deadline = max([cycle_submission_deadline(cycle), *(e.new_deadline for e in extensions)])
    selection = session.exec(select(QaSelection).where(QaSelection.return_id == ret.id)).first()
    moves = {trigger for trigger in COORDINATOR_MOVES if RETURN_LIFECYCLE.allows(trigger, ret.status)}
    if selection is not None:
        moves.discard("release")
    if ret.status in AWAITING_SUBMISSION and cycle.status == CycleState.OPEN.value:
        moves.add("extend_deadline")
    if ret.status in QA_STATES and selection is None:
        moves.add("pick_for_qa")
    return ReturnOverview(
        ret=ret,
        cycle=cycle,
        agency=session.get(Agency, ret.agency_id),
        deadline=deadline,
        overdue=is_overdue(ret.status, deadline, on or clock_today()),
        selection=selection,
        extensions=extensions,
        history=history.for_return(session, ret.id),
        moves=frozenset(moves),
    )
