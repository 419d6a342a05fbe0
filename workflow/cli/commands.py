"""The `s11` command: set up the database, load templates and agencies, run cycles, check history."""

import os
import shutil
import sys
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from models import Agency, Cycle, Template
from models.audit_return import ReturnState
from models.cycle import CycleKind
from models.db import database_url, make_engine, transaction
from models.migrate import upgrade
from models.user import Role
from notifications.messages import base_url
from workflow.calendar import cycles
from workflow.cli import demo
from workflow.errors import DomainError
from workflow.lifecycle import history
from workflow.lifecycle.machines import ACTION_LIFECYCLE, CYCLE_LIFECYCLE, RETURN_LIFECYCLE
from workflow.people import agencies, users
from workflow.survey import counts as survey_counts
from workflow.survey import importing as survey_importing
from workflow.survey import settings as survey_settings
from workflow.templates import installing as templates
from workflow.templates.files import TemplateFileError


def _engine():
    return make_engine(database_url())


def _fail(error: Exception) -> None:
    """Say every reason, one a line, and exit non-zero; nothing was saved."""
    reasons = getattr(error, "reasons", None) or [str(error)]
    for reason in reasons:
        click.echo(f"Error: {reason}", err=True)
    click.echo("Nothing was saved.", err=True)
    sys.exit(1)


@click.group(
    help="Run a safeguarding children partnership's annual Section 11 audit.\n\n"
    "The database is DATABASE_URL, or SQLite in ./instance when it is not set."
)
def main() -> None:
    pass


@main.group(help="Create or upgrade the database schema.")
def db() -> None:
    pass


@db.command("upgrade", help="Create the database, or bring it up to date, through the migrations.")
def db_upgrade() -> None:
    url = database_url()
    upgrade(url)
    click.echo(f"The database is up to date ({_safe(url)}).")


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@main.group(help="Standards templates.")
def template() -> None:
    pass


@template.command("load", help="Load a template file (YAML or JSON) as a new version.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template_load(path: Path) -> None:
    try:
        with transaction(_engine()) as session:
            loaded = templates.install_file(session, None, path)
            count = templates.question_count(session, loaded.id)
    except TemplateFileError as error:
        for problem in error.errors:
            click.echo(f"Error: {problem}", err=True)
        click.echo("Nothing was saved.", err=True)
        sys.exit(1)
    except DomainError as error:
        _fail(error)
    click.echo(f"Loaded “{loaded.name}” ({loaded.key} version {loaded.version}): {count} questions.")


@template.command("list", help="List the loaded templates.")
def template_list() -> None:
    with Session(_engine()) as session:
        rows = session.exec(select(Template).order_by(Template.key, Template.version)).all()
    if not rows:
        click.echo("No templates yet: load one with `s11 template load FILE`.")
    for row in rows:
        click.echo(f"{row.key} v{row.version}: {row.name}")


@main.group("agencies", help="The partnership's agencies.")
def agencies_group() -> None:
    pass


@agencies_group.command(
    "import",
    help=f"Add or update agencies from a CSV file with the columns: {', '.join(agencies.CSV_COLUMNS)}. "
    "A bad row refuses the whole file.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def agencies_import(path: Path) -> None:
    try:
        with transaction(_engine()) as session:
            result = agencies.import_csv(session, None, path.read_text(encoding="utf-8-sig"))
    except DomainError as error:
        _fail(error)
    click.echo(f"{result.added} agencies added, {result.updated} updated.")


@main.group("users", help="People who sign in.")
def users_group() -> None:
    pass


@users_group.command("add", help="Add a person with one or more roles.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", "agency_name", default=None, help="The agency's name, for agency users, lead persons and executives.")
@click.option("--password", default=None, help="Leave out to be asked; at least 12 characters.")
def users_add(email: str, name: str, roles: tuple[str, ...], agency_name: str | None, password: str | None) -> None:
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with transaction(_engine()) as session:
            agency_id = _agency_id(session, agency_name)
            user = users.add_user(
                session, None, email=email, name=name, roles={Role(r) for r in roles}, agency_id=agency_id, password=password
            )
    except DomainError as error:
        _fail(error)
    click.echo(f"Added {user.name} <{user.email}> as {', '.join(roles)}.")


def _agency_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    agency = session.exec(select(Agency).where(Agency.name == name)).first()
    if agency is None:
        raise DomainError(f"There is no agency called “{name}”.")
    return agency.id


@main.group(help="Audit cycles.")
def cycle() -> None:
    pass


@cycle.command("launch", help="Create a cycle and launch it: a return for each agency and an invitation to its contacts.")
@click.option("--name", required=True, help="For example “Section 11 audit 2026-27”.")
@click.option("--kind", type=click.Choice([k.value for k in CycleKind]), default=CycleKind.FULL_AUDIT.value, show_default=True)
@click.option("--template", "template_key", required=True, help="The template's key; its newest version is used.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Submission deadline.")
@click.option("--qa-ends", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--review", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Action plan review date.")
@click.option("--statement-deadline", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--previous", "previous_name", default=None, help="The previous cycle's name (statement of compliance years).")
@click.option("--agency", "agency_names", multiple=True, help="Repeat for each agency; leave out for every active agency.")
def cycle_launch(
    name, kind, template_key, opens, deadline, qa_ends, review, statement_deadline, previous_name, agency_names
) -> None:
    try:
        with transaction(_engine()) as session:
            found = templates.latest(session, template_key)
            if found is None:
                raise DomainError(f"There is no template “{template_key}”: load it with `s11 template load FILE`.")
            ids = [_agency_id(session, n) for n in agency_names] or [
                a.id
                for a in session.exec(select(Agency).where(Agency.active == True))  # noqa: E712
            ]
            previous = session.exec(select(Cycle).where(Cycle.name == previous_name)).first() if previous_name else None
            dates = cycles.CycleDates(*(d.date() for d in (opens, deadline, qa_ends, review, statement_deadline)))
            made = cycles.create_cycle(
                session,
                None,
                name=name,
                kind=CycleKind(kind),
                template_id=found.id,
                dates=dates,
                agency_ids=ids,
                previous_cycle_id=previous.id if previous else None,
            )
            launched = cycles.launch(session, None, made.id)
    except DomainError as error:
        _fail(error)
    click.echo(f"Launched “{name}”: {len(launched)} returns, invitations queued.")


@cycle.command("status", help="How many returns of a cycle are in each state.")
@click.argument("name")
def cycle_status(name: str) -> None:
    with Session(_engine()) as session:
        found = session.exec(select(Cycle).where(Cycle.name == name)).first()
        if found is None:
            _fail(DomainError(f"There is no cycle called “{name}”."))
        _print_status(cycles.status(session, found.id))


def _print_status(result: cycles.CycleStatus) -> None:
    click.echo(
        f"{result.cycle.name} ({CycleKind(result.cycle.kind).title}, {result.cycle.status}), deadline {result.cycle.submission_deadline:%d %B %Y}"
    )
    for state, count in result.by_state.items():
        click.echo(f"  {ReturnState(state).title:<32} {count:>4}")
    click.echo(f"  {'Total':<32} {result.total:>4}")


@main.group(help="The staff survey: set it up for a cycle, list each agency's link, import another tool's results.")
def survey() -> None:
    pass


def _cycle_id(session: Session, name: str) -> int:
    found = session.exec(select(Cycle).where(Cycle.name == name)).first()
    if found is None:
        raise DomainError(f"There is no cycle called “{name}”.")
    return found.id


@survey.command("set-up", help="Open a cycle's staff survey (or change its settings) and print each agency's link.")
@click.argument("cycle_name")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--minimum", default=5, show_default=True, help="No figure is shown for fewer responses than this.")
@click.option("--low", default=50, show_default=True, help="Percent: a top self-rating is flagged below this agreement.")
@click.option("--confident", default=80, show_default=True, help="Percent: a low self-rating is flagged at or above this.")
def survey_set_up(cycle_name, opens, closes, minimum, low, confident) -> None:
    chosen = survey_settings.SurveySettings(opens.date(), closes.date(), minimum, low, confident)
    try:
        with transaction(_engine()) as session:
            cycle_id = _cycle_id(session, cycle_name)
            survey_settings.set_up_survey(session, None, cycle_id, chosen)
    except DomainError as error:
        _fail(error)
    click.echo(f"The staff survey of “{cycle_name}” is open from {chosen.opens_on:%d %B %Y} to {chosen.closes_on:%d %B %Y}.")
    survey_links.callback(cycle_name)


@survey.command("links", help="Each agency's anonymous survey link and how many have answered.")
@click.argument("cycle_name")
def survey_links(cycle_name: str) -> None:
    with Session(_engine()) as session:
        try:
            links = survey_counts.cycle_links(session, None, _cycle_id(session, cycle_name))
        except DomainError as error:
            _fail(error)
    base = base_url()
    for link in links:
        click.echo(f"  {link.agency_name:<40} {link.responses:>5}  {base}/survey/{link.token}")


@survey.command(
    "import",
    help="Import responses from another survey tool (CSV or XLSX, one a row). A bad row refuses the whole file.",
)
@click.argument("cycle_name")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency-column", required=True, help="The heading of the column that names the agency.")
@click.option(
    "--column", "columns", multiple=True, metavar="REF=HEADING",
    help="Repeat: which column answers question REF, e.g. S4='Lead known'.",
)
def survey_import(cycle_name: str, path: Path, agency_column: str, columns: tuple[str, ...]) -> None:
    mapping = survey_importing.ColumnMapping(agency_column, dict(c.split("=", 1) for c in columns if "=" in c))
    try:
        with transaction(_engine()) as session:
            result = survey_importing.import_responses(
                session, None, _cycle_id(session, cycle_name), path.name, path.read_bytes(), mapping
            )
    except DomainError as error:
        _fail(error)
    click.echo(f"{result.responses} responses imported for {result.agencies} agencies.")


@main.command("verify-history", help="Check that no history record was changed, added or deleted behind the product's back.")
def verify_history() -> None:
    with Session(_engine()) as session:
        count, problems = history.verify(session)
    if problems:
        for problem in problems:
            click.echo(f"TAMPERED: {problem}", err=True)
        click.echo(f"{len(problems)} problems in {count} history records.", err=True)
        sys.exit(2)
    click.echo(f"The history is intact: {count} records checked.")


@main.command(help="Print a lifecycle as a mermaid state diagram, drawn from the state machine itself.")
@click.argument("lifecycle", type=click.Choice(["return", "action", "cycle"]), default="return")
def diagram(lifecycle: str) -> None:
    machine = {"return": RETURN_LIFECYCLE, "action": ACTION_LIFECYCLE, "cycle": CYCLE_LIFECYCLE}[lifecycle]
    click.echo(machine.mermaid())


@main.command(
    "demo",
    help="Run the product on its embedded default: a demo database (instance/demo.sqlite, made afresh) with a "
    "launched cycle and returns in every state, e-mail to a local folder, the web pages on http://127.0.0.1:PORT "
    "and the scheduler. Prints a login for each role.",
)
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=Path("instance"), show_default=True)
@click.option("--port", type=int, default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Only build the demo database and print the summary.")
def demo_command(instance: Path, port: int, no_serve: bool) -> None:
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "demo.sqlite"
    for leftover in (path, path.with_suffix(".sqlite-wal"), path.with_suffix(".sqlite-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{path.resolve()}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        logins = demo.build(session)
    with Session(engine) as session:
        found = session.exec(select(Cycle)).first()
        _print_status(cycles.status(session, found.id))
    engine.dispose()
    click.echo(f"\nDemo database: {path}  (password for every account: {demo.DEMO_PASSWORD})")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<32} {login.agency}")
    if no_serve:
        return
    _serve_demo(url, instance, port)


def _serve_demo(url: str, instance: Path, port: int) -> None:
    """Web and scheduler in this one process: fine for a laptop, never for production."""
    from werkzeug.serving import run_simple

    from schedules.runner import start_scheduler
    from web import create_app

    os.environ.setdefault("S11_EMAIL_FOLDER", str(instance / "outbox-mail"))
    scheduler = start_scheduler(url, background=True)
    app = create_app({"DATABASE_URL": url, "S11_HTTPS": False, "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    click.echo(f"\nServing on http://127.0.0.1:{port}  (e-mails are written to {os.environ['S11_EMAIL_FOLDER']}; Ctrl-C stops)")
    try:
        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)


@main.command(help="Run the web pages for production with gunicorn (several workers; no scheduler inside them).")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", type=int, default=4, show_default=True)
def serve(bind: str, workers: int) -> None:
    gunicorn = shutil.which("gunicorn", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if gunicorn is None:
        _fail(DomainError("gunicorn is not installed in this environment."))
    os.execv(gunicorn, [gunicorn, "--workers", str(workers), "--bind", bind, "web:create_app()"])


@main.command(
    help="Run the scheduler: deadlines, reminders, escalations and the outbox. Run exactly one; on "
    "PostgreSQL a second one waits for the first to stop."
)
def scheduler() -> None:
    from schedules.runner import start_scheduler

    click.echo(f"Scheduler running on {_safe(database_url())} (Ctrl-C stops).")
    start_scheduler(database_url(), background=False)


if __name__ == "__main__":  # pragma: no cover
    main()
