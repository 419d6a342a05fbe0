"""The `s11` command: set up the database, load templates and agencies, run cycles, check history."""

import os
import shutil
import sys
from pathlib import Path

import click
from sqlalchemy import or_
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, func, select

from models import Agency, Cycle, Partnership, Template, User
from models.audit_return import ReturnState
from models.cycle import CycleKind
from models.db import database_url, make_engine, transaction
from models.field_limits import is_whole_number
from models.migrate import upgrade
from models.user import Role
from notifications.messages import base_url
from workflow import partnerships, readiness
from workflow.answering import reuse
from workflow.answering.evidence_inventory import problems_with, recorded_files
from workflow.answering.evidence_storage import EvidenceStore, store_from_settings
from workflow.calendar import cycle_changes, cycles, joint_cycles
from workflow.cli import backup as backups
from workflow.cli import demo
from workflow.clock import uk_date
from workflow.errors import DomainError
from workflow.lifecycle import checkpoints, history, sealing
from workflow.lifecycle.machines import ACTION_LIFECYCLE, CYCLE_LIFECYCLE, PEER_REVIEW_LIFECYCLE, RETURN_LIFECYCLE
from workflow.people import agencies, users
from workflow.settings import Settings, SettingsError, load_settings
from workflow.survey import counts as survey_counts
from workflow.survey import importing as survey_importing
from workflow.survey import settings as survey_settings
from workflow.templates import installing as templates
from workflow.templates.files import TemplateFileError


def _engine():
    """A command runs once and ends: no pool, so each connection closes with its session."""
    return make_engine(database_url(), poolclass=NullPool)


def _environment(*, production_by_default: bool = False) -> dict[str, str]:
    """The environment the settings are read from. `s11 serve` and `s11 scheduler` are how
    production runs, so they hold it to production's rules unless S11_ENV says development."""
    environ = dict(os.environ)
    if production_by_default:
        environ.setdefault("S11_ENV", "production")
    return environ


def _settings(environ: dict[str, str] | None = None) -> Settings:
    """The settings, checked; every problem printed and a non-zero exit when they cannot be used."""
    try:
        return load_settings(os.environ if environ is None else environ)
    except SettingsError as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo(f"{len(error.problems)} setting(s) to fix; `s11 check-config` shows what is used.", err=True)
        sys.exit(1)


def _store(settings: Settings) -> EvidenceStore:
    return store_from_settings(settings.evidence, Path(os.environ.get("S11_INSTANCE", "instance")) / "evidence")


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
    help=f"Add or update agencies from a CSV or Excel (.xlsx) file with the columns: {', '.join(agencies.CSV_COLUMNS)}. "
    "Every bad row is named; any bad row refuses the whole file.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def agencies_import(path: Path) -> None:
    try:
        with transaction(_engine()) as session:
            result = agencies.import_file(session, None, path.name, path.read_bytes())
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
@click.option("--reminder-days", default="14,7,1", show_default=True, help="Days before a deadline that reminders go.")
@click.option("--escalate-after", type=int, default=7, show_default=True, help="Days after the deadline of the escalation.")
@click.option("--partnership", "partnership_names", multiple=True,
              help="A partnership taking part (its name or short name); repeat for a joint cycle. Leave out for the first.")
def cycle_launch(
    name, kind, template_key, opens, deadline, qa_ends, review, statement_deadline, previous_name, agency_names,
    reminder_days, escalate_after, partnership_names,
) -> None:
    try:
        with transaction(_engine()) as session:
            found = templates.latest(session, template_key)
            if found is None:
                raise DomainError(f"There is no template “{template_key}”: load it with `s11 template load FILE`.")
            taking_part = _cycle_partnership_ids(session, partnership_names)
            # Every active agency of the partnerships taking part, each once, unless agencies are named.
            ids = [_agency_id(session, n) for n in agency_names] or joint_cycles.agencies_of_partnerships(
                session, taking_part or [partnerships.home_partnership(session, None)]
            )
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
                reminder_days=_days(reminder_days),
                escalation_days=escalate_after,
                partnership_ids=taking_part or None,
            )
            launched = cycles.launch(session, None, made.id)
    except DomainError as error:
        _fail(error)
    click.echo(f"Launched “{name}”: {len(launched)} returns, invitations queued.")


def _cycle_partnership_ids(session: Session, names: tuple[str, ...]) -> list[int]:
    """The partnerships named for a cycle, by name or short name (slug)."""
    ids = []
    for given in names:
        query = select(Partnership.id).where(or_(Partnership.name == given.strip(), Partnership.slug == given.strip()))
        found = session.exec(query).first()
        if found is None:
            raise DomainError(f"There is no partnership called “{given}”.")
        ids.append(found)
    return ids


def _days(text: str) -> list[int]:
    """'14,7,1' as days; anything else is refused by the workflow with what to type."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return [int(p) for p in parts] if parts and all(is_whole_number(p) for p in parts) else []


def _cycle_named(session, name: str) -> Cycle:
    found = session.exec(select(Cycle).where(Cycle.name == name)).first()
    if found is None:
        raise DomainError(f"There is no cycle called “{name}”.")
    return found


@cycle.command("reminders", help="Set a cycle's reminder days and escalation delay.")
@click.argument("name")
@click.option("--days", "reminder_days", required=True, help="Days before a deadline that reminders go, e.g. 14,7,1.")
@click.option("--escalate-after", type=int, required=True, help="Days after the submission deadline of the escalation.")
def cycle_reminders(name: str, reminder_days: str, escalate_after: int) -> None:
    try:
        with transaction(_engine()) as session:
            found = _cycle_named(session, name)
            cycle_changes.set_reminders(
                session, None, found.id, reminder_days=_days(reminder_days), escalation_days=escalate_after
            )
    except DomainError as error:
        _fail(error)
    click.echo(f"Reminders for “{name}”: {reminder_days} days before a deadline; escalation {escalate_after} days after.")


@cycle.command("add-agency", help="Invite an agency admitted mid-year into an open cycle.")
@click.argument("name")
@click.option("--agency", "agency_name", required=True)
def cycle_add_agency(name: str, agency_name: str) -> None:
    try:
        with transaction(_engine()) as session:
            cycle_changes.add_agency(session, None, _cycle_named(session, name).id, _agency_id(session, agency_name))
    except DomainError as error:
        _fail(error)
    click.echo(f"{agency_name} was added to “{name}” and invited.")


@cycle.command("change-dates", help="Move a launched cycle's dates; each agency still in it is told, with the reason.")
@click.argument("name")
@click.option("--deadline", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The new submission deadline.")
@click.option("--qa-ends", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The new end of the QA window.")
@click.option("--review", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The new action plan review date.")
@click.option("--statement-deadline", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--reason", required=True, help="Why the dates change: the agencies are told.")
def cycle_change_dates(name: str, deadline, qa_ends, review, statement_deadline, reason: str) -> None:
    """The dates not given stay as they are; the page's operation checks and records the change."""
    try:
        with transaction(_engine()) as session:
            found = _cycle_named(session, name)
            given = {"submission_deadline": deadline, "qa_window_ends": qa_ends, "action_plan_review": review,
                     "statement_deadline": statement_deadline}
            dates = cycles.CycleDates(
                opens_on=found.opens_on,
                **{field: value.date() if value else getattr(found, field) for field, value in given.items()},
            )
            moved = cycle_changes.change_dates(session, None, found.id, dates, reason=reason)
    except DomainError as error:
        _fail(error)
    click.echo(f"The dates of “{name}” changed: deadline {uk_date(moved.submission_deadline)}, QA window ends "
               f"{uk_date(moved.qa_window_ends)}, action plan review {uk_date(moved.action_plan_review)}, statement "
               f"deadline {uk_date(moved.statement_deadline)}. Each agency taking part has been told.")


@cycle.command("close", help="Close a cycle: no more submissions; returns keep the state they reached.")
@click.argument("name")
@click.option("--reason", default="", help="Why, for the history.")
def cycle_close(name: str, reason: str) -> None:
    try:
        with transaction(_engine()) as session:
            cycles.close(session, None, _cycle_named(session, name).id, reason=reason)
    except DomainError as error:
        _fail(error)
    click.echo(f"“{name}” is closed.")


@cycle.command("reopen", help="Reopen a closed cycle, with the reason (and a later statement deadline if it has passed).")
@click.argument("name")
@click.option("--reason", required=True, help="Why the cycle is reopened, for the history.")
@click.option("--statement-deadline", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="A new statement of compliance deadline, needed when the old one has passed.")
def cycle_reopen(name: str, reason: str, statement_deadline) -> None:
    try:
        with transaction(_engine()) as session:
            reopened = cycle_changes.reopen(
                session, None, _cycle_named(session, name).id, reason=reason,
                statement_deadline=statement_deadline.date() if statement_deadline else None,
            )
    except DomainError as error:
        _fail(error)
    click.echo(f"“{name}” is open again; statement deadline {uk_date(reopened.statement_deadline)}.")


@cycle.command("status", help="How many returns of a cycle are in each state.")
@click.argument("name")
def cycle_status(name: str) -> None:
    with Session(_engine()) as session:
        found = session.exec(select(Cycle).where(Cycle.name == name)).first()
        if found is None:
            _fail(DomainError(f"There is no cycle called “{name}”."))
        _print_status(cycles.status(session, found.id))


def _print_status(result: cycles.CycleStatus) -> None:
    cycle = result.cycle
    click.echo(f"{cycle.name} ({CycleKind(cycle.kind).title}, {cycle.status}), deadline {uk_date(cycle.submission_deadline)}")
    for state, count in result.by_state.items():
        click.echo(f"  {ReturnState(state).title:<32} {count:>4}")
    click.echo(f"  {'Total':<32} {result.total:>4}")


@main.group("return", help="One agency's return.")
def return_group() -> None:
    pass


@return_group.command(
    "reuse",
    help="Start a return from the agency's answers to another cycle running now: the matching questions of the "
    "standards chosen (same reference and rating scale) come across with their evidence files, marked as reused; "
    "nothing already answered is overwritten. The same operation as the return's reuse page.",
)
@click.option("--return", "return_id", type=int, required=True, help="The return to fill (its id).")
@click.option("--from", "source_id", type=int, required=True, help="The agency's return to another open cycle (its id).")
@click.option("--standard", "numbers", multiple=True,
              help="A standard's number, e.g. 1; repeat for each. Leave out for every standard with something to reuse.")
@click.option("--as", "email", required=True,
              help="The e-mail address of the agency user choosing: reuse is the agency's choice.")
def return_reuse(return_id: int, source_id: int, numbers: tuple[str, ...], email: str) -> None:
    try:
        with transaction(_engine()) as session:
            actor = _person(session, email)
            offered = reuse.offer(session, actor, return_id, source_id)
            if offered.refusals:
                raise DomainError(offered.refusals)
            ids = _standard_ids(offered, numbers)
            details = reuse.reuse(session, actor, return_id, source_id, ids)
    except DomainError as error:
        _fail(error)
    click.echo(
        f"Reused from the return for {details['from_cycle']} ({details['source_state'].lower()}): standards "
        f"{', '.join(details['standards'])}; questions {', '.join(details['questions'])}; {details['files']} evidence file(s)."
    )
    if details["kept"]:
        click.echo(f"Already answered in return {return_id}, kept: {', '.join(details['kept'])}.")


def _person(session: Session, email: str) -> User:
    found = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if found is None:
        raise DomainError(f"There is no account for “{email}”.")
    return found


def _standard_ids(offered: reuse.ReuseOffer, numbers: tuple[str, ...]) -> list[int]:
    """The chosen standards by number; none chosen means each one with something to reuse."""
    by_number = {s.number: s.standard_id for s in offered.standards}
    if not numbers:
        return [s.standard_id for s in offered.standards if s.reusable]
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise DomainError([f"Return {offered.target_id} has no standard {n}: its standards are {', '.join(by_number)}."
                           for n in unknown])
    return [by_number[n] for n in numbers]


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
    click.echo(f"The staff survey of “{cycle_name}” is open from {uk_date(chosen.opens_on)} to {uk_date(chosen.closes_on)}.")
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


# verify-history's exit codes, for scripts (click itself uses 2 for a mistyped command line).
INTACT, TAMPERED, CHECKPOINT_UNREADABLE, NO_KEY = 0, 3, 4, 5


@main.command(
    "verify-history",
    help="Check that no history record was changed, added or deleted behind the product's back, and that "
    "answers and moderated ratings are what the history recorded. With --checkpoint, also that nothing was "
    "rewound, truncated or rewritten since that checkpoint. Exit codes: 0 intact; 3 tampering found (each "
    "problem one line on stderr); 4 the checkpoint file is unreadable or not sealed with this key; 5 no "
    "history key is configured.",
)
@click.option(
    "--checkpoint", "checkpoint_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file written by `s11 history checkpoint` or the scheduler (repeatable).",
)
def verify_history(checkpoint_files: tuple[Path, ...]) -> None:
    engine = _engine()
    try:
        with Session(engine) as session:
            chains = history.read_chains(session)
            count, problems = history.verify(session, chains)
        for path in checkpoint_files:
            problems.extend(checkpoints.compare(checkpoints.read(path), chains, problems))
    except sealing.MissingHistoryKey as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(NO_KEY)
    except checkpoints.CheckpointUnreadable as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(CHECKPOINT_UNREADABLE)
    finally:
        engine.dispose()
    if problems:
        for problem in problems:
            click.echo(f"TAMPERED: {problem}", err=True)
        click.echo(f"{len(problems)} {'problem' if len(problems) == 1 else 'problems'} in {count} history records.", err=True)
        sys.exit(TAMPERED)
    against = f", and against {len(checkpoint_files)} checkpoint(s)" if checkpoint_files else ""
    click.echo(f"The history is intact: {count} records checked{against}.")


@main.group("history", help="The history's key and its checkpoints kept outside the database.")
def history_group() -> None:
    pass


@history_group.command("make-key", help="Write a new random history key to the key file (never replaces one).")
def history_make_key() -> None:
    path = sealing.key_file()
    if sealing.make_key_file(path):
        click.echo(f"Wrote a new history key to {path}. Back it up, away from the database's backups.")
    else:
        click.echo(f"{path} already holds a key; it was left as it is.")


@history_group.command(
    "checkpoint",
    help="Write a signed checkpoint of every chain's head (count and last seal) to FOLDER "
    "(default: S11_CHECKPOINT_DIR, or instance/checkpoints), and print its digest.",
)
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
def history_checkpoint(folder: Path | None) -> None:
    try:
        with Session(_engine()) as session:
            written = checkpoints.write(history.read_chains(session), folder or checkpoints.default_folder())
        assert written is not None  # only a daily checkpoint can already exist
    except sealing.MissingHistoryKey as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(NO_KEY)
    click.echo(f"Checkpoint of {written.chains} chains ({written.records} records): {written.path}")
    click.echo(f"SHA-256 of the file: {written.digest}")


def _require_history_key() -> None:
    """Production refuses to start without the history's key, and says how to make one."""
    if not sealing.has_key():
        click.echo(f"Error: {sealing.HOW_TO_MAKE_ONE}", err=True)
        sys.exit(NO_KEY)


@main.command(help="Print a lifecycle as a mermaid state diagram, drawn from the state machine itself.")
@click.argument("lifecycle", type=click.Choice(["return", "action", "cycle", "peer-review"]), default="return")
def diagram(lifecycle: str) -> None:
    machine = {
        "return": RETURN_LIFECYCLE,
        "action": ACTION_LIFECYCLE,
        "cycle": CYCLE_LIFECYCLE,
        "peer-review": PEER_REVIEW_LIFECYCLE,
    }[lifecycle]
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
    if not os.environ.get(sealing.KEY_VARIABLE):
        # The demo seals its history with a key file of its own instance folder, made once.
        os.environ[sealing.KEY_FILE_VARIABLE] = str(instance / sealing.KEY_FILE_NAME)
        sealing.make_key_file(instance / sealing.KEY_FILE_NAME)
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


@main.command(
    help="Run the web pages for production with gunicorn (several workers; no scheduler inside them). "
    "Refuses to start on settings meant for the demo unless S11_ENV=development."
)
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", type=int, default=4, show_default=True)
def serve(bind: str, workers: int) -> None:
    _require_history_key()
    environ = _environment(production_by_default=True)
    _settings(environ)
    gunicorn = shutil.which("gunicorn", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if gunicorn is None:
        _fail(DomainError("gunicorn is not installed in this environment."))
    # Uploads of up to 20 MB on a slow line take longer than gunicorn's default 30 seconds.
    os.execve(gunicorn, [gunicorn, "--workers", str(workers), "--bind", bind, "--timeout", "120", "web:create_app()"], environ)


@main.command(
    help="Run the scheduler: deadlines, reminders, escalations and the outbox. Run exactly one; on "
    "PostgreSQL a second one waits for the first to stop. Refuses settings meant for the demo unless "
    "S11_ENV=development."
)
def scheduler() -> None:
    import logging

    from notifications.backends import backend_from_config
    from schedules.jobs import daily_hours_from
    from schedules.runner import start_scheduler

    _require_history_key()
    settings = _settings(_environment(production_by_default=True))
    try:
        daily_hours_from(os.environ)
    except ValueError as error:
        _fail(error)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    backend = backend_from_config(os.environ)  # once, at start, like every other setting
    click.echo(f"Scheduler running on {_safe(settings.database_url)} (Ctrl-C stops).")
    start_scheduler(settings.database_url, background=False, backend=backend)


@main.command(
    "check-config",
    help="Print the settings the product will use (secrets masked), every problem with them, and whether the "
    "database, its migrations and the evidence store are ready.",
)
@click.option("--no-connect", is_flag=True, help="Only read the settings; do not contact the database or the store.")
def check_config(no_connect: bool) -> None:
    try:
        settings = load_settings(os.environ)
    except SettingsError as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo(f"{len(error.problems)} setting(s) to fix.", err=True)
        sys.exit(1)
    width = max(len(name) for name, _ in settings.described())
    for name, value in settings.described():
        click.echo(f"{name:<{width}}  {value}")
    if no_connect:
        return
    engine = make_engine(settings.database_url)
    try:
        checks = readiness.check_database(engine)
    finally:
        engine.dispose()
    store = _store(settings)
    checks.append(readiness.check_store(store.check, store.describe()))
    click.echo("")
    for check in checks:
        click.echo(f"{'ok ' if check.ok else 'NOT'}  {check.name}: {check.detail}")
    if not all(check.ok for check in checks):
        sys.exit(2)


@main.command(
    help="Back up the database (pg_dump, or SQLite's online backup) and the list of evidence files it needs, "
    "into a new dated folder inside FOLDER. Copy the evidence store itself with its own tools."
)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup(folder: Path) -> None:
    settings = _settings()
    try:
        made = backups.back_up(settings.database_url, _store(settings), folder)
    except DomainError as error:
        _fail(error)
    click.echo(f"Backed up the database to {made.database_file}")
    click.echo(f"and the manifest of {len(made.evidence)} evidence files to {made.folder / backups.MANIFEST}.")
    for sha256 in made.missing_now:
        click.echo(f"Warning: the evidence store lacks {sha256} already.", err=True)


@main.command(
    help="Restore a backup made by `s11 backup` into the new, empty database DATABASE_URL names, then check the "
    "history and that the evidence store holds every file the manifest lists."
)
@click.argument("backup_folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(backup_folder: Path) -> None:
    settings = _settings()
    try:
        files = backups.restore(backup_folder, settings.database_url)
    except DomainError as error:
        _fail(error)
    click.echo(f"Restored {backup_folder} into {_safe(settings.database_url)}.")
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        count, tampered = history.verify(session)
        files = sorted(set(files) | set(recorded_files(session)), key=lambda f: f.sha256)
    engine.dispose()
    missing = problems_with(_store(settings), files)
    for problem in [*(f"TAMPERED: {p}" for p in tampered), *(f"MISSING: {p}" for p in missing)]:
        click.echo(problem, err=True)
    if tampered or missing:
        click.echo("The restored audit is not whole: see above.", err=True)
        sys.exit(2)
    click.echo(f"The history is intact ({count} records) and the evidence store holds all {len(files)} evidence files.")


@main.command(
    "evidence-check",
    help="Check that the evidence store holds every file the database points at (and the backup manifest lists).",
)
@click.option("--manifest", "backup_folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="A backup folder: its manifest's files are checked too.")
@click.option("--reread", is_flag=True, help="Read every file back and check its SHA-256 (slow on a large store).")
def evidence_check(backup_folder: Path | None, reread: bool) -> None:
    settings = _settings()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        files = recorded_files(session)
    engine.dispose()
    if backup_folder is not None:
        try:
            listed = backups.manifest_files(backups.read_manifest(backup_folder))
        except DomainError as error:
            _fail(error)
        files = sorted(set(files) | set(listed), key=lambda f: f.sha256)
    problems = problems_with(_store(settings), files, reread=reread)
    for problem in problems:
        click.echo(f"MISSING: {problem}", err=True)
    if problems:
        click.echo(f"{len(problems)} of {len(files)} evidence files are not in the store.", err=True)
        sys.exit(2)
    click.echo(f"The evidence store holds all {len(files)} evidence files.")


if __name__ == "__main__":  # pragma: no cover
    main()
