"""The action-plan review page: each agency's live actions with their progress, overdue and
stale ones first. Coordinators and QA reviewers."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import read_or_404
from web.common.identity import roles_required
from workflow.calendar import plan_review
from workflow.clock import today

bp = Blueprint("plan_review", __name__)


@bp.route("/cycles/<int:cycle_id>/action-plan-review")
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def review(cycle_id: int) -> ResponseReturnValue:
    return render_template("coordinator/plan_review.html", review=read_or_404(plan_review.plan_review, cycle_id, on=today()))
