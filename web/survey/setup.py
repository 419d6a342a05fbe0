"""The coordinator's survey pages for a cycle: dates, anonymity minimum and flag thresholds, each
agency's link with its count, and the import of another survey tool's results."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from models import Cycle
from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.identity import me, roles_required
from web.survey.forms import SurveySettingsForm, import_form
from workflow.errors import NotFound
from workflow.survey import counts, importing, settings

bp = Blueprint("survey_setup", __name__)


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Setting up the survey and importing results is the coordinator's work."""


def _cycle(session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle


@bp.route("/cycles/<int:cycle_id>/survey", methods=["GET", "POST"], endpoint="settings")
def settings_page(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(_cycle, cycle_id)
    current = settings.survey_of(db(), cycle_id)
    form = SurveySettingsForm(obj=current)
    context = {
        "cycle": cycle,
        "form": form,
        "survey": current,
        "links": counts.cycle_links(db(), me(), cycle_id) if current else [],
        "has_survey": settings.has_survey(db(), cycle.template_id),
    }
    if form.validate_on_submit():
        return commit_or_show_errors(
            settings.set_up_survey,
            me(),
            cycle_id,
            form.settings(),
            then=lambda _s: _saved("The survey settings are saved. Each agency's link is below.", cycle_id),
            otherwise=lambda reasons: (render_template("survey/settings.html", problems=reasons, **context), 422),
        )
    return render_template("survey/settings.html", **context), 422 if form.errors else 200


def _saved(message: str, cycle_id: int) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("survey_setup.settings", cycle_id=cycle_id))


@bp.route("/cycles/<int:cycle_id>/survey/import", methods=["GET", "POST"])
def import_page(cycle_id: int) -> ResponseReturnValue:
    cycle = read_or_404(_cycle, cycle_id)
    questions = settings.questions_of(db(), cycle.template_id)
    form = import_form([(q.ref, q.text) for q in questions])
    columns = [(q, form[f"column_{q.ref}"]) for q in questions]
    context = {"cycle": cycle, "form": form, "columns": columns}
    if form.validate_on_submit():
        upload = form.file.data
        return commit_or_show_errors(
            importing.import_responses,
            me(),
            cycle_id,
            upload.filename or "",
            upload.read(),
            form.mapping(),
            then=lambda result: _saved(
                f"The file was imported: {result.responses} responses for {result.agencies} "
                f"{'agency' if result.agencies == 1 else 'agencies'}.",
                cycle_id,
            ),
            otherwise=lambda reasons: (render_template("survey/import.html", problems=reasons, **context), 422),
        )
    return render_template("survey/import.html", **context), 422 if form.errors else 200
