"""The lead person's pages: the actions they lead across cycles, and one action's progress.

An action's page is open to its lead person and to anyone who may see its return (another
agency's action answers 404); recording progress is `actions.update_progress`'s decision.
"""

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from models.user import AGENCY_ROLES
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.identity import me, roles_required
from web.returns.forms import ProgressForm
from web.returns.page_helpers import again, done, evidence_store, page, uploads_from
from workflow.answering import action_view
from workflow.answering.uploads import report_progress

bp = Blueprint("actions", __name__)


@bp.route("/my-actions")
@roles_required(*AGENCY_ROLES)
def index() -> ResponseReturnValue:
    return page("lead/my_actions.html", rows=action_view.my_action_rows(db(), me()))()


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def action(action_id: int) -> ResponseReturnValue:
    details = read_or_404(action_view.action_page, me(), action_id)
    form = ProgressForm().offer(details.moves)
    render = page("lead/action.html", details=details, form=form)
    if request.method == "GET":
        return render()
    if not form.validate():
        return render(), 422
    return commit_or_show_errors(
        report_progress,
        me(),
        action_id,
        note=form.note.data or "",
        trigger=form.trigger.data or None,
        uploads=uploads_from(request.files.getlist(form.file.name)),
        store=evidence_store(),
        then=done("Your progress is recorded.", "actions.action", action_id=action_id),
        otherwise=again(render),
    )
