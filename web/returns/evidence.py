"""Evidence downloads: only to people who may see the file's return; served so a browser never runs it.

Another agency's file answers 404 like its return. The file goes out as an attachment, with its
checked content type and `nosniff`, under the path-free name it was stored with. The bytes are
streamed from the store (a folder or a private bucket) through this process, never by a link to
the store itself, so the permission check in `workflow` is the only way in.
"""

from flask import Blueprint, abort, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.common.db import read_or_404
from web.common.identity import me
from web.returns.page_helpers import evidence_store
from workflow.answering.evidence_storage import MissingEvidence
from workflow.answering.return_view import visible_file

bp = Blueprint("evidence", __name__)


@bp.route("/evidence/<int:file_id>")
@login_required
def download(file_id: int) -> ResponseReturnValue:
    record = read_or_404(visible_file, me(), file_id)
    try:
        stream = evidence_store().open(record.sha256)
    except MissingEvidence:
        abort(404)
    response = send_file(stream, mimetype=record.content_type, as_attachment=True, download_name=record.filename, max_age=0)
    response.content_length = record.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
