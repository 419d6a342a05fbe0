"""One scheduler at a time, and exactly-once e-mail even when that fails: real processes on
PostgreSQL with hundreds of overdue returns, and the scheduler itself started and stopped."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from models import OutboxMessage
from models.outbox import OutboxState
from models.user import Role
from notifications.backends import FolderBackend
from schedules import runner
from schedules.jobs import DailyHours
from tests.factories import add_agency, add_person, install_template, launch_cycle
from workflow.clock import today

AGENCIES = 200
TAKE_OVER_AGENCIES = 20
ROOT = Path(__file__).resolve().parents[1]


# These tests need a second real connection from another process: PostgreSQL only.
ON_POSTGRESQL = pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def overdue_returns(database_url, engine, session):
    """Builds `count` agencies whose returns were due yesterday: today each contact is owed an
    overdue notice."""

    def build(count: int):
        coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
        agencies = [add_agency(session, name=f"Agency {n:03}", sector="Health") for n in range(count)]
        template = install_template(session)
        launch_cycle(engine, coordinator, agencies, template=template, opens_on=today() - timedelta(days=43))
        return database_url, engine

    return build


def python(code: str, *, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Another process with a connection of its own, writing its log to `log`."""
    with log.open("w") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT,
        )


# Limits only guard against a hang: a wait ends as soon as its condition holds, so a limit costs
# nothing when things work. On a shared 2-core box under load a start can take tens of seconds.
PATIENCE = 180.0


def wait_for(condition, *, within: float = PATIENCE, what: str) -> None:
    give_up = time.monotonic() + within
    while not condition():
        assert time.monotonic() < give_up, f"gave up waiting for {what}"
        time.sleep(0.1)


def counts(engine) -> Counter:
    with Session(engine) as session:
        return Counter(dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()))


def sent_files(*folders: Path) -> Counter:
    """How many times each outbox id was written as an e-mail, across the folders."""
    return Counter(int(f.stem.rsplit("-", 1)[1]) for folder in folders if folder.exists() for f in folder.glob("*.eml"))


WORKER = """
    import os, time
    from datetime import timedelta
    from pathlib import Path
    from sqlmodel import Session, func, select
    from models import OutboxMessage
    from models.db import make_engine
    from models.outbox import OutboxState
    from notifications.backends import FolderBackend
    from notifications.outbox_worker import DeliverySettings
    from schedules.jobs import run_daily, send_outbox

    engine = make_engine(os.environ["URL"])
    backend = FolderBackend(Path(os.environ["MAIL"]), "s11@example.org", "S11")
    settings = DeliverySettings(batch_size=20, first_retry_after=timedelta(milliseconds=50))
    ready = Path(os.environ["READY"])
    ready.touch()
    while len(list(ready.parent.glob("ready-*"))) < 2:  # both begin together, once imported
        time.sleep(0.01)
    print("queued", run_daily(engine), flush=True)
    while True:
        print("sent", len(send_outbox(engine, backend, settings).sent), flush=True)
        with Session(engine) as session:
            unsent = select(func.count()).where(OutboxMessage.status != OutboxState.SENT)
            if not session.exec(unsent).one():
                break
        time.sleep(0.05)
"""


@ON_POSTGRESQL
def test_two_processes_running_the_jobs_at_once_queue_and_send_each_notice_exactly_once(overdue_returns, tmp_path):
    """The belt and braces under the lock: even two schedulers working at once send once."""
    url, engine = overdue_returns(AGENCIES)
    folders = [tmp_path / "mail-a", tmp_path / "mail-b"]
    processes = [
        python(WORKER, env={"URL": url, "MAIL": str(f), "READY": str(tmp_path / f"ready-{f.name}")},
               log=tmp_path / f"{f.name}.log")
        for f in folders
    ]
    try:
        for process, folder in zip(processes, folders, strict=True):
            assert process.wait(timeout=PATIENCE) == 0, (tmp_path / f"{folder.name}.log").read_text()
    finally:
        for process in processes:
            process.kill()
            process.wait()

    with Session(engine) as session:
        kinds = Counter(session.exec(select(OutboxMessage.kind)).all())
    assert kinds == {"invitation": AGENCIES, "submission_overdue": AGENCIES}
    assert counts(engine) == {OutboxState.SENT: 2 * AGENCIES}
    written = sent_files(*folders)
    assert len(written) == 2 * AGENCIES and set(written.values()) == {1}  # each e-mail sent once
    assert all(sent_files(f) for f in folders), "both processes should have taken a share"


SCHEDULER = """
    import logging, os
    from datetime import timedelta
    from schedules.runner import start_scheduler

    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
    from schedules.jobs import DailyHours
    start_scheduler(os.environ["URL"], background=False, lock_poll_every=timedelta(seconds=0.2),
                    work_options={"outbox_every": timedelta(seconds=0.5), "daily_hours": DailyHours(0, 23, False)})
"""


@ON_POSTGRESQL
def test_a_second_scheduler_waits_and_takes_over_when_the_first_dies(overdue_returns, tmp_path):
    url, engine = overdue_returns(TAKE_OVER_AGENCIES)
    # A checkpoint folder of this test's own: the first scheduler writes the day's checkpoint and
    # e-mails its digest to the two coordinators; the second finds it written.
    env = {"URL": url, "S11_EMAIL_BACKEND": "folder", "S11_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}
    expected = 2 * TAKE_OVER_AGENCIES + 2
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = python(SCHEDULER, env={**env, "S11_EMAIL_FOLDER": str(tmp_path / "first")}, log=first_log)
    try:
        wait_for(lambda: "holds the scheduler lock" in first_log.read_text(), what="the first scheduler")
        second = python(SCHEDULER, env={**env, "S11_EMAIL_FOLDER": str(tmp_path / "second")}, log=second_log)
        try:
            wait_for(lambda: counts(engine) == {OutboxState.SENT: expected}, what="the outbox to drain")
            wait_for(lambda: "scheduler starting" in second_log.read_text(), what="the second scheduler")
            time.sleep(1)  # five polls of the lock
            assert "holds the scheduler lock" not in second_log.read_text()  # it waits, it does not work
            assert second.poll() is None

            first.kill()  # no clean shutdown: the server ends its session and its lock
            wait_for(lambda: "holds the scheduler lock" in second_log.read_text(), what="the take-over")
            wait_for(lambda: "daily steps for" in second_log.read_text(), what="the catch-up run")
        finally:
            second.send_signal(signal.SIGINT)
            assert second.wait(timeout=PATIENCE) == 0, second_log.read_text()
    finally:
        first.kill()
        first.wait()

    # The second scheduler's catch-up found everything done: nothing queued or sent twice.
    assert counts(engine) == {OutboxState.SENT: expected}
    assert sent_files(tmp_path / "second") == Counter()
    assert len(sent_files(tmp_path / "first")) == expected


def test_the_scheduler_runs_the_day_at_start_up_and_a_second_one_on_the_same_file_waits(
    sqlite_only_engine, tmp_path, monkeypatch
):
    url = sqlite_only_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("S11_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    with Session(sqlite_only_engine, expire_on_commit=False) as session:
        coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
        agency = add_agency(session)
        template = install_template(session)
    launch_cycle(sqlite_only_engine, coordinator, [agency], template=template, opens_on=today() - timedelta(days=43))
    mail = tmp_path / "mail"
    options = {
        "backend": FolderBackend(mail, "s11@example.org", "S11"),
        "lock_poll_every": timedelta(seconds=0.1),
        # Any hour of any day, so the start-up run happens whenever the test runs.
        "work_options": {"outbox_every": timedelta(seconds=0.2), "daily_hours": DailyHours(0, 23, False)},
    }

    schedulers = [runner.start_scheduler(url, background=True, **options) for _ in range(2)]
    try:
        # At start-up the one that wins the lock catches up at once: the overdue notice is queued and sent.
        # ...and the day's history checkpoint is written, its digest e-mailed to the two coordinators.
        wait_for(lambda: counts(sqlite_only_engine) == {OutboxState.SENT: 4}, what="the start-up run")
        working = [s for s in schedulers if s.get_job(runner.DAILY_JOB) is not None]
        assert len(working) == 1, "exactly one scheduler works"
        worker, waiter = working[0], next(s for s in schedulers if s is not working[0])
        jobs = {runner.LOCK_JOB, runner.DAILY_JOB, runner.CHECKPOINT_JOB, runner.OUTBOX_JOB}
        assert {job.id for job in worker.get_jobs()} == jobs
        daily = worker.get_job(runner.DAILY_JOB)
        assert str(daily.trigger) == "cron[day_of_week='*', hour='0-23', minute='0']"
        assert (daily.coalesce, daily.max_instances) == (True, 1)
        assert worker.get_job(runner.OUTBOX_JOB).trigger.interval == timedelta(seconds=0.2)
        assert [job.id for job in waiter.get_jobs()] == [runner.LOCK_JOB]  # waiting

        worker.shutdown()
        wait_for(lambda: waiter.get_job(runner.DAILY_JOB) is not None, what="the take-over")
    finally:
        for scheduler in schedulers:
            if scheduler.running:
                scheduler.shutdown()
    assert len(sent_files(mail)) == 4  # the invitation, the overdue notice and two checkpoint digests, once each
    assert len(list((tmp_path / "checkpoints").glob("history-checkpoint-daily-*.json"))) == 1
