"""The append-only, hash-chained history and the check that it is intact.

Each subject (a return, an action, a cycle) has its own chain: record n carries the hash of record
n-1 and a hash of its own content, so an edit, insertion or deletion made straight in the database
breaks the chain. A subject's current state must also match the last record's `to_state`, which
catches a deleted tail.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from models import Action, AuditReturn, Cycle, HistoryRecord, User
from workflow.clock import utcnow

GENESIS = "0" * 64
# Who acted when no person did: the scheduler, or an administrator at the command line.
SYSTEM_NAME = "System"
SUBJECT_TABLES = {"return": AuditReturn, "action": Action, "cycle": Cycle}


def record_hash(record: HistoryRecord) -> str:
    """SHA-256 over the record's content and the previous record's hash."""
    content = {
        "subject_type": record.subject_type,
        "subject_id": record.subject_id,
        "seq": record.seq,
        "return_id": record.return_id,
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "at": record.at.isoformat(timespec="microseconds"),
        "trigger": record.trigger,
        "from_state": record.from_state,
        "to_state": record.to_state,
        "reason": record.reason,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append(
    session: Session,
    *,
    subject_type: str,
    subject_id: int,
    actor: User | None,
    trigger: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict | None = None,
    return_id: int | None = None,
    at: datetime | None = None,
) -> HistoryRecord:
    """Add the next record of a subject's chain; the unique (subject, seq) refuses a fork."""
    last = session.exec(
        select(HistoryRecord)
        .where(HistoryRecord.subject_type == subject_type, HistoryRecord.subject_id == subject_id)
        .order_by(HistoryRecord.seq.desc())
        .limit(1)
    ).first()
    record = HistoryRecord(
        subject_type=subject_type,
        subject_id=subject_id,
        seq=(last.seq + 1) if last else 1,
        return_id=return_id,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else SYSTEM_NAME,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details or {},
        prev_hash=last.hash if last else GENESIS,
    )
    record.at = at or utcnow()
    record.hash = record_hash(record)
    session.add(record)
    session.flush()
    return record


def start_chains(
    session: Session, *, subject_type: str, subject_ids: list[int], actor: User | None, trigger: str, to_state: str,
    details: dict | None = None, returns: bool = False,
) -> list[HistoryRecord]:
    """The first record of each of many new subjects' chains, written in one batch (a launch).

    New subjects have no record yet, so each starts at seq 1 after GENESIS: nothing to read first.
    """
    now = utcnow()
    records = []
    for subject_id in subject_ids:
        record = HistoryRecord(
            subject_type=subject_type,
            subject_id=subject_id,
            seq=1,
            return_id=subject_id if returns else None,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else SYSTEM_NAME,
            trigger=trigger,
            to_state=to_state,
            details=details or {},
            prev_hash=GENESIS,
        )
        record.at = now
        record.hash = record_hash(record)
        records.append(record)
    session.add_all(records)
    session.flush()
    return records


def for_return(session: Session, return_id: int) -> list[HistoryRecord]:
    """Everything that happened to a return and its parts, oldest first."""
    return list(
        session.exec(
            select(HistoryRecord).where(HistoryRecord.return_id == return_id).order_by(HistoryRecord.at, HistoryRecord.id)
        )
    )


@dataclass(frozen=True)
class Tampering:
    """One break in the history, said so a person can find it."""

    subject_type: str
    subject_id: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.subject_type} {self.subject_id}"
        if self.seq is not None:
            where += f", record {self.seq}"
        return f"{where}: {self.problem}"


def verify(session: Session) -> tuple[int, list[Tampering]]:
    """Check every chain; returns how many records were read and each break found."""
    problems: list[Tampering] = []
    count = 0
    chains: dict[tuple[str, int], list[HistoryRecord]] = {}
    for record in session.exec(
        select(HistoryRecord).order_by(HistoryRecord.subject_type, HistoryRecord.subject_id, HistoryRecord.seq)
    ):
        chains.setdefault((record.subject_type, record.subject_id), []).append(record)
        count += 1
    for (subject_type, subject_id), records in chains.items():
        problems.extend(_verify_chain(subject_type, subject_id, records))
        problems.extend(_verify_current_state(session, subject_type, subject_id, records))
    problems.extend(_subjects_without_history(session, chains))
    return count, problems


def _verify_chain(subject_type: str, subject_id: int, records: list[HistoryRecord]) -> list[Tampering]:
    problems = []
    previous = GENESIS
    for expected_seq, record in enumerate(records, start=1):
        if record.seq != expected_seq:
            problems.append(Tampering(subject_type, subject_id, expected_seq, f"record {expected_seq} is missing"))
            previous = record.prev_hash
        if record.prev_hash != previous:
            problems.append(Tampering(subject_type, subject_id, record.seq, "does not follow the record before it"))
        if record_hash(record) != record.hash:
            problems.append(Tampering(subject_type, subject_id, record.seq, "was changed after it was written"))
        previous = record.hash
    return problems


def _verify_current_state(session: Session, subject_type: str, subject_id: int, records: list[HistoryRecord]) -> list[Tampering]:
    table = SUBJECT_TABLES.get(subject_type)
    if table is None:
        return [Tampering(subject_type, subject_id, None, "unknown kind of subject")]
    subject = session.get(table, subject_id)
    moves = [r for r in records if r.to_state]
    if subject is None:
        return [Tampering(subject_type, subject_id, None, "has history but no longer exists")]
    if moves and moves[-1].to_state != subject.status:
        return [
            Tampering(
                subject_type,
                subject_id,
                None,
                f"is {subject.status} but its last recorded move left it {moves[-1].to_state}",
            )
        ]
    return []


def _subjects_without_history(session: Session, chains: dict) -> list[Tampering]:
    """A launched return or a created action always has at least one record."""
    problems = []
    for subject_type, table in (("return", AuditReturn), ("action", Action)):
        ids = session.exec(select(table.id)).all()
        for subject_id in ids:
            if (subject_type, subject_id) not in chains:
                problems.append(Tampering(subject_type, subject_id, None, "has no history at all"))
    return problems
