"""The agency's carry-forward page: the offer of its last return's answers, evidence and open
actions for this year's full audit, and each carried standard to confirm before submitting."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField

from web.common.db import commit_or_show_errors, db
from web.common.form_checks import CheckedForm
from web.common.identity import me
from web.returns.page_helpers import content_of, done
from workflow.answering import carry_forward

bp = Blueprint("carry_forward", __name__)


class AcceptForm(CheckedForm):
    submit = SubmitField("Carry these answers forward", widget=GovSubmitInput())


class ConfirmForm(CheckedForm):
    evidence_still_current = BooleanField("The evidence more than a year old is still current", widget=GovCheckboxInput())
    submit = SubmitField("Confirm this standard", widget=GovSubmitInput())


def _context(return_id: int) -> dict:
    content = content_of(return_id)
    session, user = db(), me()
    return {
        "content": content,
        "offer": carry_forward.offer(session, user, return_id),
        "carried": carry_forward.carried_standards(session, user, return_id),
        "form": AcceptForm(),
    }


@bp.route("/returns/<int:return_id>/carry-forward")
@login_required
def offer(return_id: int) -> ResponseReturnValue:
    return render_template("agency/carry_forward.html", **_context(return_id))


@bp.route("/returns/<int:return_id>/carry-forward", methods=["POST"])
@login_required
def accept(return_id: int) -> ResponseReturnValue:
    context = _context(return_id)
    return commit_or_show_errors(
        carry_forward.accept,
        me(),
        return_id,
        then=done("Your last return's answers were carried forward: confirm each standard.", "carry_forward.offer",
                  return_id=return_id),
        otherwise=lambda reasons: (render_template("agency/carry_forward.html", problems=reasons, **context), 422),
    )


@bp.route("/returns/<int:return_id>/carry-forward/standards/<int:standard_id>", methods=["POST"])
@login_required
def confirm(return_id: int, standard_id: int) -> ResponseReturnValue:
    context = _context(return_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("agency/carry_forward.html", **context), 422
    return commit_or_show_errors(
        carry_forward.confirm_standard,
        me(),
        return_id,
        standard_id,
        evidence_still_current=bool(form.evidence_still_current.data),
        then=done("The standard is confirmed.", "carry_forward.offer", return_id=return_id),
        otherwise=lambda reasons: (render_template("agency/carry_forward.html", problems=reasons, **context), 422),
    )
