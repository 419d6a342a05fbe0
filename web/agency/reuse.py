"""The agency's reuse page: choose one of its returns to another cycle running now, see which
questions match and which do not (and why), and reuse the standards it picks."""

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from web.common.db import commit_or_show_errors, read_or_404
from web.common.form_checks import CheckedForm
from web.common.identity import me
from web.returns.page_helpers import content_of, done
from workflow.answering import reuse

bp = Blueprint("reuse", __name__)


class ReuseForm(CheckedForm):
    standards = SelectMultipleField("Standards to reuse", coerce=int, validate_choice=False)
    submit = SubmitField("Reuse these standards", widget=GovSubmitInput())


def _context(return_id: int, source_id: int | None) -> dict:
    """The page's reads; only the agency's own users get past the first (403 or 404 otherwise)."""
    user = me()
    sources = read_or_404(reuse.sources, user, return_id)
    return {
        "content": content_of(return_id),
        "sources": sources,
        "offer": read_or_404(reuse.offer, user, return_id, source_id) if source_id else None,
    }


@bp.route("/returns/<int:return_id>/reuse")
@login_required
def choose(return_id: int) -> ResponseReturnValue:
    source_id = request.args.get("from", type=int)
    return render_template("agency/reuse.html", form=ReuseForm(), **_context(return_id, source_id))


@bp.route("/returns/<int:return_id>/reuse/<int:source_id>", methods=["POST"])
@login_required
def take(return_id: int, source_id: int) -> ResponseReturnValue:
    context = _context(return_id, source_id)
    form = ReuseForm()
    if not form.validate_on_submit():
        return render_template("agency/reuse.html", form=form, **context), 422
    return commit_or_show_errors(
        reuse.reuse,
        me(),
        return_id,
        source_id,
        list(form.standards.data or []),
        then=done(f"Answers reused from your return for {context['offer'].source_cycle_name}.", "reuse.choose",
                  return_id=return_id),
        otherwise=lambda reasons: (render_template("agency/reuse.html", form=form, problems=reasons, **context), 422),
    )
