"""The page after signing in: each role's work, one section per role held."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from models.user import AGENCY_ROLES, Role
from web.common.db import db
from web.common.identity import me
from workflow.calendar import progress
from workflow.review import peer_review_view

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    session = db()
    user = me()
    cycles = progress.cycle_list(session) if current_user.has(Role.COORDINATOR) else []
    agency_returns = (
        progress.returns_of_agency(session, user.agency_id) if user.agency_id and current_user.has(*AGENCY_ROLES) else []
    )
    peer_reviews = peer_review_view.reviews_for(session, user)
    return render_template(
        "home/index.html", Role=Role, cycles=cycles, agency_returns=agency_returns, peer_reviews=peer_reviews
    )
