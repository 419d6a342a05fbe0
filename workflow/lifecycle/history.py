"""The append-only, sealed and chained history, and the check that it is intact.

Each subject (a return, an action, a cycle, a peer review) has its own chain: record n carries the
seal of record n-1 and a seal of its own content. A seal is an HMAC-SHA256 under a key kept outside the database
(`sealing`), so someone with only database access can neither forge a record nor re-seal the chain
after rewriting one. A subject's current state must also match its last recorded move, and each
answer and moderated rating must match the last change the history recorded. A deleted tail (the
last records removed and the status set back) leaves a shorter chain that is still whole: the
signed checkpoints kept outside the database (`checkpoints`) are what find it.
"""

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlmodel import Session, select

from models import Action, Answer, AuditReturn, Cycle, HistoryRecord, PeerReview, Question, SubmissionCopy, User
from workflow.clock import utcnow
from workflow.lifecycle import sealing

GENESIS = "0" * 64
# Who acted when no person did: the scheduler, or an administrator at the command line.
SYSTEM_NAME = "System"
SUBJECT_TABLES = {"return": AuditReturn, "action": Action, "cycle": Cycle, "peer_review": PeerReview}


def record_hash(record: "HistoryRecord | Sealed") -> str:
    """The record's seal: HMAC-SHA256, under the history's key, of its content and the previous seal."""
    return sealing.seal(_canonical(record))


@dataclass
class ChainHead:
    """The last record of one subject's chain: all a new record needs to follow it."""

    subject_type: str
    subject_id: int
    seq: int = 0
    hash: str = GENESIS


def head_of(session: Session, subject_type: str, subject_id: int) -> ChainHead:
    """The chain's head, read as its seq and seal alone (the unique (subject, seq) index finds it)."""
    last = session.exec(
        select(HistoryRecord.seq, HistoryRecord.hash)
        .where(HistoryRecord.subject_type == subject_type, HistoryRecord.subject_id == subject_id)
        .order_by(HistoryRecord.seq.desc())
        .limit(1)
    ).first()
    return ChainHead(subject_type, subject_id, *last) if last else ChainHead(subject_type, subject_id)


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
) -> "Sealed":
    """Add the next record of a subject's chain; the unique (subject, seq) refuses a fork."""
    return append_to(
        session,
        head_of(session, subject_type, subject_id),
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else SYSTEM_NAME,
        trigger=trigger,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
        return_id=return_id,
        at=at,
    )


class RecordFields(TypedDict, total=False):
    """What the writer of a record says; the chain's head gives the rest (`seal_after`)."""

    actor_id: Required[int | None]
    actor_name: Required[str]
    trigger: Required[str]
    from_state: str
    to_state: str
    reason: str
    details: dict | None
    return_id: int | None
    at: datetime | None


@dataclass(slots=True)
class Sealed:
    """A record sealed but not yet written, as plain values: making a table row object costs more
    than sealing it, and a move writes its records with one INSERT (`insert_records`) anyway."""

    subject_type: str
    subject_id: int
    seq: int
    return_id: int | None
    actor_id: int | None
    actor_name: str
    at: datetime
    trigger: str
    from_state: str
    to_state: str
    reason: str
    details: dict
    prev_hash: str
    hash: str = ""

    def row(self) -> dict[str, Any]:
        """The record's columns, as an INSERT or a HistoryRecord takes them."""
        return {name: getattr(self, name) for name in _COLUMNS}


# Every column but the id, which the database gives; Sealed has exactly these.
_COLUMNS = tuple(column.name for column in HistoryRecord.__table__.columns if column.name != "id")
assert set(_COLUMNS) == {f.name for f in fields(Sealed)}, "Sealed and history_record have drifted apart"
Record = HistoryRecord | Sealed


def append_to(session: Session, head: ChainHead, **record: Unpack[RecordFields]) -> Sealed:
    """Add the record after `head` (read by the caller, with whatever else it read) and move the
    head on to it. Only the head is read, never the chain; the unique (subject, seq) still refuses
    a fork should another writer have added a record since the head was read. What the caller
    changed first is flushed first, as before; the record itself goes in as a Core INSERT."""
    sealed = seal_after(head, **record)
    session.flush()
    insert_records(session, [sealed])
    return sealed


def seal_after(head: ChainHead, **record: Unpack[RecordFields]) -> Sealed:
    """The sealed record after `head`, not yet written (`insert_records` writes it), and the head
    moved on to it."""
    sealed = Sealed(
        subject_type=head.subject_type,
        subject_id=head.subject_id,
        seq=head.seq + 1,
        return_id=record.get("return_id"),
        actor_id=record["actor_id"],
        actor_name=record["actor_name"],
        at=record.get("at") or utcnow(),
        trigger=record["trigger"],
        from_state=record.get("from_state", ""),
        to_state=record.get("to_state", ""),
        reason=record.get("reason", ""),
        details=record.get("details") or {},
        prev_hash=head.hash,
    )
    sealed.hash = record_hash(sealed)
    head.seq, head.hash = sealed.seq, sealed.hash
    return sealed


# No RETURNING: several rows go as the driver's executemany (psycopg pipelines them), which
# measured faster than one multi-row VALUES built per call ("insertmanyvalues") on both databases.
_INSERT = HistoryRecord.__table__.insert()


def insert_records(session: Session, records: list[Sealed]) -> None:
    """Write sealed records (`seal_after`) in one INSERT: a move and the note written with it (a
    return picked as it is challenged) cost one statement. A Core INSERT on the session's
    connection (same transaction): the ORM's bulk path cost three times as much."""
    rows = [record.row() for record in records]
    session.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)


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
    """One break in the history, said once, so a person can find it."""

    subject_type: str
    subject_id: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.subject_type} {self.subject_id}"
        if self.seq is not None:
            where += f", record {self.seq}"
        return f"{where}: {self.problem}"


Chains = dict[tuple[str, int], list[HistoryRecord]]


def read_chains(session: Session) -> Chains:
    """Every subject's records, in order."""
    chains: Chains = {}
    for record in session.exec(
        select(HistoryRecord).order_by(HistoryRecord.subject_type, HistoryRecord.subject_id, HistoryRecord.seq)
    ):
        chains.setdefault((record.subject_type, record.subject_id), []).append(record)
    return chains


def verify(session: Session, chains: Chains | None = None) -> tuple[int, list[Tampering]]:
    """Check every chain; returns how many records were read and each break found, once each.

    Raises sealing.MissingHistoryKey when no key is configured: without it nothing can be checked.
    """
    sealing.history_key()
    chains = read_chains(session) if chains is None else chains
    problems: list[Tampering] = []
    for (subject_type, subject_id), records in chains.items():
        problems.extend(verify_chain(subject_type, subject_id, records))
        problems.extend(_verify_current_state(session, subject_type, subject_id, records))
    problems.extend(_subjects_without_history(session, chains))
    problems.extend(_verify_answers(session, chains))
    problems.extend(_verify_submission_copies(session, chains))
    return sum(len(r) for r in chains.values()), problems


def verify_chain(subject_type: str, subject_id: int, records: list[HistoryRecord]) -> list[Tampering]:
    """Gaps, broken links and records whose seal does not match, a run of them named once."""
    problems = []
    previous, expected = GENESIS, 1
    unsealed: list[int] = []
    for record in records:
        if record.seq > expected:
            problems.append(_missing(subject_type, subject_id, expected, record.seq - 1))
            previous = record.prev_hash  # the link across a gap cannot be checked: the gap is the problem
        if record.prev_hash != previous:
            problems.append(Tampering(subject_type, subject_id, record.seq, "does not follow the record before it"))
        if not sealing.seal_matches(_canonical(record), record.hash):
            if unsealed and unsealed[-1] != record.seq - 1:
                problems.append(_unsealed(subject_type, subject_id, unsealed))
                unsealed = []
            unsealed.append(record.seq)
        elif unsealed:
            problems.append(_unsealed(subject_type, subject_id, unsealed))
            unsealed = []
        previous, expected = record.hash, record.seq + 1
    if unsealed:
        problems.append(_unsealed(subject_type, subject_id, unsealed))
    return problems


def _missing(subject_type: str, subject_id: int, first: int, last: int) -> Tampering:
    if first == last:
        return Tampering(subject_type, subject_id, first, "is missing (deleted from the database)")
    return Tampering(subject_type, subject_id, None, f"records {first} to {last} are missing (deleted from the database)")


def _unsealed(subject_type: str, subject_id: int, seqs: list[int]) -> Tampering:
    how = "outside the product: its seal does not match the history's key"
    if len(seqs) == 1:
        return Tampering(subject_type, subject_id, seqs[0], f"was changed or added {how}")
    return Tampering(
        subject_type, subject_id, None, f"records {seqs[0]} to {seqs[-1]} were changed or added {how.replace('its', 'their')}"
    )


def _canonical(record: "HistoryRecord | Sealed") -> bytes:
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
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


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


def _subjects_without_history(session: Session, chains: Chains) -> list[Tampering]:
    """A launched return, a created action or a created cycle always has at least one record."""
    problems = []
    for subject_type, table in (("return", AuditReturn), ("action", Action), ("cycle", Cycle)):
        ids = session.exec(select(table.id)).all()
        for subject_id in ids:
            if (subject_type, subject_id) not in chains:
                problems.append(Tampering(subject_type, subject_id, None, "has no history at all"))
    return problems


ANSWER_FIELDS = ("rating", "narrative", "evidence_description", "not_applicable_reason")


def _verify_answers(session: Session, chains: Chains) -> list[Tampering]:
    """Each answer (and its moderated rating) is what the last change recorded in its return's history says."""
    refs = dict(session.exec(select(Question.id, Question.ref)).all())
    answers: dict[int, dict[int, Answer]] = {}
    for answer in session.exec(select(Answer)):
        answers.setdefault(answer.return_id, {})[answer.question_id] = answer
    problems = []
    for (subject_type, subject_id), records in chains.items():
        if subject_type != "return":
            continue
        recorded: dict[int, dict] = {}
        moderated: dict[str, str | None] = {}
        for record in records:
            if record.trigger == "answer" and "question_id" in record.details:
                recorded[record.details["question_id"]] = record.details
            elif record.trigger == "moderate":
                moderated[record.details.get("question", "")] = record.details.get("moderated")
        if not recorded:
            continue  # a return answered before answers were recorded: nothing to compare with
        for question_id, answer in answers.get(subject_id, {}).items():
            ref = refs.get(question_id, str(question_id))
            said = recorded.get(question_id)
            if said is None:
                problems.append(Tampering("return", subject_id, None, f"question {ref} has an answer its history never recorded"))
                continue
            changed = [name for name in ANSWER_FIELDS if (getattr(answer, name) or None) != (said.get(name) or None)]
            if changed:
                fields = ", ".join(name.replace("_", " ") for name in changed)
                problems.append(
                    Tampering(
                        "return", subject_id, None, f"question {ref}'s {fields} differs from the last change its history recorded"
                    )
                )
            if (answer.moderated_rating or None) != (moderated.get(ref) or None):
                problems.append(
                    Tampering("return", subject_id, None, f"question {ref}'s moderated rating differs from what QA recorded")
                )
    return problems


def _verify_submission_copies(session: Session, chains: Chains) -> list[Tampering]:
    """Each frozen copy is the one whose SHA-256 its submit record sealed, and none is missing."""
    sealed: dict[tuple[int, int], str] = {}
    for (subject_type, subject_id), records in chains.items():
        if subject_type == "return":
            for record in records:
                if record.trigger == "submit" and "copy_sha256" in record.details:
                    sealed[(subject_id, record.details.get("copy_number"))] = record.details["copy_sha256"]
    problems = []
    for copy in session.exec(select(SubmissionCopy).order_by(SubmissionCopy.return_id, SubmissionCopy.number)):
        recorded = sealed.pop((copy.return_id, copy.number), None)
        actual = hashlib.sha256(copy.canonical_json.encode()).hexdigest()
        if recorded is None or actual != recorded or copy.sha256 != recorded:
            problems.append(
                Tampering(
                    "return",
                    copy.return_id,
                    None,
                    f"the frozen copy of submission {copy.number} is not the one its history sealed",
                )
            )
    for return_id, number in sealed:
        problems.append(Tampering("return", return_id, None, f"the frozen copy of submission {number} is missing"))
    return problems
