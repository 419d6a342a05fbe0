"""What the load balancer and the operator's log collector see: /healthz, /readyz, and one JSON
line per request with its id, route, status and duration, and nothing about the person."""

import json
import logging

import pytest

from models.migrate import upgrade
from tests.web.conftest import PASSWORD
from web import create_app


@pytest.fixture
def request_lines():
    """The JSON lines the request log writes during the test."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(record.getMessage()))

    handler = Collect()
    logging.getLogger("s11.requests").addHandler(handler)
    yield lines
    logging.getLogger("s11.requests").removeHandler(handler)


def _app(url: str, tmp_path):
    return create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test-secret-key", "S11_HTTPS": False,
                       "EVIDENCE_DIR": tmp_path / "evidence"})


def test_the_load_balancer_sees_a_live_and_ready_process(browser, app, tmp_path):
    app.config["EVIDENCE_DIR"] = tmp_path / "evidence"
    live = browser.client.get("/healthz")
    assert (live.status_code, live.json) == (200, {"status": "ok"})
    ready = browser.client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert {name: check["ok"] for name, check in ready.json["checks"].items()} == {
        "database": True, "migrations": True, "evidence store": True,
    }


def test_a_database_behind_on_its_migrations_is_not_ready(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0001")
    answer = _app(url, tmp_path).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["migrations"]["ok"] is False
    assert "s11 db upgrade" in answer.json["checks"]["migrations"]["detail"]


def test_a_database_that_does_not_answer_is_not_ready_and_no_password_is_shown(tmp_path):
    url = "postgresql+psycopg://s11:hunter2-password@127.0.0.1:9/s11"  # the discard port: nothing listens
    answer = _app(url, tmp_path).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.json["checks"]["database"] == {"ok": False, "detail": "not reachable (OperationalError)"}
    assert "hunter2" not in answer.get_data(as_text=True)


def test_every_request_is_one_json_line_with_its_id_and_no_personal_data(browser, partnership, request_lines):
    browser.client.get("/sign-in")
    signed_in = browser.sign_in(partnership.agency_user.email, PASSWORD)
    assert signed_in.status_code == 200
    browser.client.get("/reset-password/some-secret-token-from-an-email")

    posted = [line for line in request_lines if line["method"] == "POST"]
    assert [(line["route"], line["status"]) for line in posted] == [("/sign-in", 302)]
    for line in request_lines:
        assert set(line) == {"time", "event", "request_id", "method", "route", "status", "duration_ms"}
        assert len(line["request_id"]) == 32 and line["duration_ms"] >= 0
    assert "/reset-password/<token>" in [line["route"] for line in request_lines]
    written = json.dumps(request_lines)
    assert partnership.agency_user.email not in written
    assert "some-secret-token" not in written
    assert len({line["request_id"] for line in request_lines}) == len(request_lines)


def test_the_proxys_request_id_is_kept_and_a_strange_one_replaced(browser, request_lines):
    kept = browser.client.get("/healthz", headers={"X-Request-Id": "0123456789abcdef0123456789abcdef"})
    replaced = browser.client.get("/healthz", headers={"X-Request-Id": "<script>alert(1)</script>"})
    assert kept.headers["X-Request-Id"] == "0123456789abcdef0123456789abcdef"
    assert replaced.headers["X-Request-Id"] != "<script>alert(1)</script>"
    assert [line["request_id"] for line in request_lines] == [kept.headers["X-Request-Id"], replaced.headers["X-Request-Id"]]
