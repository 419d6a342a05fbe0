"""Operations that carry uploaded files: evidence for an evidence request, or for an action.

Every file is checked before anything is written, so a refused file saves nothing at all (not
the typed text either: the page shows it again with the reason). The bytes are stored by SHA-256
only after the records are flushed; if the transaction then fails, an unreferenced file is left,
which is harmless because the store is keyed by content.
"""

from dataclasses import dataclass

from sqlmodel import Session

from models import Action, ActionUpdate, EvidenceFile, User
from workflow.answering import actions, returns
from workflow.answering.evidence_files import CheckedFile, check_upload
from workflow.answering.evidence_storage import EvidenceStore
from workflow.errors import DomainError


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the browser gave and its bytes."""

    filename: str
    data: bytes
    question_id: int | None = None


@dataclass(frozen=True)
class RefusedUpload:
    """A file that was not kept, and why, in words naming the file."""

    upload: Upload
    reason: str


def check_each(uploads: list[Upload] | tuple[Upload, ...]) -> tuple[list[tuple[Upload, CheckedFile]], list[RefusedUpload]]:
    """Check every upload: the good ones, and each bad one with its reason."""
    checked, refused = [], []
    for upload in uploads:
        if any(part in upload.filename for part in ("/", "\\")) or upload.filename.strip(". ") == "":
            # A browser sends the file's own name; a folder path in it means a crafted request.
            shown = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:100] or upload.filename[:100]
            refused.append(RefusedUpload(
                upload, f"“{shown}” was sent with a folder path in its name. Choose the file itself and upload it again."))
            continue
        try:
            checked.append((upload, check_upload(upload.filename, upload.data)))
        except DomainError as refusal:
            refused.extend(RefusedUpload(upload, reason) for reason in refusal.reasons)
    return checked, refused


def check_all(uploads: list[Upload] | tuple[Upload, ...]) -> list[tuple[Upload, CheckedFile]]:
    """Check every upload; refuses with the reasons of every bad file at once."""
    checked, refused = check_each(uploads)
    if refused:
        raise DomainError([r.reason for r in refused])
    return checked


def store_and_record(
    session: Session,
    actor: User,
    return_id: int,
    store: EvidenceStore,
    checked: list[tuple[Upload, CheckedFile]],
    *,
    question_id: int | None = None,
    action_id: int | None = None,
    evidence_request_id: int | None = None,
) -> list[EvidenceFile]:
    """Record each checked file against the return (and question, action or request), then store it."""
    records = []
    for upload, file in checked:
        records.append(
            returns.record_evidence_file(
                session, actor, return_id, filename=file.filename, content_type=file.content_type,
                size=file.size, sha256=file.sha256, question_id=question_id or upload.question_id,
                action_id=action_id, evidence_request_id=evidence_request_id,
            )
        )
    for _upload, file in checked:
        store.save(file)
    return records


def report_progress(
    session: Session,
    actor: User,
    action_id: int,
    *,
    note: str,
    trigger: str | None,
    uploads: list[Upload] | tuple[Upload, ...],
    store: EvidenceStore,
) -> ActionUpdate:
    """A progress note on an action, perhaps moving it, with evidence files attached to the action."""
    checked = check_all(uploads)
    update = actions.update_progress(session, actor, action_id, note=note, trigger=trigger)
    action = session.get(Action, action_id)
    store_and_record(session, actor, action.return_id, store, checked, question_id=action.question_id, action_id=action.id)
    return update
