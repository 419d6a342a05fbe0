"""The coordinator's peer review pages: the reviews arranged so far, pairing a return with a
reviewer at a peer organisation, and cancelling a review not yet submitted."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.forms import ReasonForm
from web.common.identity import me, roles_required
from web.peer.forms import arrange_form, chosen
from workflow.review import peer_review_view, peer_reviews

bp = Blueprint("peer_arrange", __name__)


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Every page here is the coordinator's: others get 403, anonymous people the sign-in page."""


@bp.route("/peer-reviews/arrange", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    arrange_page = peer_review_view.arrange_page(db())
    form = arrange_form(arrange_page)
    context = {"page": arrange_page, "form": form}
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("peer/arrange.html", **context), status
    return commit_or_show_errors(
        peer_reviews.arrange,
        me(),
        chosen(form.return_id.data),
        peer_agency_id=chosen(form.peer_agency_id.data),
        reviewer_id=chosen(form.reviewer_id.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        then=_arranged,
        otherwise=lambda reasons: (render_template("peer/arrange.html", problems=reasons, **context), 422),
    )


def _arranged(_review) -> ResponseReturnValue:
    flash("The peer review is arranged: the reviewer and the agency were e-mailed.", "success")
    return redirect(url_for("peer_arrange.index"))


@bp.route("/peer-reviews/<int:review_id>/cancel", methods=["GET", "POST"])
def cancel(review_id: int) -> ResponseReturnValue:
    read_or_404(peer_reviews.review_to_cancel, me(), review_id)
    form = ReasonForm()
    context = {
        "form": form,
        "heading": "Cancel the peer review",
        "button": "Cancel the peer review",
        "explanation": "The reviewer is told, with your reason, and can no longer read the return.",
        "reason_required": True,
        "back": url_for("peer_arrange.index"),
    }
    if not form.validate_on_submit():
        return render_template("coordinator/reason.html", **context)
    return commit_or_show_errors(
        peer_reviews.cancel,
        me(),
        review_id,
        reason=form.reason.data or "",
        then=_cancelled,
        otherwise=lambda reasons: (render_template("coordinator/reason.html", problems=reasons, **context), 422),
    )


def _cancelled(_review) -> ResponseReturnValue:
    flash("The peer review is cancelled: the reviewer was told.", "success")
    return redirect(url_for("peer_arrange.index"))
