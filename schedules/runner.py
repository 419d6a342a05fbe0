"""The scheduler process: APScheduler 3.11 with an in-memory job store, one working per database.

`s11 scheduler` runs it in the foreground and `s11 demo` in the background beside the web server;
never start one inside web workers (APScheduler 3 cannot share work between processes). A second
scheduler on the same database waits instead of working: it polls for a lock (on PostgreSQL a
session advisory lock held on a dedicated connection, on SQLite an exclusive lock on a file beside
the database) and takes over when the first stops. The jobs are idempotent anyway, so a lost lock
can cost time but never a duplicate e-mail.

Once it holds the lock: the daily work (cycle dates, reminders) at a set hour in London (7am
unless S11_DAILY_HOUR says otherwise) and each hour after it until 6pm, Monday to Friday; on bank
holidays in England and Wales it does nothing. It also runs at once on start within those hours,
so a scheduler that was down catches up. The outbox runs at once and every 30 seconds.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import IO, Protocol

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN, SchedulerEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from models.db import make_engine
from notifications.backends import EmailBackend
from notifications.outbox_worker import DEFAULT_SETTINGS, DeliverySettings
from schedules import jobs
from workflow.clock import UK

logger = logging.getLogger(__name__)

# Any constant the product owns; an advisory lock is per database, so partnerships never clash.
ADVISORY_LOCK_KEY = 112004  # section 11 of the Children Act 2004
OUTBOX_EVERY = timedelta(seconds=30)
LOCK_POLL_EVERY = timedelta(seconds=15)
LOCK_JOB, DAILY_JOB, OUTBOX_JOB = "scheduler-lock", "daily", "outbox"
CHECKPOINT_JOB = "history-checkpoint"
JOB_DEFAULTS = {
    "coalesce": True,  # runs missed while busy or down become one run
    "max_instances": 1,
    "misfire_grace_time": 300,
}


class SchedulerLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if no other scheduler holds it."""
        ...

    def held(self) -> bool:
        """Whether this process still holds it (a dropped connection loses it)."""
        ...

    def release(self) -> None: ...


class AdvisoryLock:
    """PostgreSQL's session advisory lock on a connection of its own, outside any transaction;
    the server releases it when that connection ends, however the process ends."""

    def __init__(self, database_url: str):
        # No pool: closing the connection must really end the session that holds the lock.
        self._engine = make_engine(database_url, poolclass=NullPool)
        self._connection: Connection | None = None

    def try_acquire(self) -> bool:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        acquired = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
        if acquired:
            self._connection = connection
        else:
            connection.close()
        return bool(acquired)

    def held(self) -> bool:
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
            return True
        except DBAPIError:
            self._connection.invalidate()
            self._connection = None
            return False

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()


class FileLock:
    """An exclusive `flock` on a file beside the SQLite database; the kernel releases it when the
    process ends."""

    def __init__(self, path: Path):
        self.path = path
        self._file: IO[str] | None = None

    def try_acquire(self) -> bool:
        file = self.path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_for(database_url: str) -> SchedulerLock:
    """The lock that keeps a second scheduler on this database waiting."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLock(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return FileLock(Path(url.database).with_name(Path(url.database).name + ".scheduler-lock"))
    raise ValueError(f"the scheduler needs a PostgreSQL database or a SQLite file, not {database_url!r}")


@dataclass(frozen=True)
class Work:
    """What the scheduler does once it holds the lock, and how often."""

    engine: Engine
    backend: EmailBackend | None = None
    delivery: DeliverySettings = DEFAULT_SETTINGS
    daily_hours: jobs.DailyHours = jobs.DailyHours()
    outbox_every: timedelta = OUTBOX_EVERY
    # The checkpoint is written once a day (the job does nothing once today's exists); asking
    # hourly, every day, means a scheduler started at any hour writes it soon.
    checkpoint_every: timedelta = timedelta(hours=1)


def keep_the_lock(scheduler: BaseScheduler, lock: SchedulerLock, work: Work) -> None:
    """Polled: take the lock when it is free and schedule the work; if it was lost (the database
    connection dropped), stop the work until it is ours again."""
    if lock.held():
        return
    if scheduler.get_job(DAILY_JOB):
        logger.error("the scheduler lock was lost; the work stops until this process holds it again")
        scheduler.remove_job(DAILY_JOB)
        scheduler.remove_job(CHECKPOINT_JOB)
        scheduler.remove_job(OUTBOX_JOB)
    if not lock.try_acquire():
        logger.debug("another scheduler holds the lock on this database; waiting")
        return
    logger.info("this process holds the scheduler lock: running the jobs")
    schedule_work(scheduler, work)


def daily_trigger(hours: jobs.DailyHours) -> CronTrigger:
    """On the hour in London from the first hour to the last, on weekdays (the job itself skips
    bank holidays); APScheduler keeps to London's clock across both clock changes."""
    return CronTrigger(
        day_of_week="mon-fri" if hours.working_days_only else "*",
        hour=f"{hours.first_hour}-{hours.last_hour}", minute=0, timezone=UK,
    )


def schedule_work(scheduler: BaseScheduler, work: Work) -> None:
    """The daily work and the outbox, each first at once (the daily job does nothing outside its
    hours), then the daily work on its hours and the outbox at its interval."""
    now = datetime.now(UTC)
    scheduler.add_job(
        jobs.run_daily_if_due, daily_trigger(work.daily_hours), args=[work.engine, work.daily_hours],
        id=DAILY_JOB, name="cycle dates and reminders", next_run_time=now, replace_existing=True,
    )
    scheduler.add_job(
        jobs.checkpoint_history, IntervalTrigger(seconds=work.checkpoint_every.total_seconds()), args=[work.engine],
        id=CHECKPOINT_JOB, name="the history's daily checkpoint", next_run_time=now, replace_existing=True,
    )
    scheduler.add_job(
        jobs.send_outbox, IntervalTrigger(seconds=work.outbox_every.total_seconds()),
        args=[work.engine, work.backend, work.delivery],
        id=OUTBOX_JOB, name="send the outbox", next_run_time=now, replace_existing=True,
    )


def start_scheduler(
    database_url: str,
    *,
    background: bool,
    backend: EmailBackend | None = None,
    lock_poll_every: timedelta = LOCK_POLL_EVERY,
    work_options: dict | None = None,
) -> BaseScheduler:
    """Start the scheduler for this database. In the foreground (`background=False`) this returns
    only when it stops (Ctrl-C); in the background it returns the running scheduler, whose
    `shutdown()` the caller owes. Either way the work begins once the lock is this process's.

    `backend` defaults to the one configured in the environment (S11_EMAIL_BACKEND);
    `work_options` overrides the intervals and hours of `Work` (tests make them short).
    """
    lock = lock_for(database_url)
    options = {"daily_hours": jobs.daily_hours_from(os.environ), **(work_options or {})}
    work = Work(make_engine(database_url), backend, **options)
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler = scheduler_class(jobstores={"default": MemoryJobStore()}, job_defaults=JOB_DEFAULTS, timezone=UTC)
    scheduler.add_listener(partial(_let_go, lock, work.engine), EVENT_SCHEDULER_SHUTDOWN)
    scheduler.add_job(
        keep_the_lock, IntervalTrigger(seconds=lock_poll_every.total_seconds()), args=[scheduler, lock, work],
        id=LOCK_JOB, name="hold the scheduler lock", next_run_time=datetime.now(UTC),
    )
    logger.info("scheduler starting on %s", make_url(database_url).render_as_string(hide_password=True))
    if background:
        scheduler.start()
        return scheduler
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
    return scheduler


def _let_go(lock: SchedulerLock, engine: Engine, _event: SchedulerEvent) -> None:
    """On shutdown: free the lock for a waiting scheduler and close the connections."""
    lock.release()
    engine.dispose()
