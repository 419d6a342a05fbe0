"""The named peer reviewer's pages. Anyone signed in may open the list; a review is found only by
its reviewer (404 for everyone else), and the return is shown only between the review's dates."""

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.identity import me
from web.peer.forms import ReviewSummaryForm, findings_from, standard_forms
from web.returns.page_helpers import done
from workflow.review import peer_review_view, peer_reviews

bp = Blueprint("peer", __name__)


@bp.route("/peer-reviews")
@login_required
def index() -> ResponseReturnValue:
    return render_template("peer/index.html", reviews=peer_review_view.reviews_for(db(), me()))


@bp.route("/peer-reviews/<int:review_id>", methods=["GET", "POST"])
@login_required
def review(review_id: int) -> ResponseReturnValue:
    view = read_or_404(peer_review_view.reviewer_page, me(), review_id)
    posted = request.form if request.method == "POST" else None
    forms = standard_forms(view.standards, posted)
    summary_form = ReviewSummaryForm() if posted else ReviewSummaryForm(formdata=None)
    context = {"view": view, "forms": forms, "summary_form": summary_form}
    if posted is None:
        return render_template("peer/review.html", **context)
    return commit_or_show_errors(
        peer_reviews.submit,
        me(),
        review_id,
        findings=findings_from(forms),
        summary=summary_form.summary.data or "",
        then=done("Your peer review was submitted: the agency and the partnership were e-mailed.", "peer.review",
                  review_id=review_id),
        otherwise=lambda reasons: (render_template("peer/review.html", problems=reasons, **context), 422),
    )


