"""An agency's own survey page: the link to share with its staff, and how many have answered."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import read_or_404
from web.common.identity import me, roles_required
from workflow.survey import counts

bp = Blueprint("survey_agency", __name__)


@bp.route("/your-staff-survey")
@roles_required(Role.AGENCY_USER, Role.EXECUTIVE)
def index() -> ResponseReturnValue:
    return render_template("survey/agency.html", links=read_or_404(counts.agency_links, me()))
