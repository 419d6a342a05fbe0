"""The coordinator's pages: agencies, people, templates, cycles and their progress, and the moves a
coordinator makes on a return. Each view checks the role, calls one workflow operation, renders."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from models.audit_return import ReturnState
from models.field_limits import is_whole_number
from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.forms import (
    AgencyForm,
    ConfirmForm,
    CycleForm,
    DipSampleForm,
    ExtendDeadlineForm,
    InviteForm,
    PersonForm,
    ReasonForm,
    UploadForm,
    options,
    put_reasons_on_fields,
)
from web.common.identity import me, roles_required
from web.common.pagination import page_asked, pagination
from web.common.templating import possessive
from web.coordinator.cycle_changes import fill_cycle_choices
from workflow.calendar import cycles, deadlines, progress
from workflow.clock import uk_date
from workflow.people import accounts, agencies, colleagues, directories, listings, users
from workflow.people.sectors import SECTOR_NAMES, SECTORS
from workflow.review import qa
from workflow.templates.uploads import install_upload

bp = Blueprint("coordinator", __name__)


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Every page here is the coordinator's: others get 403, anonymous people the sign-in page."""


def _done(message: str, endpoint: str, **values: Any) -> Callable[[Any], ResponseReturnValue]:
    def then(_result: Any) -> ResponseReturnValue:
        flash(message, "success")
        return redirect(url_for(endpoint, **values))

    return then


def _page(template: str, **context: Any) -> Callable[[list[str]], ResponseReturnValue]:
    """Re-render the form with the workflow's reasons (what was typed stays in the form), each
    reason that names a field shown beside it."""

    def again(reasons: list[str]) -> ResponseReturnValue:
        problems = put_reasons_on_fields(context.get("form"), reasons)
        return render_template(template, problems=problems, **context), 422

    return again


def _uploaded_text(file: FileStorage) -> str:
    """Spreadsheet programs save CSV as UTF-8 (often with a BOM) or as Windows-1252."""
    data = file.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# --- Agencies ---------------------------------------------------------------------------------


@bp.route("/agencies", endpoint="agencies")
def agencies_list() -> ResponseReturnValue:
    """Searched, filtered and paged: a partnership may have sixty agencies or more."""
    session = db()
    filters = directories.AgencyFilters(
        search=request.args.get("q", "")[:200],
        sector=request.args.get("sector", "")[:80],
        statutory={"yes": True, "no": False}.get(request.args.get("statutory", "")),
    )
    found = directories.agency_page(session, filters, page_asked())
    return render_template(
        "coordinator/agencies.html", found=found, filters=filters, pages=pagination(found, "coordinator.agencies"),
        sectors=directories.sectors_in_use(session), names=listings.agency_names(session),
    )


def _agency_form(agency_id: int | None = None) -> AgencyForm:
    session = db()
    agency = read_or_404(listings.agency, agency_id) if agency_id else None
    names = listings.agency_names(session)
    form = AgencyForm(obj=agency)
    if agency is not None and request.method == "GET":
        form.statutory.data = "yes" if agency.statutory else "no"
        form.commissioned_by.data = names.get(agency.commissioned_by_id, "")
    if agency is not None and agency.sector not in SECTOR_NAMES:
        form.sector.choices = [*form.sector.choices, *options([(agency.sector, agency.sector)])]  # an older, free-typed one
    form.commissioned_by.choices = options(
        [("", "None")] + [(name, name) for id_, name in sorted(names.items(), key=lambda item: item[1]) if id_ != agency_id]
    )
    return form


@bp.route("/agencies/new", methods=["GET", "POST"])
def agency_new() -> ResponseReturnValue:
    form = _agency_form()
    page = {"form": form, "heading": "Add an agency"}
    if form.validate_on_submit():
        return commit_or_show_errors(
            agencies.save_agency,
            me(),
            form.details(),
            then=lambda agency: _done(f"{agency.name} was added.", "coordinator.agencies")(agency),
            otherwise=_page("coordinator/agency_form.html", **page),
        )
    return render_template("coordinator/agency_form.html", **page)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
def agency_edit(agency_id: int) -> ResponseReturnValue:
    form = _agency_form(agency_id)
    page = {"form": form, "heading": "Change an agency's details"}
    if form.validate_on_submit():
        return commit_or_show_errors(
            agencies.save_agency,
            me(),
            form.details(),
            agency_id,
            then=lambda agency: _done(f"{possessive(agency.name)} details were saved.", "coordinator.agencies")(agency),
            otherwise=_page("coordinator/agency_form.html", **page),
        )
    return render_template("coordinator/agency_form.html", **page)


@bp.route("/agencies/import", methods=["GET", "POST"])
def agencies_import() -> ResponseReturnValue:
    form = UploadForm()
    page = {"form": form, "columns": agencies.CSV_COLUMNS, "sectors": SECTORS}
    if form.validate_on_submit():
        return commit_or_show_errors(
            agencies.import_file,
            me(),
            form.file.data.filename or "",
            form.file.data.read(),
            then=lambda result: _done(
                f"The file was imported: {result.added} agencies added, {result.updated} updated.", "coordinator.agencies"
            )(result),
            otherwise=_page("coordinator/agencies_import.html", **page),
        )
    return render_template("coordinator/agencies_import.html", **page)


# --- People -----------------------------------------------------------------------------------


@bp.route("/people")
def people() -> ResponseReturnValue:
    """Searched, filtered and paged: a partnership of sixty agencies has two hundred accounts or more."""
    session = db()
    role = request.args.get("role", "")
    agency = request.args.get("agency", "")
    filters = directories.PeopleFilters(
        search=request.args.get("q", "")[:200],
        role=Role(role) if role in Role._value2member_map_ else None,
        agency_id=int(agency) if is_whole_number(agency) and len(agency) < 10 else None,
        status=request.args.get("status", "") if request.args.get("status", "") in directories.STATUSES else "",
    )
    found = directories.people_page(session, filters, page_asked())
    return render_template(
        "coordinator/people.html", found=found, filters=filters, pages=pagination(found, "coordinator.people"),
        roles=list(Role), agencies=listings.agencies(session), statuses=directories.STATUSES,
        inviters=colleagues.inviter_names(session, [row.user for row in found.rows]),
    )


@bp.route("/people/invite", methods=["GET", "POST"])
def invite() -> ResponseReturnValue:
    form = InviteForm()
    form.agency_id.choices = options([("", "None")] + [(str(a.id), a.name) for a in listings.agencies(db(), active_only=True)])
    if form.validate_on_submit():
        return commit_or_show_errors(
            accounts.invite_user,
            me(),
            email=form.email.data or "",
            name=form.name.data or "",
            roles=form.chosen_roles(),
            agency_id=form.chosen_agency(),
            job_title=form.job_title.data or "",
            then=lambda user: _done(f"An invitation was sent to {user.email}.", "coordinator.people")(user),
            otherwise=_page("coordinator/invite.html", form=form),
        )
    return render_template("coordinator/invite.html", form=form)


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int) -> ResponseReturnValue:
    return _button(
        accounts.deactivate_user,
        user_id,
        then=lambda user: _done(f"{user.name} can no longer sign in.", "coordinator.people")(user),
        back=url_for("coordinator.people"),
    )


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
def person_edit(user_id: int) -> ResponseReturnValue:
    person = read_or_404(listings.person, user_id)
    form = PersonForm(obj=person.user if request.method == "GET" else None)
    form.agency_id.choices = options([("", "None")] + [(str(a.id), a.name) for a in listings.agencies(db(), active_only=True)])
    if request.method == "GET":
        form.roles.data = [r.value for r in person.roles]
        form.agency_id.data = str(person.user.agency_id or "")
    page = {"form": form, "person": person}
    if form.validate_on_submit():
        return commit_or_show_errors(
            users.edit_user,
            me(),
            user_id,
            name=form.name.data or "",
            roles=form.chosen_roles(),
            agency_id=form.chosen_agency(),
            job_title=form.job_title.data or "",
            then=lambda user: _done(f"{possessive(user.name)} details were saved.", "coordinator.people")(user),
            otherwise=_page("coordinator/person_form.html", **page),
        )
    return render_template("coordinator/person_form.html", **page)


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int) -> ResponseReturnValue:
    return _button(
        users.reactivate_user,
        user_id,
        then=lambda user: _done(f"{user.name} can sign in again.", "coordinator.people")(user),
        back=url_for("coordinator.people"),
    )


@bp.route("/people/<int:user_id>/resend-invitation", methods=["POST"])
def resend_invitation(user_id: int) -> ResponseReturnValue:
    return _button(
        accounts.resend_invitation,
        user_id,
        then=lambda user: _done(f"A new invitation was sent to {user.email}.", "coordinator.people")(user),
        back=url_for("coordinator.people"),
    )


def _button(
    operation: Callable[..., Any], *args: Any, then: Callable[[Any], ResponseReturnValue], back: str
) -> ResponseReturnValue:
    """A move made with one button: refusals are shown on a page that leads back."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(back)
    return commit_or_show_errors(
        operation,
        me(),
        *args,
        then=then,
        otherwise=lambda reasons: (render_template("coordinator/refused.html", problems=reasons, back=back), 422),
    )


# --- Templates --------------------------------------------------------------------------------


@bp.route("/templates")
def templates() -> ResponseReturnValue:
    return render_template("coordinator/templates.html", templates=listings.templates(db()))


@bp.route("/templates/<int:template_id>")
def template(template_id: int) -> ResponseReturnValue:
    return render_template("coordinator/template.html", detail=read_or_404(listings.template_detail, template_id))


@bp.route("/templates/upload", methods=["GET", "POST"])
def template_upload() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        return commit_or_show_errors(
            install_upload,
            me(),
            filename=file.filename or "",
            text=_uploaded_text(file),
            then=lambda t: _done(f"{t.name} version {t.version} was loaded.", "coordinator.template", template_id=t.id)(t),
            otherwise=_page("coordinator/template_upload.html", form=form),
        )
    return render_template("coordinator/template_upload.html", form=form)


# --- Cycles -----------------------------------------------------------------------------------


@bp.route("/cycles", endpoint="cycles")
def cycles_list() -> ResponseReturnValue:
    return render_template("coordinator/cycles.html", cycles=progress.cycle_list(db()))


@bp.route("/cycles/new", methods=["GET", "POST"])
def cycle_new() -> ResponseReturnValue:
    form = CycleForm()
    fill_cycle_choices(form)
    page = {"heading": "Create a cycle", "button": "Create cycle"}
    if not form.is_submitted():
        return render_template("coordinator/cycle_form.html", form=form, **page)
    again = _page("coordinator/cycle_form.html", form=form, **page)
    if not form.validate():  # what the form could not read, beside every reason the workflow gives
        return again(cycles.settings_problems(db(), form.settings()))
    return commit_or_show_errors(
        cycles.create_cycle,
        me(),
        **form.settings().__dict__,
        then=lambda cycle: _done(
            f"{cycle.name} was created as a draft. Launch it to invite the agencies.", "coordinator.cycle", cycle_id=cycle.id
        )(cycle),
        otherwise=again,
    )


@bp.route("/cycles/<int:cycle_id>")
def cycle(cycle_id: int) -> ResponseReturnValue:
    """The progress page: counts per state, and each agency's return, filtered by state and sector."""
    state = request.args.get("state") or None
    sector = request.args.get("sector") or None
    if state and state not in ReturnState._value2member_map_:
        state = None
    report = read_or_404(progress.cycle_progress, cycle_id, state=state, sector=sector)
    agencies_chosen = progress.agencies_of_cycle(db(), cycle_id) if report.cycle.status == "draft" else []
    return render_template(
        "coordinator/cycle.html",
        report=report,
        states=list(ReturnState),
        state=state,
        sector=sector,
        agencies_chosen=agencies_chosen,
    )


@bp.route("/cycles/<int:cycle_id>/launch", methods=["POST"])
def cycle_launch(cycle_id: int) -> ResponseReturnValue:
    return _button(
        cycles.launch,
        cycle_id,
        then=lambda returns: _done(
            f"The cycle is open: {len(returns)} agencies were invited.", "coordinator.cycle", cycle_id=cycle_id
        )(returns),
        back=url_for("coordinator.cycle", cycle_id=cycle_id),
    )


@bp.route("/cycles/<int:cycle_id>/close", methods=["GET", "POST"])
def cycle_close(cycle_id: int) -> ResponseReturnValue:
    cycle_row = read_or_404(listings.cycle, cycle_id)
    form = ReasonForm()
    page = {
        "form": form,
        "heading": f"Close {cycle_row.name}",
        "button": "Close the cycle",
        "reason_required": False,
        "explanation": "Once closed, no more returns can be submitted; each return keeps the state it reached.",
        "back": url_for("coordinator.cycle", cycle_id=cycle_id),
    }
    if form.validate_on_submit():
        return commit_or_show_errors(
            cycles.close,
            me(),
            cycle_id,
            reason=form.reason.data or "",
            then=_done("The cycle is closed.", "coordinator.cycle", cycle_id=cycle_id),
            otherwise=_page("coordinator/reason.html", **page),
        )
    return render_template("coordinator/reason.html", **page)


@bp.route("/cycles/<int:cycle_id>/dip-sample", methods=["GET", "POST"])
def dip_sample(cycle_id: int) -> ResponseReturnValue:
    report = read_or_404(progress.cycle_progress, cycle_id, state=ReturnState.SUBMITTED.value)
    form = DipSampleForm()
    page = {"form": form, "report": report}
    if form.validate_on_submit():
        return commit_or_show_errors(
            qa.draw_dip_sample,
            me(),
            cycle_id,
            count=form.count.data,
            seed=(form.seed.data or "").strip() or None,
            then=lambda drawn: _drawn(cycle_id, drawn),
            otherwise=_page("coordinator/dip_sample.html", **page),
        )
    return render_template("coordinator/dip_sample.html", **page)


def _drawn(cycle_id: int, drawn: list) -> ResponseReturnValue:
    seed = drawn[0].seed if drawn else ""
    flash(f"{len(drawn)} returns were drawn for QA with seed {seed}. Give this seed to repeat the draw.", "success")
    return redirect(url_for("coordinator.cycle", cycle_id=cycle_id))


# --- One return -------------------------------------------------------------------------------


def _overview(cycle_id: int, return_id: int) -> progress.ReturnOverview:
    overview = read_or_404(progress.return_overview, me(), return_id)
    if overview.cycle.id != cycle_id:
        abort(404)
    return overview


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>")
def return_page(cycle_id: int, return_id: int) -> ResponseReturnValue:
    return render_template("coordinator/return.html", overview=_overview(cycle_id, return_id))


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>/extend-deadline", methods=["GET", "POST"])
def extend_deadline(cycle_id: int, return_id: int) -> ResponseReturnValue:
    overview = _overview(cycle_id, return_id)
    form = ExtendDeadlineForm()
    page = {"form": form, "overview": overview}
    if form.validate_on_submit():
        return commit_or_show_errors(
            deadlines.extend_deadline,
            me(),
            return_id,
            new_deadline=form.new_deadline.data,
            reason=form.reason.data or "",
            then=lambda ext: _done(
                f"{possessive(overview.agency.name)} deadline is now {uk_date(ext.new_deadline)}. The agency has been told.",
                "coordinator.cycle",
                cycle_id=cycle_id,
            )(ext),
            otherwise=_page("coordinator/extend_deadline.html", **page),
        )
    return render_template("coordinator/extend_deadline.html", **page)


def _reason_move(
    cycle_id: int,
    return_id: int,
    operation: Callable[..., Any],
    *,
    heading: str,
    button: str,
    explanation: str,
    done: str,
    hint: str = "",
) -> ResponseReturnValue:
    """Moves that must say why: the reason is kept in the history and e-mailed where it applies."""
    overview = _overview(cycle_id, return_id)
    form = ReasonForm()
    form.reason.description = hint
    page = {
        "form": form,
        "heading": f"{heading}: {overview.agency.name}",
        "button": button,
        "explanation": explanation,
        "reason_required": True,
        "back": url_for("coordinator.return_page", cycle_id=cycle_id, return_id=return_id),
    }
    if form.validate_on_submit():
        return commit_or_show_errors(
            operation,
            me(),
            return_id,
            reason=form.reason.data or "",
            then=_done(done, "coordinator.return_page", cycle_id=cycle_id, return_id=return_id),
            otherwise=_page("coordinator/reason.html", **page),
        )
    return render_template("coordinator/reason.html", **page)


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>/pick-for-qa", methods=["GET", "POST"])
def pick_for_qa(cycle_id: int, return_id: int) -> ResponseReturnValue:
    return _reason_move(
        cycle_id,
        return_id,
        qa.pick_by_hand,
        heading="Pick for QA",
        button="Pick for QA",
        explanation="An intelligence-led pick: the QA sub-group will review this return.",
        hint="For example, a serious case review named this agency",
        done="The return was picked for QA.",
    )


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>/return-for-amendment", methods=["GET", "POST"])
def return_for_amendment(cycle_id: int, return_id: int) -> ResponseReturnValue:
    return _reason_move(
        cycle_id,
        return_id,
        qa.return_for_amendment,
        heading="Return for amendment",
        button="Return for amendment",
        explanation="The return goes back to the agency to change and submit again. They are told your reason by e-mail.",
        hint="Say what the agency must change",
        done="The return was sent back for amendment.",
    )


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>/withdraw", methods=["GET", "POST"])
def withdraw(cycle_id: int, return_id: int) -> ResponseReturnValue:
    return _reason_move(
        cycle_id,
        return_id,
        qa.withdraw,
        heading="Withdraw the return",
        button="Withdraw the return",
        explanation="A withdrawn return leaves this year's audit and cannot be brought back.",
        hint="For example, the agency closed or merged",
        done="The return was withdrawn.",
    )


@bp.route("/cycles/<int:cycle_id>/returns/<int:return_id>/release", methods=["POST"])
def release(cycle_id: int, return_id: int) -> ResponseReturnValue:
    _overview(cycle_id, return_id)
    return _button(
        qa.release_without_qa,
        return_id,
        then=_done(
            "The action plan is open: QA did not pick this return.",
            "coordinator.return_page",
            cycle_id=cycle_id,
            return_id=return_id,
        ),
        back=url_for("coordinator.return_page", cycle_id=cycle_id, return_id=return_id),
    )
