"""`python -m bench`: every path on SQLite and PostgreSQL, product beside floor, in one run.

.venv/bin/python -m bench [--agencies 1000] [--postgres URL | --no-postgres] [--only figures moves ...]
"""

import argparse
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import figures, launching, moves, outbox, pages, sweep, world
from bench.measure import HEADER, Figure
from models.db import make_engine
from models.migrate import upgrade
from workflow.templates.spec import RatingScale

SECTIONS = ["figures", "moves", "launch", "sweep", "outbox", "pages"]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


@contextmanager
def postgres_url(server: str) -> Iterator[str]:
    """A database of the bench's own on the server, dropped afterwards."""
    name = f"s11_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(name: str, url: str, fresh: Callable[[], AbstractContextManager[str]], options: argparse.Namespace) -> list[Figure]:
    upgrade(url)
    engine = make_engine(url)
    found: list[Figure] = []

    clock = [time.perf_counter()]

    def section(title: str, results: list[Figure]) -> None:
        now = time.perf_counter()
        print(f"{name}: {title} ({now - clock[0]:.0f} s)", flush=True)
        clock[0] = now
        for figure in results:
            print(figure.line(), flush=True)
        found.extend(results)

    template, user = world.base(engine)
    scale = RatingScale.from_json(template.scale)
    large = None
    if "figures" in options.only or "pages" in options.only:
        previous = world.bulk_cycle(engine, name="Last year", agencies=options.agencies, template=template, user=user)
        small = world.bulk_cycle(engine, name="Small", agencies=50, template=template, user=user)
        large = world.bulk_cycle(engine, name="This year", agencies=0, template=template, user=user, previous=previous)
    if "figures" in options.only:
        section(
            f"the Board's figures at {options.agencies} agencies",
            figures.measure(engine, small=small, large=large, previous=previous, scale=scale, repeat=options.repeat),
        )
    if "moves" in options.only:
        section("one answer and the moves", moves.measure(engine, template, repeat=options.repeat * 2))
    if "launch" in options.only:
        section(f"launch of {options.agencies} agencies", launching.measure(engine, template, options.agencies))
    if "sweep" in options.only:
        with fresh() as sweep_url:
            upgrade(sweep_url)
            sweep_engine = make_engine(sweep_url)
            sweep_template, _ = world.base(sweep_engine)
            section("the reminder sweep", sweep.measure(sweep_engine, sweep_template, [10_000, 100_000]))
            sweep_engine.dispose()
    if "outbox" in options.only:
        with fresh() as outbox_url:  # its own database: only the bench's messages are waiting
            upgrade(outbox_url)
            outbox_engine = make_engine(outbox_url)
            section("the outbox to a local fake SendGrid", outbox.measure(outbox_engine, messages=600))
            outbox_engine.dispose()
    if "pages" in options.only:
        section(f"pages under `s11 serve` at {options.agencies} agencies", pages.measure(url, engine, large))
        with fresh() as demo_url:
            upgrade(demo_url)
            demo_engine = make_engine(demo_url)
            section("the demo's heatmap beside its home page, 16 clients", pages.demo(demo_url, demo_engine))
            demo_engine.dispose()
        with fresh() as shared_url, fresh() as alone_url:
            upgrade(shared_url)
            upgrade(alone_url)
            shared_engine, alone_engine = make_engine(shared_url), make_engine(alone_url)
            section(
                "a partnership's pages: one of 20 x 100 agencies beside 100 alone",
                pages.partnerships(shared_url, shared_engine, alone_url, alone_engine),
            )
            shared_engine.dispose()
            alone_engine.dispose()
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL server URL (the bench makes its own database)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", nargs="+", default=SECTIONS, choices=SECTIONS)
    options = parser.parse_args()
    # History records are sealed: a throwaway key for the bench's throwaway databases, unless one is set.
    os.environ.setdefault("S11_HISTORY_KEY", secrets.token_hex(32))
    started = time.perf_counter()
    print(HEADER)
    results: list[Figure] = []
    with sqlite_url() as url:
        results += run("SQLite", url, sqlite_url, options)
    if not options.no_postgres:
        with postgres_url(options.postgres) as url:
            results += run("PostgreSQL", url, partial(postgres_url, options.postgres), options)
    missed = [f.what for f in results if f.met is False]
    print(
        f"{len(results) - len(missed)} of {len([f for f in results if f.met is not None])} targets met "
        f"in {time.perf_counter() - started:.0f} s" + (f"; not met: {', '.join(missed)}" if missed else "")
    )


if __name__ == "__main__":
    main()
