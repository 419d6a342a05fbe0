"""Signed checkpoints of every chain's head, kept outside the database.

A chain whose last records were deleted (and its subject's status set back) is still a whole
chain: nothing inside the database can tell. A checkpoint, written daily to a folder outside the
database and sealed with the history's key, remembers each chain's length and last seal; checking
against it finds anything rewound, truncated or rewritten since. Its digest is e-mailed to the
coordinators, so a checkpoint file swapped for an older one is found too.
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from workflow.clock import utcnow
from workflow.lifecycle import sealing
from workflow.lifecycle.history import Chains, Tampering, read_chains
from workflow.mail import outbox
from workflow.people.recipients import every_coordinator

PURPOSE = "checkpoint"


class CheckpointUnreadable(Exception):
    """The file is not a checkpoint this product sealed with this key."""


@dataclass(frozen=True)
class Checkpoint:
    made_at: datetime
    records: int
    # "return:12" -> (the chain's last seq, its seal)
    heads: dict[str, tuple[int, str]]


@dataclass(frozen=True)
class WrittenCheckpoint:
    path: Path
    digest: str
    records: int
    chains: int


def default_folder() -> Path:
    """S11_CHECKPOINT_DIR, or `checkpoints` in the instance folder: keep it off the database's machine if you can."""
    if os.environ.get("S11_CHECKPOINT_DIR"):
        return Path(os.environ["S11_CHECKPOINT_DIR"])
    return Path(os.environ.get("S11_INSTANCE", "instance")) / "checkpoints"


def take(chains: Chains) -> Checkpoint:
    heads = {f"{kind}:{subject_id}": (records[-1].seq, records[-1].hash) for (kind, subject_id), records in chains.items()}
    return Checkpoint(utcnow(), sum(len(r) for r in chains.values()), heads)


def _payload(checkpoint: Checkpoint) -> bytes:
    content = {
        "made_at": checkpoint.made_at.isoformat(timespec="seconds"),
        "records": checkpoint.records,
        "heads": {name: {"seq": seq, "hash": seal} for name, (seq, seal) in sorted(checkpoint.heads.items())},
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def write(chains: Chains, folder: Path, *, daily: date | None = None) -> WrittenCheckpoint | None:
    """Seal the chains' heads into a new file in `folder`; never overwrites an earlier one.

    With `daily`, the file is that day's (`history-checkpoint-daily-YYYY-MM-DD.json`) and None
    comes back when it already exists, so two schedulers, or two runs, write it once.
    """
    checkpoint = take(chains)
    payload = _payload(checkpoint)
    document = {"checkpoint": json.loads(payload), "seal": sealing.seal(payload, purpose=PURPOSE)}
    data = (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"history-checkpoint-daily-{daily:%Y-%m-%d}" if daily else f"history-checkpoint-{checkpoint.made_at:%Y%m%dT%H%M%S%fZ}"
    path = folder / f"{stem}.json"
    try:
        with path.open("xb") as file:
            file.write(data)
    except FileExistsError:
        if daily:
            return None
        raise
    return WrittenCheckpoint(path, hashlib.sha256(data).hexdigest(), checkpoint.records, len(checkpoint.heads))


def daily_checkpoint(session: Session, on: date, folder: Path | None = None) -> int:
    """The scheduler's daily checkpoint, and its digest e-mailed to the coordinators; once a day
    however often it runs (returns 1 when it wrote one, 0 when today's was already there)."""
    written = write(read_chains(session), folder or default_folder(), daily=on)
    if written is None:
        return 0
    context = {
        "day": f"{on:%d %B %Y}", "file": str(written.path.resolve()), "records": written.records,
        "chains": written.chains, "digest": written.digest,
    }
    for email, name in every_coordinator(session):
        outbox.queue(
            session, kind="history_checkpoint", to_email=email, to_name=name, context=context,
            dedupe_key=f"history-checkpoint:{on.isoformat()}:{email.lower()}",
        )
    return 1


def read(path: Path) -> Checkpoint:
    """The checkpoint in the file, once its seal is checked; CheckpointUnreadable otherwise."""
    try:
        document = json.loads(path.read_bytes())
        content = document["checkpoint"]
        checkpoint = Checkpoint(
            datetime.fromisoformat(content["made_at"]),
            int(content["records"]),
            {name: (int(head["seq"]), str(head["hash"])) for name, head in content["heads"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointUnreadable(f"{path} is not a history checkpoint: {error}") from error
    if not sealing.seal_matches(_payload(checkpoint), document.get("seal", ""), purpose=PURPOSE):
        raise CheckpointUnreadable(f"{path} was not sealed with this history's key, or was changed since it was written")
    return checkpoint


def compare(checkpoint: Checkpoint, chains: Chains, already: list[Tampering]) -> list[Tampering]:
    """What was rewound, truncated or rewritten since the checkpoint, not repeating `already`."""
    when = f"the checkpoint of {checkpoint.made_at:%d %B %Y %H:%M} UTC"
    named = {(p.subject_type, p.subject_id) for p in already}
    problems = []
    for name, (seq, seal) in sorted(checkpoint.heads.items()):
        kind, _, subject = name.partition(":")
        subject_id = int(subject)
        records = chains.get((kind, subject_id), [])
        if not records:
            problems.append(Tampering(kind, subject_id, None, f"its whole history ({seq} records) was deleted since {when}"))
            continue
        head = next((r for r in records if r.seq == seq), None)
        last = records[-1].seq
        if last < seq:
            gone = f"record {seq} was" if last == seq - 1 else f"records {last + 1} to {seq} were"
            problems.append(Tampering(kind, subject_id, None, f"{gone} deleted since {when}"))
        elif head is None or head.hash != seal:
            if (kind, subject_id) not in named:
                problems.append(Tampering(kind, subject_id, seq, f"differs from the record {when} saw"))
    return problems
