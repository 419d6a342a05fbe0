"""`s11 backup` and `s11 restore`: the database, and the list of evidence files it points at.

On PostgreSQL the database is written by `pg_dump` (custom format, no owners, so it restores as
whichever role the new database belongs to); on the embedded SQLite by SQLite's own online backup,
which is safe while the product runs. The evidence bytes are not copied: they sit in their own
store (a folder to copy with the usual tools, or a bucket with versioning), and the manifest lists
every SHA-256 the database needs, so a restore can prove the store still holds them all.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session

from models.db import make_engine
from models.migrate import applied_heads
from workflow.answering.evidence_inventory import StoredFile, recorded_files
from workflow.answering.evidence_storage import EvidenceStore
from workflow.errors import DomainError

MANIFEST = "evidence-manifest.json"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite"


@dataclass(frozen=True)
class Backup:
    folder: Path
    database_file: Path
    evidence: list[StoredFile]
    missing_now: list[str]


def back_up(url: str, store: EvidenceStore, into: Path) -> Backup:
    """Write a new dated folder inside `into` with the database and the evidence manifest."""
    folder = into / datetime.now(UTC).strftime("s11-backup-%Y%m%dT%H%M%SZ")
    if folder.exists():
        raise DomainError(f"{folder} already exists: wait a second and run the backup again.")
    folder.mkdir(parents=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        database_file = folder / POSTGRES_DUMP
        _run_tool("pg_dump", parsed, ["--format=custom", "--no-owner", "--no-privileges", f"--file={database_file}"])
    else:
        database_file = folder / SQLITE_COPY
        _sqlite_online_backup(Path(parsed.database), database_file)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            files = recorded_files(session)
        with engine.connect() as connection:
            migrations = sorted(applied_heads(connection))
    finally:
        engine.dispose()
    missing = [f.sha256 for f in files if not store.exists(f.sha256)]
    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": parsed.get_backend_name(),
        "database_file": database_file.name,
        "migrations": migrations,
        "evidence_store": store.describe(),
        "evidence": [{"sha256": f.sha256, "size": f.size} for f in files],
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Backup(folder, database_file, files, missing)


def restore(backup_folder: Path, url: str) -> list[StoredFile]:
    """Load a backup into the empty database at `url`; returns the evidence the manifest lists."""
    manifest = read_manifest(backup_folder)
    parsed = make_url(url)
    if parsed.get_backend_name() != manifest["database"]:
        raise DomainError(f"This backup is of a {manifest['database']} database; DATABASE_URL names {parsed.get_backend_name()}.")
    database_file = backup_folder / manifest["database_file"]
    if parsed.get_backend_name() == "postgresql":
        _refuse_unless_empty(url)
        _run_tool("pg_restore", parsed, ["--no-owner", "--no-privileges", "--exit-on-error", str(database_file)], dbname=True)
    else:
        target = Path(parsed.database)
        if target.exists() and target.stat().st_size > 0:
            raise DomainError(f"{target} already exists: restore into a new file, never over a live database.")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(database_file, target)
    return manifest_files(manifest)


def read_manifest(backup_folder: Path) -> dict:
    path = backup_folder / MANIFEST
    if not path.is_file():
        raise DomainError(f"{backup_folder} is not a backup made by `s11 backup`: it has no {MANIFEST}.")
    return json.loads(path.read_text())


def manifest_files(manifest: dict) -> list[StoredFile]:
    return [StoredFile(item["sha256"], item["size"]) for item in manifest["evidence"]]


def _refuse_unless_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise DomainError("The database DATABASE_URL names already has tables: restore into a new, empty database.")


def _sqlite_online_backup(source: Path, target: Path) -> None:
    """SQLite's backup API copies a consistent snapshot even while other processes write."""
    live, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        live.backup(copy)
    finally:
        copy.close()
        live.close()


def _run_tool(tool: str, url: URL, arguments: list[str], *, dbname: bool = False) -> None:
    """Run pg_dump or pg_restore against `url`; the password goes by environment, never on the command line."""
    if shutil.which(tool) is None:
        raise DomainError(f"{tool} is not installed: install PostgreSQL's client programs (apt-get install postgresql-client).")
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    command = [tool, *arguments, f"--dbname={target}"] if dbname else [tool, *arguments, target]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise DomainError(f"{tool} failed: {finished.stderr.strip()[-1000:]}")
