"""Test databases: every engine test runs on SQLite and on the PostgreSQL of this machine.

Each test starts from a freshly migrated, empty database (a copy of a migrated SQLite file, or a
PostgreSQL database truncated after the test), so tests never see each other's rows.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from models.db import make_engine
from models.migrate import upgrade
from models.user import Role
from tests.factories import add_agency, add_person, install_template
from tests.report_scenario import DATABASES, built_year
from workflow.lifecycle import sealing

POSTGRES_URL = os.environ.get("S11_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own for this test run, migrated once and dropped at the end."""
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}; in CI the PostgreSQL tests must run.")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"s11_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
    _truncate_all(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


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
