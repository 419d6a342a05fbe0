"""The triangulation report: staff agreement beside each agency's self-rating, standard by standard."""

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import read_or_404
from web.common.identity import roles_required
from workflow.calendar import joint_cycles
from workflow.survey.triangulation import triangulation as read_triangulation

bp = Blueprint("survey_report", __name__)


@bp.route("/reports/cycles/<int:cycle_id>/staff-survey")
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def triangulation(cycle_id: int) -> ResponseReturnValue:
    area = read_or_404(joint_cycles.report_area, cycle_id, request.args.get("area", ""))  # narrows what follows
    picture = read_or_404(read_triangulation, cycle_id)
    return render_template("survey/triangulation.html", t=picture, cycle=picture.cycle, area_filter=area)
