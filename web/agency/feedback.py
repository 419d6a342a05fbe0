"""The QA feedback letter as a PDF, for anyone who may see the return, once QA accepted it."""

import io

from flask import Blueprint, send_file
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.common.db import read_or_404
from web.returns.page_helpers import the_return
from workflow.reporting.feedback_pdf import feedback_letter_pdf

bp = Blueprint("feedback", __name__)


@bp.route("/returns/<int:return_id>/qa-feedback.pdf")
@login_required
def letter(return_id: int) -> ResponseReturnValue:
    ret = the_return(return_id)
    data = read_or_404(feedback_letter_pdf, ret.id)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"QA feedback, return {ret.id}.pdf", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
