"""The executive's page: read what is being signed, give evidence for standards now fully met, and
sign with a typed name; or, in a statement year, choose a re-audit by peer review."""

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.identity import me, roles_required
from web.returns.forms import PeerReviewForm, sign_statement_form
from web.returns.page_helpers import again, done, page, the_return
from workflow.answering import content as return_content
from workflow.review import statement_view, statements
from workflow.review.statements import Improvement

bp = Blueprint("statement", __name__)


def _statement_page(return_id: int, posted: str | None = None):
    """The page's renderer and its two forms (the posted one reads the request)."""
    session, user = db(), me()
    ret = the_return(return_id)
    raisable = statements.raisable_standards(session, ret)
    sign_form = sign_statement_form(raisable, **({} if posted == "sign" else {"formdata": None}))
    peer_form = PeerReviewForm(prefix="peer") if posted == "peer" else PeerReviewForm(prefix="peer", formdata=None)
    render = page(
        "executive/statement.html",
        ret=ret,
        content=return_content.load(session, ret),
        text=statements.statement_text(session, ret),
        sign_form=sign_form,
        peer_form=peer_form,
        signed=statement_view.statement_of(session, ret.id),
        may_sign=statement_view.may_sign(session, user, ret),
        may_choose_peer_review=statement_view.may_choose_peer_review(session, user, ret),
        form=sign_form if posted == "sign" else peer_form if posted == "peer" else None,
    )
    return render, sign_form, peer_form


@bp.route("/returns/<int:return_id>/statement", methods=["GET", "POST"])
@roles_required(Role.EXECUTIVE)
def sign(return_id: int) -> ResponseReturnValue:
    if request.method == "GET":
        return _statement_page(return_id)[0]()
    render, form, _peer = _statement_page(return_id, posted="sign")
    # An empty box means "not fully met yet": only the standards given evidence are raised.
    improvements = [
        Improvement(standard.number, field.data or "")
        for standard, field in form.improvement_fields()
        if (field.data or "").strip()
    ]
    return commit_or_show_errors(
        statements.sign,
        me(),
        return_id,
        signed_name=form.signed_name.data or "",
        declaration_confirmed=bool(form.confirm.data),
        improvements=improvements,
        then=done("The statement of compliance is signed.", "statement.sign", return_id=return_id),
        otherwise=again(render),
    )


@bp.route("/returns/<int:return_id>/statement/peer-review", methods=["POST"])
@roles_required(Role.EXECUTIVE)
def peer_review(return_id: int) -> ResponseReturnValue:
    render, _sign, form = _statement_page(return_id, posted="peer")
    return commit_or_show_errors(
        statements.choose_peer_review,
        me(),
        return_id,
        reason=form.reason.data or "",
        then=done(
            "You chose a re-audit by peer review: your agency's users can now complete the return, and the partnership "
            "will pair it with a reviewer from a peer organisation.",
            "returns.view",
            return_id=return_id,
        ),
        otherwise=again(render),
    )
