"""A return's record, for everyone who may see the return: its action plan and its history."""

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.common.db import db
from web.returns.page_helpers import content_of, page
from workflow.answering import history_words, return_view
from workflow.lifecycle import history
from workflow.lifecycle.machines import RETURN_LIFECYCLE

bp = Blueprint("record", __name__)


@bp.route("/returns/<int:return_id>/actions")
@login_required
def action_plan(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    return page("agency/action_plan.html", content=content, rows=return_view.action_plan(db(), content))()


@bp.route("/returns/<int:return_id>/history")
@login_required
def history_page(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    status = content.ret.status
    records = history.for_return(db(), content.ret.id)
    return page(
        "agency/history.html",
        content=content,
        records=records,
        words={record.id: history_words.describe(record, content.scale) for record in records},
        steps=return_view.lifecycle_steps(status),
        mermaid=RETURN_LIFECYCLE.mermaid(status),
    )()
