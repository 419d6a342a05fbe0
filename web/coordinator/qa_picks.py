"""Picking returns for QA as a group: the cycle's submitted returns filtered by sector or statutory
status, several ticked at once, each picked with the reason given."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import SelectField, SelectMultipleField, SubmitField, TextAreaField

from models.field_limits import is_whole_number
from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.forms import options
from web.common.identity import me, roles_required
from workflow.review import intelligence, qa_picks

bp = Blueprint("qa_picks", __name__)


class PickSeveralForm(FlaskForm):
    return_ids = SelectMultipleField("Returns to pick", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    intelligence_id = SelectField(
        "Intelligence behind the pick (optional)",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="An entry of the intelligence log, recorded as the reason",
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        description="Recorded on each return picked, for example: this year QA looks at the health sector. "
        "With an intelligence entry chosen, this adds to it.",
    )
    submit = SubmitField("Pick these returns for QA", widget=GovSubmitInput())


@bp.before_request
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def _staff_only() -> None:
    """Coordinators and QA reviewers pick returns for QA."""


@bp.route("/cycles/<int:cycle_id>/qa-picks", methods=["GET", "POST"])
def pick(cycle_id: int) -> ResponseReturnValue:
    sector = request.args.get("sector", "")
    statutory = request.args.get("statutory", "")
    page = read_or_404(qa_picks.pick_page, cycle_id, sector=sector, statutory=statutory)
    form = PickSeveralForm()
    form.return_ids.choices = options(
        [(str(c.return_id), f"{c.agency_name} ({c.sector}{', statutory' if c.statutory else ''})")
         for c in page.candidates if not c.picked]
    )
    form.intelligence_id.choices = options(
        [("", "None")] + [(str(e.entry.id), f"{e.about}: {e.as_reason}"[:150]) for e in intelligence.log(db(), me())]
    )
    context = {"page": page, "form": form, "sector": sector, "statutory": statutory}
    if not form.validate_on_submit():
        return render_template("coordinator/qa_picks.html", **context), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        qa_picks.pick_several,
        me(),
        cycle_id,
        [int(v) for v in form.return_ids.data or [] if is_whole_number(v)],
        reason=form.reason.data or "",
        intelligence_id=int(form.intelligence_id.data) if is_whole_number(form.intelligence_id.data or "") else None,
        then=lambda picked: _picked(cycle_id, len(picked)),
        otherwise=lambda reasons: (render_template("coordinator/qa_picks.html", problems=reasons, **context), 422),
    )


def _picked(cycle_id: int, count: int) -> ResponseReturnValue:
    flash(f"{count} {'return was' if count == 1 else 'returns were'} picked for QA; the QA reviewers were e-mailed.",
          "success")
    return redirect(url_for("qa_picks.pick", cycle_id=cycle_id))
