"""The intelligence log: entries about an agency or a sector (source, date, summary, the standards
it touches, who may see it), shown to QA beside a return and offered as the reason for a pick."""

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, or_, select

from models import Agency, AuditReturn, IntelligenceEntry, User
from models.field_limits import is_whole_number
from models.intelligence import VISIBILITY
from models.user import Role
from workflow.access import require_role, roles_of
from workflow.clock import today
from workflow.errors import DomainError

WRITERS = {Role.COORDINATOR, Role.QA_REVIEWER}


@dataclass(frozen=True)
class Entry:
    """An entry as a page shows it: about whom, and its words."""

    entry: IntelligenceEntry
    about: str

    @property
    def as_reason(self) -> str:
        """The entry in one line, recorded as the reason a return was picked."""
        e = self.entry
        return f"Intelligence ({e.source}, {e.received_on.day} {e.received_on:%B %Y}): {e.summary}"


def _visible_levels(session: Session, actor: User) -> list[str]:
    roles = roles_of(session, actor)
    if Role.COORDINATOR in roles:
        return list(VISIBILITY)
    return ["qa"] if Role.QA_REVIEWER in roles else []


def add_entry(
    session: Session,
    actor: User,
    *,
    agency_id: int | None,
    sector: str,
    source: str,
    received_on: date | None,
    summary: str,
    standards: str,
    visibility: str,
) -> IntelligenceEntry:
    """Log one piece of intelligence about an agency or a sector."""
    require_role(session, actor, WRITERS, "add to the intelligence log")
    reasons = []
    agency = session.get(Agency, agency_id) if agency_id else None
    sector = sector.strip()
    if agency_id and agency is None:
        reasons.append("Choose an agency from the list.")
    if bool(agency) == bool(sector):
        reasons.append("Say what the intelligence is about: one agency, or a whole sector.")
    if not source.strip():
        reasons.append("Give the source, for example a case review, an inspection or a complaint.")
    if received_on is None:
        reasons.append("Give the date of the intelligence.")
    elif received_on > today():
        reasons.append("The date of the intelligence cannot be in the future.")
    if not summary.strip():
        reasons.append("Write a summary of the intelligence.")
    numbers = [n for n in re.split(r"[,\s]+", standards.strip()) if n]
    if any(not is_whole_number(n) for n in numbers):
        reasons.append("Give the standards it touches as numbers separated by commas, for example 3, 5.")
    if visibility not in VISIBILITY:
        reasons.append("Choose who may see the intelligence.")
    if reasons:
        raise DomainError(reasons)
    entry = IntelligenceEntry(
        agency_id=agency.id if agency else None,
        sector="" if agency else sector,
        source=source.strip(),
        received_on=received_on,
        summary=summary.strip(),
        standards=sorted(set(numbers), key=int),
        visibility=visibility,
        recorded_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    return entry


def log(session: Session, actor: User) -> list[Entry]:
    """Every entry the person may see, newest first."""
    levels = _visible_levels(session, actor)
    rows = session.exec(
        select(IntelligenceEntry, Agency.name)
        .outerjoin(Agency, Agency.id == IntelligenceEntry.agency_id)
        .where(IntelligenceEntry.visibility.in_(levels or [""]))
        .order_by(IntelligenceEntry.received_on.desc(), IntelligenceEntry.id.desc())
    ).all()
    return [Entry(entry, name or f"The {entry.sector} sector") for entry, name in rows]


def for_agency(session: Session, actor: User, agency_id: int) -> list[Entry]:
    """Entries about this agency or its sector that the person may see (QA's view beside a return)."""
    agency = session.get(Agency, agency_id)
    levels = _visible_levels(session, actor)
    rows = session.exec(
        select(IntelligenceEntry)
        .where(
            or_(IntelligenceEntry.agency_id == agency.id, IntelligenceEntry.sector == agency.sector),
            IntelligenceEntry.visibility.in_(levels or [""]),
        )
        .order_by(IntelligenceEntry.received_on.desc(), IntelligenceEntry.id.desc())
    ).all()
    return [Entry(e, agency.name if e.agency_id else f"The {e.sector} sector") for e in rows]


def for_return(session: Session, actor: User, ret: AuditReturn) -> list[Entry]:
    return for_agency(session, actor, ret.agency_id)
