"""The coordinator's partnerships: each one's name, agencies and staff, and adding an agency of one
of their partnerships to another they also work in. Making a partnership is not a page: a
deployment administrator does it with `s11 partnership add` (README)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from models.user import Role
from web.common.db import commit_or_show_errors, read_or_404
from web.common.form_checks import CheckedForm
from web.common.identity import me, roles_required
from workflow.people import partnership_overview

bp = Blueprint("partnerships", __name__)


class AddAgencyForm(CheckedForm):
    move = RadioField("Which agency, to which partnership?", widget=GovRadioInput(),
                      validators=[InputRequired(message="Choose the agency and the partnership to add it to")])
    submit = SubmitField("Add the agency", widget=GovSubmitInput())


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Who works in which partnership: coordinators only."""


@bp.route("/partnerships", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    page = read_or_404(partnership_overview.partnerships_page, me())
    form = AddAgencyForm()
    form.move.choices = [(f"{m.agency_id}-{m.partnership_id}", f"{m.agency_name} to {m.partnership_name}")
                         for m in page.may_add]
    context = {"page": page, "form": form}
    if not form.validate_on_submit():
        return render_template("coordinator/partnerships.html", **context), 422 if form.is_submitted() else 200
    agency_id, partnership_id = (int(part) for part in form.move.data.split("-"))

    def added(agency) -> ResponseReturnValue:
        flash(f"{agency.name} is now in both partnerships: each one's cycles can include it.", "success")
        return redirect(url_for("partnerships.index"))

    return commit_or_show_errors(
        partnership_overview.add_agency_to_partnership, me(), agency_id, partnership_id,
        then=added,
        otherwise=lambda reasons: (render_template("coordinator/partnerships.html", problems=reasons, **context), 422),
    )
