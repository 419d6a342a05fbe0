"""An agency user's colleagues: who has an account at their agency, and inviting a new one."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField

from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.forms import options, put_reasons_on_fields
from web.common.identity import me, roles_required
from workflow.people import colleagues

bp = Blueprint("colleagues", __name__)


class ColleagueForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput())
    email = StringField("E-mail address", widget=GovTextInput(), description="The invitation to set a password goes here")
    job_title = StringField("Job title (optional)", widget=GovTextInput())
    roles = SelectMultipleField(
        "What will they do?",
        widget=GovCheckboxesInput(),
        choices=options([(r.value, r.title) for r in colleagues.COLLEAGUE_ROLES]),
        validate_choice=False,
        description="Agency users fill in the return; lead persons update the actions they lead. Select all that apply.",
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def chosen_roles(self) -> set[Role]:
        return {Role(r) for r in self.roles.data or [] if r in Role._value2member_map_}


@bp.route("/colleagues")
@roles_required(Role.AGENCY_USER)
def index() -> ResponseReturnValue:
    return render_template("agency/colleagues.html", people=colleagues.colleagues(db(), me()))


@bp.route("/colleagues/invite", methods=["GET", "POST"])
@roles_required(Role.AGENCY_USER)
def invite() -> ResponseReturnValue:
    form = ColleagueForm()
    if not form.validate_on_submit():
        return render_template("agency/colleague_invite.html", form=form)

    def again(reasons: list[str]) -> ResponseReturnValue:
        return render_template("agency/colleague_invite.html", form=form, problems=put_reasons_on_fields(form, reasons)), 422

    def done(user) -> ResponseReturnValue:  # noqa: ANN001
        flash(f"An invitation was sent to {user.email}.", "success")
        return redirect(url_for("colleagues.index"))

    return commit_or_show_errors(
        colleagues.invite_colleague, me(), email=form.email.data or "", name=form.name.data or "",
        roles=form.chosen_roles(), job_title=form.job_title.data or "", then=done, otherwise=again,
    )
