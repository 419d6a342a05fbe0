"""The scheduler's jobs: module-level functions (APScheduler needs importable callables), each
opening its own transactions and calling the same `workflow/` operations people use. Each is safe
to run twice, or in two processes at once: reminders carry dedupe keys, moves are guarded by the
lifecycles, and the outbox worker claims rows with `FOR UPDATE SKIP LOCKED`.
"""

import logging
import os
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from models.db import transaction
from notifications.backends import EmailBackend, backend_from_config
from notifications.outbox_worker import DEFAULT_SETTINGS, DeliveryReport, DeliverySettings, deliver_pending
from workflow.calendar import cycle_calendar, plan_review, reminders
from workflow.clock import today
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
