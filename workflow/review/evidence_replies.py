"""An agency's reply to an evidence request, with files: the files are checked and kept with the request.

It lives in review, not beside the other uploads in answering, because the request is QA's: it uses
the upload pieces from answering and QA's own operation.
"""

from sqlmodel import Session

from models import EvidenceRequest, User
from workflow.answering.evidence_storage import EvidenceStore
from workflow.answering.uploads import Upload, check_all, store_and_record
from workflow.errors import NotFound
from workflow.review import qa


def provide_evidence_with_files(
    session: Session,
    actor: User,
    request_id: int,
    *,
    response: str,
    uploads: list[Upload] | tuple[Upload, ...],
    store: EvidenceStore,
) -> EvidenceRequest:
    """Answer an evidence request with text and/or files (the files are kept with the request)."""
    evidence_request = session.get(EvidenceRequest, request_id)
    if evidence_request is None:
        raise NotFound("There is no such evidence request.")
    checked = check_all(uploads)
    records = store_and_record(
        session, actor, evidence_request.return_id, store, checked,
        question_id=evidence_request.question_id, evidence_request_id=evidence_request.id,
    )
    return qa.provide_evidence(session, actor, request_id, response=response, file_ids=[r.id for r in records])
