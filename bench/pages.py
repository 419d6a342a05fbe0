"""The Board's pages served by `s11 serve` at N agencies: one user's time per page, then 16
concurrent clients (p95) beside a static file from the same server; the demo's heatmap beside its
home page (throughput); and one partnership's pages in a deployment of twenty beside the same
partnership alone. Requests go to 127.0.0.1 only,
in bounded loops."""

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from bench import world
from bench.measure import Figure
from models import Cycle
from models.user import Role
from workflow.cli import demo as cli_demo
from workflow.people import users

PASSWORD = "bench-password-2026"
CLIENTS = 16
PER_CLIENT = 2  # 32 requests per crowd: p95 is steady at that, and the slow pages take minutes otherwise
STATIC = "/static/app.css"


@contextmanager
def served(url: str) -> Iterator[str]:
    """`s11 serve` on `url` with its production worker count, on a free port of 127.0.0.1."""
    port = _free_port()
    env = {
        **os.environ,
        "S11_ENV": "development",  # `s11 serve` refuses the demo's settings (plain http, console e-mail) otherwise
        "DATABASE_URL": url,
        "S11_HTTPS": "0",
        "SECRET_KEY": "bench-secret-" + "0" * 32,
        "S11_EMAIL_BACKEND": "console",
    }
    s11 = str(Path(sys.executable).parent / "s11")
    said = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [s11, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=said,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_for(base)
        except RuntimeError:
            said.seek(0)
            raise RuntimeError(f"s11 serve did not answer: {said.read()[-2000:].decode(errors='replace')}") from None
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # gunicorn's graceful stop is slow on a busy machine
            server.kill()
            server.wait(timeout=30)
        said.close()


def measure(url: str, engine: Engine, cycle_id: int) -> list[Figure]:
    email = _coordinator(engine)
    world.settle(engine)
    with served(url) as base:
        opener = _signed_in(base, email)
        pages = {
            "progress": f"/cycles/{cycle_id}/reports/progress",
            "heatmap": f"/cycles/{cycle_id}/reports/compliance",
            "year on year": f"/cycles/{cycle_id}/reports/year-on-year",
            "action plans": f"/cycles/{cycle_id}/reports/actions",
        }
        figures = []
        for name, path in pages.items():
            _warm(opener, base + path)  # drawn once, as after the figures change
            one = statistics.median(_get(opener, base + path) for _ in range(3))
            figures.append(Figure(f"page {name}, one user", one, _get(opener, base + STATIC), None, "< 1000 ms", one < 1000))
        for name in pages:
            p95, static95 = _crowd(opener, base + pages[name]), _crowd(opener, base + STATIC)
            figures.append(Figure(f"page {name}, {CLIENTS} clients, p95", p95, static95, None, "p95 < 2000 ms", p95 < 2000))
        return figures


def demo(url: str, engine: Engine) -> list[Figure]:
    """The heatmap page of `make demo`'s partnership beside its home page, both as throughput of
    CLIENTS clients: the heatmap must reach 30% of the home page's requests per second."""
    with Session(engine) as session:
        logins = cli_demo.build(session)
        session.commit()
        cycle_id = session.exec(select(Cycle.id).order_by(Cycle.id)).first()
    email = next(login.email for login in logins if login.role == "Coordinator")
    with served(url) as base:
        opener = _signed_in(base, email, cli_demo.DEMO_PASSWORD)
        heatmap = f"{base}/cycles/{cycle_id}/reports/compliance"
        _warm(opener, heatmap)
        _warm(opener, base + "/")
        home_ms = _per_request(opener, base + "/")
        heatmap_ms = _per_request(opener, heatmap)
    share = home_ms / heatmap_ms
    return [Figure("demo heatmap, share of home page's req/s", heatmap_ms, home_ms, None, ">= 30% (ratio <= 3.3x)", share >= 0.3)]


def partnerships(
    url: str, engine: Engine, alone_url: str, alone_engine: Engine, agencies: int = 100, count: int = 20
) -> list[Figure]:
    """A partnership coordinator's pages in a deployment of `count` partnerships of `agencies`
    agencies each, beside the same pages in a deployment of that one partnership alone."""
    deployments = []
    for each_url, each_engine, how_many in ((url, engine, count), (alone_url, alone_engine, 1)):
        template, user = world.base(each_engine)
        made = world.partnerships_of_cycles(each_engine, partnerships=how_many, agencies=agencies, template=template, user=user)
        cycle_id = made[0]
        deployments.append((each_url, _coordinator(each_engine), cycle_id))
        world.settle(each_engine)
    timings: dict[str, list[float]] = {}
    for each_url, email, cycle_id in deployments:
        with served(each_url) as base:
            opener = _signed_in(base, email)
            for name, part in (("heatmap", "compliance"), ("progress", "progress")):
                address = f"{base}/cycles/{cycle_id}/reports/{part}"
                _warm(opener, address)
                timings.setdefault(name, []).append(statistics.median(_get(opener, address) for _ in range(5)))
    return [
        Figure(f"{name}: 1 of {count}x{agencies} vs {agencies} alone", shared, alone, None, "<= 1.5x", shared <= 1.5 * alone)
        for name, (shared, alone) in timings.items()
    ]


def _warm(opener, address: str) -> None:
    """Every worker of the server asked once at least (CLIENTS at once, more than its workers), as
    a server that has been up a while: each worker's first request pays its own start (templates
    compiled, SQL compiled), and one page read by 5 requests could otherwise land on a cold one."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda _: _get(opener, address), range(CLIENTS)))


def _per_request(opener, address: str) -> float:
    """Milliseconds per request when CLIENTS clients ask PER_CLIENT * 2 times each at once (1000 / req/s)."""
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(lambda _: _get(opener, address), range(CLIENTS * PER_CLIENT * 2)))
    return (time.perf_counter() - started) * 1000 / (CLIENTS * PER_CLIENT * 2)


def _crowd(opener, address: str) -> float:
    """p95 milliseconds of CLIENTS clients each asking PER_CLIENT times at once."""
    with ThreadPoolExecutor(CLIENTS) as pool:
        times = list(pool.map(lambda _: _get(opener, address), range(CLIENTS * PER_CLIENT)))
    return statistics.quantiles(times, n=20)[-1]


def _get(opener, address: str) -> float:
    started = time.perf_counter()
    with opener.open(address, timeout=120) as response:
        response.read()
        assert response.status == 200, (address, response.status)
    return (time.perf_counter() - started) * 1000


def _coordinator(engine: Engine) -> str:
    email = "pages.bench@example.org"
    with Session(engine) as session:
        user = users.add_user(session, None, email=email, name="Pages Bench", roles={Role.COORDINATOR})
        users.set_password(session, user, PASSWORD)
        session.commit()
    return email


def _signed_in(base: str, email: str, password: str = PASSWORD):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/sign-in", timeout=60) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())[1]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    with opener.open(base + "/sign-in", data=form, timeout=60) as response:
        assert "/sign-in" not in response.url, "the bench could not sign in"
    return opener


def _wait_for(base: str) -> None:
    for _ in range(900):
        try:
            urllib.request.urlopen(base + STATIC, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("s11 serve did not answer")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
