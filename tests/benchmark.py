"""Prints how long the Board's figures and a submission take, and the memory they use, at sizes a
large partnership reaches. A script, not a test: this machine is shared and timings are noisy.

    .venv/bin/python -m tests.benchmark [--agencies 500 2000] [--postgres]
"""

import argparse
import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

from freezegun import freeze_time
from sqlmodel import Session

from models.db import make_engine
from models.migrate import upgrade

# The history is sealed with a key; a throwaway database needs only a throwaway one.
os.environ.setdefault("S11_HISTORY_KEY", "benchmark-only-history-key")
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from tests.report_scenario import at, install_rag_template
from tests.test_reports import _bulk_cycle
from workflow.answering import returns
from workflow.reporting import exports, reports

REPORTS: list[tuple[str, Callable]] = [
    ("cycle progress", reports.cycle_progress),
    ("compliance heatmap", reports.compliance_heatmap),
    ("action plans", reports.action_plans),
    ("year on year", reports.year_on_year),
    ("export sheets", exports.cycle_sheets),
]


def measure(run: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """(median milliseconds, peak MiB allocated in Python) over `repeat` runs."""
    timings = []
    tracemalloc.start()
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(timings), peak / 1024 / 1024


def report_figures(url: str, sizes: list[int]) -> None:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        template = install_rag_template(session)
        user = add_person(session, name="Bench Coordinator", roles={Role.COORDINATOR})
    # Reports read "today" (frozen); the stopwatch in this module must not be.
    with freeze_time(at(60), ignore=["tests.benchmark", "__main__"]):
        for size in sizes:
            cycle_id = _bulk_cycle(engine, name=f"Bench {size}", agencies=size, template=template, user=user)
            for title, report in REPORTS:
                millis, mib = measure(partial(_read, engine, report, cycle_id))
                print(f"  {size:>5} agencies  {title:<20} {millis:8.1f} ms  {mib:7.1f} MiB peak")
    engine.dispose()


def _read(engine, report: Callable, cycle_id: int) -> object:
    with Session(engine) as session:
        return report(session, cycle_id)


def submission(url: str) -> None:
    """One agency answering all 41 questions of the default template and submitting."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        agency = add_agency(session, name="Bench Agency")
        coordinator = add_person(session, name="Bench Lead", roles={Role.COORDINATOR})
        agency_user = add_person(session, name="Bench User", roles={Role.AGENCY_USER}, agency=agency)
        template = install_template(session)
        questions = questions_of(session, template)
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template, name="Bench cycle")
    started = time.perf_counter()
    answer_everything(engine, agency_user, launched[0].id, questions)
    answered = time.perf_counter()
    act(engine, returns.submit, agency_user, launched[0].id, declaration_confirmed=True)
    done = time.perf_counter()
    print(f"  save one answer   {(answered - started) * 1000 / len(questions):8.1f} ms (mean of {len(questions)})")
    print(f"  submit            {(done - answered) * 1000:8.1f} ms (checks every rule, writes history and e-mails)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL of an empty database to use as well")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}")]
        if options.postgres:
            targets.append(("PostgreSQL", options.postgres))
        for name, url in targets:
            upgrade(url)
            print(f"{name}: the Board's figures")
            report_figures(url, options.agencies)
            print(f"{name}: an agency's return")
            submission(url)


if __name__ == "__main__":
    main()
