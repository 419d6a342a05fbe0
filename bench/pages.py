"""The Board's pages served by `s11 serve` at N agencies: one user's time per page, then 16
concurrent clients (p95) beside a static file from the same server. Requests go to 127.0.0.1 only,
in bounded loops."""

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bench.measure import Figure
from models.user import Role
from workflow.people import users

PASSWORD = "bench-password-2026"
CLIENTS = 16
PER_CLIENT = 2  # 32 requests per crowd: p95 is steady at that, and the slow pages take minutes otherwise
STATIC = "/static/app.css"


def measure(url: str, engine: Engine, cycle_id: int) -> list[Figure]:
    email = _coordinator(engine)
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
    server = subprocess.Popen(
        [s11, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        opener = _signed_in(base, email)
        pages = {
            "progress": f"/cycles/{cycle_id}/reports/progress",
            "heatmap": f"/cycles/{cycle_id}/reports/compliance",
            "year on year": f"/cycles/{cycle_id}/reports/year-on-year",
            "action plans": f"/cycles/{cycle_id}/reports/actions",
        }
        figures = []
        for name, path in pages.items():
            _get(opener, base + path)  # drawn once, as after the figures change
            one = statistics.median(_get(opener, base + path) for _ in range(3))
            figures.append(Figure(f"page {name}, one user", one, _get(opener, base + STATIC), None, "< 1000 ms", one < 1000))
        for name in ("progress", "heatmap"):
            p95, static95 = _crowd(opener, base + pages[name]), _crowd(opener, base + STATIC)
            figures.append(Figure(f"page {name}, {CLIENTS} clients, p95", p95, static95, None, "p95 < 2000 ms", p95 < 2000))
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


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


def _signed_in(base: str, email: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(base + "/sign-in", timeout=60) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())[1]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": PASSWORD}).encode()
    with opener.open(base + "/sign-in", data=form, timeout=60) as response:
        assert "/sign-in" not in response.url, "the bench could not sign in"
    return opener


def _wait_for(base: str) -> None:
    for _ in range(300):
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
