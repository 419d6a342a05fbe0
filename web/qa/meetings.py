"""The QA sub-group's meetings: plan one with the returns to discuss, print the agenda pack, and
record who was there and the decision on each return. Coordinators and QA reviewers."""

import io

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from models.field_limits import is_whole_number
from models.user import Role
from web.common.db import commit_or_show_errors, read_or_404
from web.common.forms import options
from web.common.identity import me, roles_required
from web.returns.forms import GovDateField
from web.returns.page_helpers import done
from workflow.reporting.agenda_pack import agenda_pack_pdf
from workflow.review import qa_meetings

bp = Blueprint("qa_meetings", __name__)


class PlanMeetingForm(FlaskForm):
    held_on = GovDateField("Date of the meeting")
    return_ids = SelectMultipleField("Returns to discuss", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    submit = SubmitField("Plan the meeting", widget=GovSubmitInput())


class RecordMeetingForm(FlaskForm):
    member_ids = SelectMultipleField("Members present", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    submit = SubmitField("Record the meeting", widget=GovSubmitInput())


@bp.before_request
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def _qa_group_only() -> None:
    """The QA sub-group's pages: its reviewers and the coordinators."""


@bp.route("/cycles/<int:cycle_id>/qa-meetings", methods=["GET", "POST"])
def plan(cycle_id: int) -> ResponseReturnValue:
    view = read_or_404(qa_meetings.planning_view, cycle_id)
    form = PlanMeetingForm()
    form.return_ids.choices = options([(str(rid), name) for rid, name in view.picked])
    context = {"form": form, "cycle_id": cycle_id, "meetings": view.meetings}
    if not form.validate_on_submit():
        return render_template("qa/meetings.html", **context), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        qa_meetings.plan_meeting,
        me(),
        cycle_id,
        held_on=form.held_on.data,
        return_ids=[int(v) for v in form.return_ids.data or [] if is_whole_number(v)],
        then=lambda meeting: redirect(url_for("qa_meetings.meeting", meeting_id=meeting.id)),
        otherwise=lambda reasons: (render_template("qa/meetings.html", problems=reasons, **context), 422),
    )


@bp.route("/qa/meetings/<int:meeting_id>", methods=["GET", "POST"])
def meeting(meeting_id: int) -> ResponseReturnValue:
    view = read_or_404(qa_meetings.meeting_view, meeting_id)
    form = RecordMeetingForm()
    form.member_ids.choices = options([(str(uid), name) for uid, name in view.members])
    decisions = {item.return_id: request.form.get(f"decision-{item.return_id}", "") for item in view.items}
    context = {"view": view, "form": form, "decisions": decisions}
    if not form.validate_on_submit():
        return render_template("qa/meeting.html", **context), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        qa_meetings.record_meeting,
        me(),
        meeting_id,
        member_ids=[int(v) for v in form.member_ids.data or [] if is_whole_number(v)],
        decisions=decisions,
        then=done("The meeting is recorded; the coordinators were e-mailed its decisions.", "qa_meetings.meeting",
                  meeting_id=meeting_id),
        otherwise=lambda reasons: (render_template("qa/meeting.html", problems=reasons, **context), 422),
    )


@bp.route("/qa/meetings/<int:meeting_id>/agenda-pack.pdf")
def agenda_pack(meeting_id: int) -> ResponseReturnValue:
    data = read_or_404(agenda_pack_pdf, meeting_id)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=f"QA meeting {meeting_id} agenda pack.pdf", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
