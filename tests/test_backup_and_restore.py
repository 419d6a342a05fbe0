"""The operator backs up a partnership's audit and restores it into a fresh database, on PostgreSQL
(pg_dump) and on the embedded SQLite (its online backup): the history checks out and the evidence
store holds every file the restored records point at."""

import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests import sample_files
from tests.conftest import POSTGRES_URL
from tests.factories import act, launch_cycle, questions_of
from workflow.answering import returns
from workflow.answering.evidence_files import check_upload
from workflow.answering.evidence_storage import FolderStore
from workflow.answering.uploads import Upload, store_and_record
from workflow.cli import main

PDF = sample_files.pdf()  # a real PDF: uploads are parsed, not just sniffed


@pytest.fixture
def audit_with_evidence(engine, session, partnership, tmp_path):
    """A launched cycle, a started return with a history, and two evidence files in a folder store."""
    store = FolderStore(tmp_path / "evidence")
    _cycle, launched = launch_cycle(engine, partnership["coordinator"], [partnership["health"]], template=partnership["template"])
    question = questions_of(session, partnership["template"])[0]
    act(engine, returns.save_answer, partnership["agency_user"], launched[0].id, question.id, rating="fully_met", narrative="Yes")
    uploads = [(Upload(name, data, question.id), check_upload(name, data)) for name, data in
               [("policy.pdf", PDF), ("minutes.pdf", sample_files.pdf(width=300))]]
    act(engine, store_and_record, partnership["agency_user"], launched[0].id, store, uploads)
    return store


@pytest.fixture
def fresh_database_url(database_url, tmp_path):
    """A new, empty database of the same kind, to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 's11.sqlite'}"
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"s11_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def s11(*args: str, env: dict[str, str], expect: int = 0):
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == expect, result.output
    return result.output


def test_a_backup_restores_into_a_fresh_database_with_its_history_and_evidence(
    database_url, fresh_database_url, audit_with_evidence, tmp_path
):
    evidence = {"S11_EVIDENCE_FOLDER": str(audit_with_evidence.root)}
    said = s11("backup", str(tmp_path / "backups"), env={"DATABASE_URL": database_url, **evidence})
    assert "manifest of 2 evidence files" in said
    [backup] = list((tmp_path / "backups").iterdir())

    restored = s11("restore", str(backup), env={"DATABASE_URL": fresh_database_url, **evidence})
    assert "the evidence store holds all 2 evidence files" in restored
    assert "The history is intact" in s11("verify-history", env={"DATABASE_URL": fresh_database_url})
    restored_engine = create_engine(fresh_database_url)
    with restored_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM evidence_file")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM history_record")).scalar() >= 2
    restored_engine.dispose()
    checked = s11("evidence-check", "--manifest", str(backup), "--reread", env={"DATABASE_URL": fresh_database_url, **evidence})
    assert "holds all 2 evidence files" in checked


def test_a_restore_says_which_evidence_the_store_has_lost(database_url, fresh_database_url, audit_with_evidence, tmp_path):
    evidence = {"S11_EVIDENCE_FOLDER": str(audit_with_evidence.root)}
    s11("backup", str(tmp_path / "backups"), env={"DATABASE_URL": database_url, **evidence})
    [backup] = list((tmp_path / "backups").iterdir())
    lost = next(audit_with_evidence.hashes())
    audit_with_evidence.path_for(lost).unlink()

    said = s11("restore", str(backup), env={"DATABASE_URL": fresh_database_url, **evidence}, expect=2)
    assert f"MISSING: missing from the evidence store: {lost}" in said
    said = s11("evidence-check", "--manifest", str(backup), env={"DATABASE_URL": fresh_database_url, **evidence}, expect=2)
    assert "1 of 2 evidence files are not in the store" in said


def test_a_restore_never_writes_over_a_database_in_use(database_url, audit_with_evidence, tmp_path):
    evidence = {"S11_EVIDENCE_FOLDER": str(audit_with_evidence.root)}
    s11("backup", str(tmp_path / "backups"), env={"DATABASE_URL": database_url, **evidence})
    [backup] = list((tmp_path / "backups").iterdir())
    said = s11("restore", str(backup), env={"DATABASE_URL": database_url, **evidence}, expect=1)
    assert "restore into a new" in said and "Nothing was saved." in said
