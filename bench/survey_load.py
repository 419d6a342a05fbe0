"""Staff survey load: 5,000 responses (Wandsworth's size) arriving from 50 concurrent clients over
HTTP, then the triangulation report on them. Prints figures; asserts nothing is lost or counted twice.
A script, not a test: the machine is shared and timings are noisy.

    .venv/bin/python -m bench.survey_load [--responses 5000] [--clients 50] [--agencies 50] [--postgres URL]

Each client is a fresh browser for every response (its own cookies): it opens the agency's link,
reads the form's CSRF token and random submission key, and posts every answer. One response in
fifty is posted twice, as a double click would, and must be stored once. The app is served by
Werkzeug's threaded server on 127.0.0.1 with the flood limit raised (one link takes ~100 a minute).
"""

import argparse
import http.cookiejar
import logging
import random
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, func, select
from werkzeug.serving import make_server

from models import SurveyLink, SurveyResponse, SurveyResponseAnswer
from models.db import make_engine
from models.migrate import upgrade
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from web import create_app
from workflow.answering import returns
from workflow.clock import today
from workflow.survey import settings
from workflow.survey.triangulation import triangulation

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
QUESTION = re.compile(r'name="(q\d+)"')
ANSWERS = ["strongly_disagree", "disagree", "neither", "agree", "strongly_agree", "dont_know"]


def build(url: str, agencies: int) -> tuple[int, list[str]]:
    """A launched cycle of `agencies` agencies, every return submitted, the survey open; (cycle id, links)."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        template = install_template(session)
        coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
        made = [
            add_agency(session, name=f"Agency {n:03d}", sector=("Health", "Police", "Education", "Voluntary")[n % 4])
            for n in range(agencies)
        ]
        users = {a.id: add_person(session, name=f"User {a.id}", roles={Role.AGENCY_USER}, agency=a) for a in made}
        cycle, launched = launch_cycle(engine, coordinator, made, template=template)
        questions = questions_of(session, template)
        for n, ret in enumerate(launched):
            answer_everything(engine, users[ret.agency_id], ret.id, questions, rating="fully_met")
            act(engine, returns.submit, users[ret.agency_id], ret.id, declaration_confirmed=True)
            if n % 10 == 9:
                print(f"  {n + 1} returns submitted", flush=True)
        act(
            engine,
            settings.set_up_survey,
            coordinator,
            cycle.id,
            settings.SurveySettings(today(), today() + timedelta(days=28), 5, 50, 80),
        )
        tokens = list(session.exec(select(SurveyLink.token).where(SurveyLink.cycle_id == cycle.id)))
    engine.dispose()
    return cycle.id, tokens


def one_response(base: str, token: str, rng: random.Random, twice: bool) -> float:
    """A new browser answers once; the seconds its POST took."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(f"{base}/survey/{token}", timeout=60).read().decode()
    data = {"csrf_token": CSRF.search(form).group(1), "submission_key": KEY.search(form).group(1)}
    data |= {name: rng.choice(ANSWERS) for name in dict.fromkeys(QUESTION.findall(form))}
    body = urllib.parse.urlencode(data).encode()
    started = time.perf_counter()
    page = opener.open(f"{base}/survey/{token}", data=body, timeout=60).read().decode()
    took = time.perf_counter() - started
    assert "Your answers were sent" in page, page[:500]
    if twice:  # a double click: the same form again, from a browser that has not stored the cookie yet
        fresh = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        again = fresh.open(f"{base}/survey/{token}", timeout=60).read().decode()
        data["csrf_token"] = CSRF.search(again).group(1)
        fresh.open(f"{base}/survey/{token}", data=urllib.parse.urlencode(data).encode(), timeout=60).read()
    return took


def run(url: str, responses: int, clients: int, agencies: int) -> None:
    print(f"Building {agencies} agencies with submitted returns on {make_url(url).get_backend_name()} ...", flush=True)
    started = time.perf_counter()
    cycle_id, tokens = build(url, agencies)
    print(f"  built in {time.perf_counter() - started:.1f} s")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "S11_HTTPS": False, "S11_SURVEY_PER_MINUTE": 100_000})
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # its request log would print 10,000 lines (and addresses)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        for i in range(n, responses, clients):
            try:
                took = one_response(base, tokens[i % len(tokens)], rng, twice=i % 50 == 0)
                with lock:
                    timings.append(took)
            except Exception as error:  # noqa: BLE001 - counted and printed, the run goes on
                with lock:
                    errors.append(f"{type(error).__name__}: {error}"[:200])

    print(f"Sending {responses} responses from {clients} concurrent clients ...", flush=True)
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server.shutdown()
    app.extensions["s11_engine"].dispose()

    engine = make_engine(url)
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(SurveyResponse)).one()
        answers = session.exec(select(func.count()).select_from(SurveyResponseAnswer)).one()
        report_ms = []
        for _ in range(5):
            session.expire_all()
            t0 = time.perf_counter()
            picture = triangulation(session, cycle_id)
            report_ms.append((time.perf_counter() - t0) * 1000)
    engine.dispose()

    timings.sort()
    print()
    print(f"responses sent            {responses} (+{len(range(0, responses, 50))} sent twice)")
    print(f"responses stored          {stored}  ({'none lost, none counted twice' if stored == responses else 'MISMATCH'})")
    print(f"answers stored            {answers}")
    print(f"errors                    {len(errors)}" + (f"  e.g. {errors[0]}" if errors else ""))
    print(f"wall time                 {elapsed:.1f} s  ({responses / elapsed:.0f} responses/s)")
    if timings:
        print(
            f"POST latency              median {statistics.median(timings) * 1000:.0f} ms, "
            f"95th {timings[int(len(timings) * 0.95) - 1] * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms"
        )
    print(
        f"triangulation report      median {statistics.median(report_ms):.0f} ms over 5 runs "
        f"({len(picture.agencies)} agencies x {len(picture.standards)} standards, {len(picture.flagged)} flags)"
    )
    if stored != responses or errors:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--agencies", type=int, default=50)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server: a database of its own is made and dropped")
    args = parser.parse_args()
    if args.postgres:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"s11_bench_{random.randrange(16**8):08x}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            upgrade(url)
            run(url, args.responses, args.clients, args.agencies)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        upgrade(url)
        run(url, args.responses, args.clients, args.agencies)


if __name__ == "__main__":
    main()
