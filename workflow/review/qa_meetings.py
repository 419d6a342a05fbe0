"""The QA sub-group's meetings: planned with the returns to discuss (the agenda pack is printed
from them), then recorded with the members present and a decision on each return. Each decision
goes into the return's history; the QA reviewers are told of the agenda and the coordinators of
the decisions."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Agency, AuditReturn, Cycle, QaMeeting, QaMeetingItem, QaSelection, User, UserRole
from models.user import Role
from workflow.access import require_role
from workflow.clock import uk_date, utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle.moves import note_on_return
from workflow.mail.notify import tell
from workflow.people.recipients import coordinators, qa_reviewers

MEETING_ROLES = {Role.COORDINATOR, Role.QA_REVIEWER}


@dataclass(frozen=True)
class AgendaItem:
    return_id: int
    agency_name: str
    status: str
    pick_reason: str
    decision: str


@dataclass(frozen=True)
class MeetingView:
    meeting: QaMeeting
    cycle: Cycle
    items: list[AgendaItem]
    members: list[tuple[int, str]]  # everyone who may attend: QA reviewers and coordinators
    present: list[str]

    @property
    def recorded(self) -> bool:
        return self.meeting.recorded_at is not None


def picked_returns(session: Session, cycle_id: int) -> list[tuple[int, str]]:
    """The cycle's returns picked for QA, which a meeting may discuss."""
    return list(
        session.exec(
            select(AuditReturn.id, Agency.name)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .join(QaSelection, QaSelection.return_id == AuditReturn.id)
            .where(AuditReturn.cycle_id == cycle_id)
            .order_by(Agency.name)
        )
    )


@dataclass(frozen=True)
class PlanningView:
    """The QA meetings page of a cycle: its picked returns and the meetings planned."""

    cycle_id: int
    picked: list[tuple[int, str]]
    meetings: list[QaMeeting]


def planning_view(session: Session, cycle_id: int) -> PlanningView:
    """NotFound for a cycle the person cannot see (another partnership's, say)."""
    if session.get(Cycle, cycle_id) is None:
        raise NotFound("There is no such cycle.")
    return PlanningView(cycle_id, picked_returns(session, cycle_id), meetings_of(session, cycle_id))


def meetings_of(session: Session, cycle_id: int) -> list[QaMeeting]:
    return list(session.exec(select(QaMeeting).where(QaMeeting.cycle_id == cycle_id).order_by(QaMeeting.held_on.desc())))


def plan_meeting(session: Session, actor: User, cycle_id: int, *, held_on: date | None, return_ids: list[int]) -> QaMeeting:
    """Set the meeting's date and the picked returns it will discuss."""
    require_role(session, actor, MEETING_ROLES, "plan a QA meeting")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    picked = dict(picked_returns(session, cycle_id))
    chosen = sorted(set(return_ids))
    reasons = []
    if held_on is None:
        reasons.append("Give the date of the meeting.")
    if not chosen:
        reasons.append("Choose the returns the meeting will discuss.")
    reasons += [f"Return {rid} was not picked for QA in this cycle." for rid in chosen if rid not in picked]
    if reasons:
        raise DomainError(reasons)
    meeting = QaMeeting(cycle_id=cycle.id, held_on=held_on, planned_by_id=actor.id)
    session.add(meeting)
    session.flush()
    for rid in chosen:
        session.add(QaMeetingItem(meeting_id=meeting.id, return_id=rid))
    session.flush()
    context = {
        "cycle_name": cycle.name,
        "held_on": f"{uk_date(held_on)}",
        "meeting_id": meeting.id,
        "agencies": "\n".join(f"- {picked[rid]}" for rid in chosen),
        "actor_name": actor.name,
    }
    tell(session, "qa_meeting_planned", qa_reviewers(session, cycle), context)
    return meeting


def record_meeting(
    session: Session, actor: User, meeting_id: int, *, member_ids: list[int], decisions: dict[int, str]
) -> QaMeeting:
    """The minutes: who was present and the decision on each return discussed."""
    require_role(session, actor, MEETING_ROLES, "record a QA meeting")
    view = meeting_view(session, meeting_id)
    allowed = dict(view.members)
    reasons = []
    if view.recorded:
        reasons.append("This meeting is already recorded.")
    if not member_ids:
        reasons.append("Choose the members present.")
    reasons += [f"Person {uid} is not a member of the QA sub-group." for uid in member_ids if uid not in allowed]
    for item in view.items:
        if not decisions.get(item.return_id, "").strip():
            reasons.append(f"Give the meeting's decision on {item.agency_name}'s return.")
    if reasons:
        raise DomainError(reasons)
    meeting = view.meeting
    for row in session.exec(select(QaMeetingItem).where(QaMeetingItem.meeting_id == meeting.id)):
        row.decision = decisions[row.return_id].strip()
        session.add(row)
        note_on_return(
            session, actor, session.get(AuditReturn, row.return_id), "qa_meeting_decision", reason=row.decision,
            details={"meeting": meeting.id, "held_on": str(meeting.held_on)},
        )
    meeting.members_present = sorted(set(member_ids))
    meeting.recorded_by_id = actor.id
    meeting.recorded_at = utcnow()
    session.add(meeting)
    session.flush()
    context = {
        "cycle_name": view.cycle.name,
        "held_on": f"{uk_date(meeting.held_on)}",
        "meeting_id": meeting.id,
        "present": ", ".join(allowed[uid] for uid in meeting.members_present),
        "decisions": "\n".join(f"- {i.agency_name}: {decisions[i.return_id].strip()}" for i in view.items),
    }
    tell(session, "qa_meeting_recorded", coordinators(session, view.cycle), context)
    return meeting


def meeting_view(session: Session, meeting_id: int) -> MeetingView:
    """The meeting with its agenda (pick reasons and decisions) and the people who may attend."""
    meeting = session.get(QaMeeting, meeting_id)
    if meeting is None:
        raise NotFound("There is no such meeting.")
    items = [
        AgendaItem(rid, name, status, reason or "", decision)
        for rid, name, status, reason, decision in session.exec(
            select(AuditReturn.id, Agency.name, AuditReturn.status, QaSelection.reason, QaMeetingItem.decision)
            .join(AuditReturn, AuditReturn.id == QaMeetingItem.return_id)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .outerjoin(QaSelection, QaSelection.return_id == AuditReturn.id)
            .where(QaMeetingItem.meeting_id == meeting.id)
            .order_by(Agency.name)
        )
    ]
    members = list(
        session.exec(
            select(User.id, User.name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([r.value for r in MEETING_ROLES]), User.active == True)  # noqa: E712
            .distinct()
            .order_by(User.name)
        )
    )
    names = dict(members)
    present = [names.get(uid, f"person {uid}") for uid in meeting.members_present]
    return MeetingView(meeting, session.get(Cycle, meeting.cycle_id), items, members, present)
