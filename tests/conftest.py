"""Test databases: every engine test runs on SQLite and on the PostgreSQL of this machine.

Each test starts from a freshly migrated, empty database (a copy of a migrated SQLite file, or a
PostgreSQL database emptied after the test, ids restarting at 1), so tests never see each
other's rows.

The suite runs in parallel (pytest-xdist; options in pyproject.toml). Each worker is a process of
its own with its own session fixtures: its own PostgreSQL databases (named after the worker),
temporary folders, checkpoint folder, history key and Chromium. `--dist loadscope` keeps each
module on one worker, so a module-scoped world is built once. So that a new test stays safe:
- Listen on port 0 (or tests.fakes.s3_server.free_port()), never on a fixed port.
- Write under tmp_path / tmp_path_factory, never to a fixed path or into the checkout
  (screenshots: tests/web/browser_helpers.screenshot_folder(), one folder per module).
- Another PostgreSQL database: `postgres_template.copy(unique_suffix)` (migrated already, a
  fraction of a second) and `postgres_template.drop(name)`; roles and names carry a uuid.
- Share state between tests only through fixtures of module scope or narrower: which worker
  runs a module, and after which other module, is not fixed.
- A module that takes minutes gets the `deployment`, `browser` or `minutes` marker, so it starts
  first (a worker left with one long module at the end keeps the other idle).
- Wait for a condition with a generous limit, never for a fixed time: the other workers share
  the cores.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from models.db import make_engine
from models.migrate import upgrade
from models.user import Role
from tests.factories import add_agency, add_person, install_template
from tests.report_scenario import DATABASES, built_year
from workflow.lifecycle import sealing
from workflow.reporting import figures_cache

POSTGRES_URL = os.environ.get("S11_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Modules that take longest start first, so the last module a worker picks up is a short one: the
# deployment, then the modules of several minutes without a browser (the hostile input, the leak
# crawl, the access table, fifty colleagues saving at once), then the browser journeys.
_FIRST = ("deployment", "minutes", "browser")


def worker_name() -> str:
    """This pytest-xdist worker ("gw0", "gw1"...), or "main" when the run is not split."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Long modules (the deployment, the `minutes` ones, the browser journeys) first, each module kept together.

    pytest-xdist hands modules out in this order (--no-loadscope-reorder), so a worker never
    starts a three-minute module while the other has nothing left to do."""
    rank: dict[str, int] = {}
    for item in items:
        marks = [i for i, name in enumerate(_FIRST) if item.get_closest_marker(name)]
        module = item.nodeid.split("::", 1)[0]
        rank[module] = min([rank.get(module, len(_FIRST)), *marks])
    items.sort(key=lambda item: rank[item.nodeid.split("::", 1)[0]])


@pytest.fixture(scope="session", autouse=True)
def checkpoint_folder(tmp_path_factory) -> Path:
    """The scheduler's daily checkpoints go to a folder of this test run, never the working copy."""
    folder = tmp_path_factory.mktemp("checkpoints")
    os.environ["S11_CHECKPOINT_DIR"] = str(folder)
    return folder


@pytest.fixture(scope="session", autouse=True)
def history_key() -> Iterator[str]:
    """The history's secret key for every test, and for any process a test starts."""
    key = f"test-history-key-{uuid.uuid4().hex}"
    before = os.environ.get(sealing.KEY_VARIABLE)
    os.environ[sealing.KEY_VARIABLE] = key
    yield key
    if before is None:
        os.environ.pop(sealing.KEY_VARIABLE, None)
    else:
        os.environ[sealing.KEY_VARIABLE] = before


@pytest.fixture(autouse=True)
def no_kept_figures() -> None:
    """Each test reads its reports afresh: the tests empty a database and build the next world
    under the same ids, which the reports' cache (kept per process) would otherwise mistake."""
    figures_cache.forget_all()


class _CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache kept in this process's memory (Jinja's documented extension point)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # ignored if the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def compiled_templates() -> Iterator[BytecodeCache]:
    """Every app the tests make compiles each page template once, not once per app.

    Most web tests make an app of their own, and its first page cost most of a second compiling
    the GOV.UK macros again. The pages are the same: only Jinja's compiled code is shared between
    apps, keyed by template and checked against the template's source, as Jinja's bytecode cache
    does in production; each app still has its own environment, globals and filters."""
    cache = _CompiledTemplates()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": cache})
        yield cache


def _postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # any failure to connect means "not here"
        return False


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


class PostgresTemplate:
    """The worker's migrated template database, and copies of it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    @staticmethod
    def url(database: str) -> str:
        return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)

    def copy(self, suffix: str) -> str:
        """A new migrated database named after the template; returns its URL (drop it with `drop`)."""
        name = f"{self.name}_{suffix}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"'))
        return self.url(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    """A migrated PostgreSQL database for this worker that nothing connects to: every other
    database the worker needs is a copy of it (CREATE DATABASE ... TEMPLATE), not migrated again."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}; in CI the PostgreSQL tests must run.")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    template = PostgresTemplate(f"s11_test_{worker_name()}_{uuid.uuid4().hex[:8]}")
    with template.admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{template.name}"'))
    upgrade(template.url(template.name))
    yield template
    template.drop(template.name)
    template.admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(postgres_template: PostgresTemplate) -> Iterator[str]:
    """The worker's own migrated database, shared by its tests and emptied after each one."""
    url = postgres_template.copy("run")
    yield url
    postgres_template.drop(make_url(url).database)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """The URL of an empty, migrated database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "s11.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    yield url
    _empty_all(url)


def _empty_all(url: str) -> None:
    """Every table emptied and every id sequence restarted, as TRUNCATE ... RESTART IDENTITY would.

    TRUNCATE makes new files for every table and index (about a second on a busy disk, for each
    test); DELETE of a test's few rows takes milliseconds. Triggers (the history is append-only)
    and foreign keys are switched off for this one transaction, which needs a superuser, as
    creating the test databases does; without one, TRUNCATE it is."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            tables = connection.execute(text(_TABLES)).scalars().all()
            try:
                with connection.begin_nested():
                    connection.execute(text("SET LOCAL session_replication_role = replica"))
            except ProgrammingError:  # not a superuser
                connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                return
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
            for sequence in connection.execute(text(_USED_ID_SEQUENCES)).scalars():
                connection.execute(text("SELECT setval(CAST(:sequence AS regclass), 1, false)"), {"sequence": sequence})
    finally:
        engine.dispose()


# Every table of the schema but Alembic's own record of the revision.
_TABLES = """
    SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> 'alembic_version'
"""
# The sequences behind id columns (serial or identity) that have handed out a value.
_USED_ID_SEQUENCES = """
    SELECT format('%I.%I', s.schemaname, s.sequencename) FROM pg_sequences s
    JOIN pg_class c ON c.relname = s.sequencename
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')
    WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL
"""


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session for arranging and checking; operations under test run in their own transactions."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def sqlite_only_engine(tmp_path, sqlite_template) -> Iterator[Engine]:
    path = tmp_path / "s11.sqlite"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module", params=DATABASES)
def built(request):
    """The Board's known year (tests/report_scenario.py), built once per module on each database."""
    with built_year(request, request.param) as built:
        yield built


@pytest.fixture
def year(built):
    return built[1]


@pytest.fixture
def reader(built):
    """A fresh session per test, so no test reads what another left in the identity map."""
    with Session(built[0]) as session:
        yield session


@pytest.fixture
def partnership(session):
    """Two agencies (a statutory health trust with its own people, a voluntary youth club with one
    user), the partnership's staff, and the default template. tests/web has its own."""
    health = add_agency(session, name="Hackney Health Trust", sector="Health", statutory=True)
    youth = add_agency(session, name="Hackney Youth Club", sector="Voluntary", statutory=False)
    people = {
        "coordinator": add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        "agency_user": add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=health),
        "lead": add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=health),
        "executive": add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=health),
        "youth_user": add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=youth),
    }
    template = install_template(session)
    return {"health": health, "youth": youth, "template": template, **people}


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory) -> Iterator[str]:
    """A local S3-compatible server (moto in server mode) for this test run, over real HTTP."""
    from tests.fakes.s3_server import s3_server

    with s3_server(tmp_path_factory.mktemp("s3") / "s3-server.log") as endpoint:
        yield endpoint


@pytest.fixture
def s3_settings(s3_endpoint, monkeypatch) -> dict[str, str]:
    """The settings of a fresh, empty, private bucket on that server; the credentials are in the environment."""
    import boto3

    from tests.fakes.s3_server import CREDENTIALS

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    bucket = f"s11-evidence-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]}
    )
    return {"S11_EVIDENCE_STORE": "s3", "S11_S3_BUCKET": bucket, "S11_S3_ENDPOINT_URL": s3_endpoint, **CREDENTIALS}
