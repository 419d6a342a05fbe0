"""Which evidence files the database refers to, and whether the store still holds every one.

A backup writes this inventory beside the database dump; after a restore, the same check says
whether the evidence store (a folder copied back, a bucket with its own versioning) has every file
the restored records point at, by SHA-256 and, if asked, by re-reading the bytes.
"""

import hashlib
from dataclasses import dataclass

from sqlmodel import Session, func, select

from models import EvidenceFile
from workflow.answering.evidence_storage import EvidenceStore, MissingEvidence


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def recorded_files(session: Session) -> list[StoredFile]:
    """Every distinct file the records point at (the same content uploaded twice is one file)."""
    rows = session.exec(
        select(EvidenceFile.sha256, func.max(EvidenceFile.size)).group_by(EvidenceFile.sha256).order_by(EvidenceFile.sha256)
    ).all()
    return [StoredFile(sha256, size) for sha256, size in rows]


def problems_with(store: EvidenceStore, files: list[StoredFile], *, reread: bool = False) -> list[str]:
    """One sentence per file the store lacks (or, re-read, holds with other bytes)."""
    problems = []
    for file in files:
        if not reread:
            if not store.exists(file.sha256):
                problems.append(f"missing from the evidence store: {file.sha256}")
            continue
        try:
            digest = hashlib.sha256()
            with store.open(file.sha256) as stream:
                for chunk in iter(lambda stream=stream: stream.read(1024 * 1024), b""):
                    digest.update(chunk)
        except MissingEvidence:
            problems.append(f"missing from the evidence store: {file.sha256}")
            continue
        if digest.hexdigest() != file.sha256:
            problems.append(f"changed in the evidence store (its bytes no longer hash to its name): {file.sha256}")
    return problems
