"""The agency's peer review page: the reviewer's view of each standard beside the agency's rating,
and the agency's written answer once the review is submitted."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from web.common.db import commit_or_show_errors, db
from web.common.identity import me
from web.peer.forms import AnswerPeerReviewForm
from web.returns.page_helpers import content_of, done
from workflow.review import peer_review_view, peer_reviews

bp = Blueprint("agency_peer", __name__)


def _context(return_id: int, posted: bool) -> dict:
    content = content_of(return_id)
    session, user = db(), me()
    reviews = peer_review_view.reviews_of_return(session, content)
    answerable = next((r for r in reviews if peer_review_view.may_answer(session, user, r.review, content.ret)), None)
    form = AnswerPeerReviewForm() if posted else AnswerPeerReviewForm(formdata=None)
    return {"content": content, "reviews": reviews, "answerable": answerable, "answer_form": form, "form": form}


@bp.route("/returns/<int:return_id>/peer-review")
@login_required
def view(return_id: int) -> ResponseReturnValue:
    return render_template("agency/peer_review.html", **_context(return_id, posted=False))


@bp.route("/returns/<int:return_id>/peer-review", methods=["POST"])
@login_required
def answer(return_id: int) -> ResponseReturnValue:
    context = _context(return_id, posted=True)
    # The latest submitted review; who may answer it is the operation's check.
    review_id = next((r.review.id for r in context["reviews"] if r.review.status == "submitted"), 0)
    return commit_or_show_errors(
        peer_reviews.answer,
        me(),
        review_id,
        response=context["answer_form"].response.data or "",
        then=done("Your answer was sent to the reviewer and the partnership.", "agency_peer.view", return_id=return_id),
        otherwise=lambda reasons: (render_template("agency/peer_review.html", problems=reasons, **context), 422),
    )
