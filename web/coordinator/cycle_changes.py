"""The coordinator's pages that change a cycle once made: correct or delete a draft, move a
launched cycle's dates, set its reminders, invite an agency mid-year, reopen a closed cycle.

Each form reports every problem in one pass: what the form could not read (a date that is not a
date) and every reason the workflow gives, each beside its field."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.forms import (
    AddAgencyToCycleForm,
    ConfirmForm,
    CycleDatesForm,
    CycleForm,
    RemindersForm,
    ReopenCycleForm,
    options,
    put_reasons_on_fields,
)
from web.common.identity import me, roles_required
from workflow.calendar import cycle_changes, cycles, joint_cycles, progress
from workflow.people import listings

bp = Blueprint("cycle_changes", __name__)


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Every page here is the coordinator's."""


def _again(template: str, form: FlaskForm, **context: Any) -> Callable[[list[str]], ResponseReturnValue]:
    """The same form with what was typed, every reason beside its field, the rest in the summary."""

    def render(reasons: list[str]) -> ResponseReturnValue:
        problems = put_reasons_on_fields(form, reasons)
        return render_template(template, form=form, problems=problems, **context), 422

    return render


def _done(message: str, cycle_id: int) -> Callable[[Any], ResponseReturnValue]:
    def then(_result: Any) -> ResponseReturnValue:
        flash(message, "success")
        return redirect(url_for("coordinator.cycle", cycle_id=cycle_id))

    return then


def fill_cycle_choices(form: CycleForm, cycle_id: int | None = None) -> None:
    """The templates, earlier full audits and active agencies a cycle may use."""
    session = db()
    form.template_id.choices = options(
        [("", "Choose a template")]
        + [(str(s.template.id), f"{s.template.name} (version {s.template.version})") for s in listings.templates(session)]
    )
    form.previous_cycle_id.choices = options(
        [("", "None")] + [(str(c.id), c.name) for c in listings.full_audit_cycles(session) if c.id != cycle_id]
    )
    form.agency_ids.choices = options([(str(a.id), a.name) for a in listings.agencies(session, active_only=True)])
    # A coordinator of several partnerships may make a joint cycle (only when a cycle is made).
    areas = joint_cycles.coordinated_by(session, me()) if cycle_id is None else []
    form.partnership_ids.choices = options([(str(a.id), a.name) for a in areas]) if len(areas) > 1 else []


@bp.route("/cycles/<int:cycle_id>/edit", methods=["GET", "POST"])
def edit(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    form = CycleForm(obj=cycle if request.method == "GET" else None)
    fill_cycle_choices(form, cycle_id)
    context = {"heading": f"Change {cycle.name}", "cycle": cycle, "button": "Save the draft"}
    if request.method == "GET":
        form.template_id.data = str(cycle.template_id)
        form.previous_cycle_id.data = str(cycle.previous_cycle_id or "")
        form.agency_ids.data = [str(a.id) for a in progress.agencies_of_cycle(db(), cycle_id)]
        form.reminder_days.data = ", ".join(str(d) for d in cycle.reminder_days)
        form.escalation_days.data = str(cycle.escalation_days)
        return render_template("coordinator/cycle_form.html", form=form, **context)
    if not form.is_submitted():
        return redirect(url_for("coordinator.cycle", cycle_id=cycle_id))
    again = _again("coordinator/cycle_form.html", form, **context)
    if not form.validate():
        return again(cycles.settings_problems(db(), form.settings(), cycle_id))
    return commit_or_show_errors(
        cycle_changes.edit_draft, me(), cycle_id, form.settings(),
        then=_done("The draft was saved.", cycle_id), otherwise=again,
    )


@bp.route("/cycles/<int:cycle_id>/delete", methods=["GET", "POST"])
def delete(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        return commit_or_show_errors(
            cycle_changes.delete_draft, me(), cycle_id,
            then=lambda name: (flash(f"{name} was deleted.", "success"), redirect(url_for("coordinator.cycles")))[1],
            otherwise=lambda reasons: (
                render_template("coordinator/cycle_delete.html", cycle=cycle, form=form, problems=reasons), 422
            ),
        )
    return render_template("coordinator/cycle_delete.html", cycle=cycle, form=form)


@bp.route("/cycles/<int:cycle_id>/dates", methods=["GET", "POST"])
def dates(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    form = CycleDatesForm(obj=cycle if request.method == "GET" else None)
    context = {"cycle": cycle}
    if not form.is_submitted():
        return render_template("coordinator/cycle_dates.html", form=form, **context)
    again = _again("coordinator/cycle_dates.html", form, **context)
    if not form.validate():
        return again(form.dates(cycle.opens_on).problems())
    return commit_or_show_errors(
        cycle_changes.change_dates, me(), cycle_id, form.dates(cycle.opens_on), reason=form.reason.data or "",
        then=_done("The dates were changed. Each agency taking part has been told.", cycle_id), otherwise=again,
    )


@bp.route("/cycles/<int:cycle_id>/reminders", methods=["GET", "POST"])
def reminders(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    form = RemindersForm()
    if request.method == "GET":
        form.reminder_days.data = ", ".join(str(d) for d in cycle.reminder_days)
        form.escalation_days.data = str(cycle.escalation_days)
    context = {"cycle": cycle}
    if not form.validate_on_submit():
        return render_template("coordinator/cycle_reminders.html", form=form, **context)
    reminder_days, escalation_days = form.chosen_reminders()
    return commit_or_show_errors(
        cycle_changes.set_reminders, me(), cycle_id, reminder_days=reminder_days, escalation_days=escalation_days,
        then=_done("The reminders were saved.", cycle_id),
        otherwise=_again("coordinator/cycle_reminders.html", form, **context),
    )


@bp.route("/cycles/<int:cycle_id>/add-agency", methods=["GET", "POST"])
def add_agency(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    taking_part = {row.agency_id for row in progress.cycle_progress(db(), cycle_id).rows}
    form = AddAgencyToCycleForm()
    form.agency_id.choices = options(
        [("", "Choose an agency")]
        + [(str(a.id), a.name) for a in listings.agencies(db(), active_only=True) if a.id not in taking_part]
    )
    context = {"cycle": cycle}
    if not form.validate_on_submit():
        return render_template("coordinator/cycle_add_agency.html", form=form, **context)
    return commit_or_show_errors(
        cycle_changes.add_agency, me(), cycle_id, form.chosen(),
        then=_done("The agency was added to the cycle and its contacts were invited by e-mail.", cycle_id),
        otherwise=_again("coordinator/cycle_add_agency.html", form, **context),
    )


@bp.route("/cycles/<int:cycle_id>/reopen", methods=["GET", "POST"])
def reopen(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(listings.cycle, cycle_id)
    form = ReopenCycleForm()
    context = {"cycle": cycle}
    if not form.is_submitted():
        return render_template("coordinator/cycle_reopen.html", form=form, **context)
    again = _again("coordinator/cycle_reopen.html", form, **context)
    if not form.validate():
        return again([])
    return commit_or_show_errors(
        cycle_changes.reopen, me(), cycle_id, reason=form.reason.data or "", statement_deadline=form.statement_deadline.data,
        then=_done("The cycle is open again.", cycle_id), otherwise=again,
    )

