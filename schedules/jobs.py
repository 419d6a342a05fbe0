"""The scheduler's jobs: module-level functions (APScheduler needs importable callables), each
opening its own transactions and calling the same `workflow/` operations people use. Each is safe
to run twice, or in two processes at once: reminders carry dedupe keys, moves are guarded by the
lifecycles, and the outbox worker claims rows with `FOR UPDATE SKIP LOCKED`.
"""

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from models.db import transaction
from notifications.backends import EmailBackend, backend_from_config
from notifications.outbox_worker import DEFAULT_SETTINGS, DeliveryReport, DeliverySettings, deliver_pending
from workflow.calendar import cycle_calendar, plan_review, reminders
from workflow.clock import UK, is_working_day, today, uk_now
from workflow.lifecycle import checkpoints

logger = logging.getLogger(__name__)

# Cycles move first: one that opens today is invited today, and one whose year is over is closed
# before it could be chased (a scheduler down for weeks must not escalate last year's returns).
DAILY_STEPS: tuple[Callable[[Session, date], object], ...] = (
    cycle_calendar.open_cycles_due,
    cycle_calendar.release_unpicked_returns,
    cycle_calendar.close_cycles_due,
    reminders.queue_submission_reminders,
    reminders.queue_statement_reminders,
    reminders.queue_evidence_reminders,
    reminders.queue_action_reminders,
    plan_review.queue_plan_review_requests,
)


@dataclass(frozen=True)
class DailyHours:
    """When the daily work runs, on a clock in London: from `first_hour` (7am by default, so no
    e-mail goes at 3am) and again each hour until `last_hour`, so a step that failed is tried again
    and a cycle made during the day still opens that day. Reminders carry dedupe keys, so the
    later runs tell nobody twice. Weekends and bank holidays in England and Wales are skipped."""

    first_hour: int = 7
    last_hour: int = 18
    working_days_only: bool = True

    def due(self, moment: datetime) -> bool:
        """Whether the daily work runs at this moment (any time zone; read in London)."""
        local = moment.astimezone(UK)
        if self.working_days_only and not is_working_day(local.date()):
            return False
        return self.first_hour <= local.hour <= self.last_hour


def daily_hours_from(environ: Mapping[str, str]) -> DailyHours:
    """S11_DAILY_HOUR sets the UK hour the day's reminders go (0-18; 7 by default)."""
    raw = environ.get("S11_DAILY_HOUR", "").strip()
    if not raw:
        return DailyHours()
    if not raw.isdigit() or not 0 <= int(raw) <= DailyHours.last_hour:
        raise ValueError(f"S11_DAILY_HOUR must be a whole hour from 0 to {DailyHours.last_hour}, not {raw!r}")
    return DailyHours(first_hour=int(raw))


def run_daily_if_due(engine: Engine, hours: DailyHours = DailyHours()) -> dict[str, int] | None:
    """The scheduler's daily job: the day's work, unless it is outside the working hours or not a
    working day in England (then nothing, and None)."""
    if not hours.due(uk_now()):
        logger.info("no daily work at %s (outside %s)", uk_now(), hours)
        return None
    return run_daily(engine)


class DailyStepsFailed(RuntimeError):
    """Some of the day's steps failed (each is logged); the others were done and committed."""


def run_daily(engine: Engine, on_date: date | None = None) -> dict[str, int]:
    """Everything that depends on the date, for `on_date` (today by default).

    Each step commits on its own, so one failing step does not hold the others back; the next
    hourly run tries it again. Returns how much each step did (messages queued, cycles moved).
    """
    on = on_date or today()
    done: dict[str, int] = {}
    failed: list[str] = []
    for step in DAILY_STEPS:
        try:
            with transaction(engine) as session:
                result = step(session, on)
        except Exception:
            logger.exception("daily step %s failed for %s", step.__name__, on)
            failed.append(step.__name__)
            continue
        done[step.__name__] = result if isinstance(result, int) else len(result)
    logger.info("daily steps for %s: %s", on, done)
    if failed:
        raise DailyStepsFailed(f"daily steps failed for {on}: {', '.join(failed)}")
    return done


def checkpoint_history(engine: Engine, on_date: date | None = None) -> int:
    """The day's signed checkpoint of every chain's head, outside the database, with its digest
    e-mailed to the coordinators; once a day however often it runs (1 when written, else 0)."""
    with transaction(engine) as session:
        return checkpoints.daily_checkpoint(session, on_date or today())


def send_outbox(
    engine: Engine, backend: EmailBackend | None = None, settings: DeliverySettings = DEFAULT_SETTINGS
) -> DeliveryReport:
    """Send what is due in the outbox through the configured backend (S11_EMAIL_BACKEND)."""
    report = deliver_pending(engine, backend or backend_from_config(os.environ), settings)
    if report.sent or report.retrying or report.failed:
        logger.info(
            "outbox: %s sent, %s to retry, %s failed", len(report.sent), len(report.retrying), len(report.failed)
        )
    return report
