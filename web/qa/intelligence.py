"""The intelligence log's page: what the partnership knows about agencies and sectors between
audits, and a form to add to it. Coordinators and QA reviewers; each sees what they may."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from sqlmodel import select
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField

from models import Agency
from models.field_limits import is_whole_number
from models.intelligence import VISIBILITY
from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.forms import options
from web.common.identity import me, roles_required
from web.returns.forms import GovDateField
from web.returns.page_helpers import done
from workflow.review import intelligence

bp = Blueprint("intelligence", __name__)


class IntelligenceForm(FlaskForm):
    agency_id = SelectField("Agency", widget=GovSelect(), choices=[], validate_choice=False,
                            description="Or leave as “A whole sector” and give the sector below")
    sector = StringField(
        "Sector", widget=GovTextInput(), description="Only for intelligence about a whole sector, for example Health"
    )
    source = StringField("Source", widget=GovTextInput(), description="For example: case review, inspection, complaint")
    received_on = GovDateField("Date of the intelligence")
    summary = TextAreaField("Summary", widget=GovTextArea())
    standards = StringField("Standards it touches (optional)", widget=GovTextInput(),
                            description="Numbers separated by commas, for example 3, 5")
    visibility = RadioField("Who may see it", widget=GovRadioInput(), choices=options(list(VISIBILITY.items())), default="qa",
                            validate_choice=False)
    submit = SubmitField("Add to the log", widget=GovSubmitInput())


@bp.before_request
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def _staff_only() -> None:
    """The intelligence log is the partnership staff's."""


@bp.route("/intelligence", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    session = db()
    form = IntelligenceForm()
    agencies = session.exec(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    form.agency_id.choices = options([("", "A whole sector")] + [(str(i), n) for i, n in agencies])
    context = {"form": form, "entries": intelligence.log(session, me()), "visibility": VISIBILITY}
    if not form.validate_on_submit():
        return render_template("qa/intelligence.html", **context), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        intelligence.add_entry,
        me(),
        agency_id=int(form.agency_id.data) if is_whole_number(form.agency_id.data or "") else None,
        sector=form.sector.data or "",
        source=form.source.data or "",
        received_on=form.received_on.data,
        summary=form.summary.data or "",
        standards=form.standards.data or "",
        visibility=form.visibility.data or "",
        then=done("The intelligence is in the log.", "intelligence.index"),
        otherwise=lambda reasons: (render_template("qa/intelligence.html", problems=reasons, **context), 422),
    )
