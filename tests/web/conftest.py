"""Web tests: the app on a fresh SQLite database, and a browser-like client that fills forms.

The client always sends the CSRF token it read from the form's page, as a browser does, so CSRF
protection stays on in every test.
"""

import html
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from werkzeug.test import TestResponse

from models import Agency, OutboxMessage, Template, User
from models.user import Role
from tests.factories import add_agency, install_template
from web import create_app
from workflow.people import users

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_app(engine: Engine) -> Flask:
    """The app on `engine`'s database, as the tests configure it (dispose its engine after)."""
    return create_app(
        {
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "S11_HTTPS": False,
        }
    )


@pytest.fixture
def app(sqlite_only_engine: Engine) -> Iterator[Flask]:
    app = make_app(sqlite_only_engine)
    yield app
    app.extensions["s11_engine"].dispose()


@pytest.fixture
def session(sqlite_only_engine: Engine) -> Iterator[Session]:
    """A session for arranging and checking, beside the app's own."""
    with Session(sqlite_only_engine, expire_on_commit=False) as session:
        yield session


class Browser:
    """A person at a browser: opens pages, fills in forms (token included), follows redirects."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.page: TestResponse | None = None

    def open(self, path: str, *, expect: int = 200) -> TestResponse:
        self.page = self.client.get(path, follow_redirects=True)
        assert self.page.status_code == expect, self._explain(path)
        return self.page

    def submit(self, path: str, data: dict | None = None, *, expect: int = 200, form_page: str | None = None) -> TestResponse:
        """Open the form's page, then post `data` with the page's CSRF token, following redirects."""
        page = self.client.get(form_page or path)
        token = _CSRF.search(page.text)
        assert token, f"no CSRF token on {form_page or path} ({page.status_code})"
        self.page = self.client.post(path, data={"csrf_token": token.group(1), **(data or {})}, follow_redirects=True)
        assert self.page.status_code == expect, self._explain(path)
        return self.page

    def sign_in(self, email: str, password: str = PASSWORD, *, expect: int = 200) -> TestResponse:
        return self.submit("/sign-in", {"email": email, "password": password}, expect=expect)

    def sign_out(self) -> TestResponse:
        return self.submit("/sign-out", form_page="/")

    @property
    def text(self) -> str:
        """The page's words without markup or runs of spaces, for asserting what a person reads."""
        assert self.page is not None
        words = re.sub(r"<[^>]+>", " ", self.page.text)
        return re.sub(r"\s+", " ", words.replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"').replace("&quot;", '"'))

    def _explain(self, path: str) -> str:
        return f"{path} answered {self.page.status_code}: {self.text[:1500] if self.page else ''}"


def error_summary(browser: Browser) -> list[tuple[str, str]]:
    """The error summary's links, (href, words), in the order a person reads them."""
    assert browser.page is not None
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', browser.page.text, re.S)
    assert summary, "the page has no error summary"
    links = re.findall(r'<a href="([^"]*)">(.*?)</a>', summary.group(0), re.S)
    return [(href, html.unescape(re.sub(r"\s+", " ", words).strip())) for href, words in links]


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def another_browser(app: Flask) -> Browser:
    return Browser(app.test_client())


@dataclass
class Partnership:
    coordinator: User
    agency_user: User
    health: Agency
    youth: Agency
    template: Template


def add_person(
    session: Session, *, name: str, roles: set[Role], agency: Agency | None = None, password: str | None = PASSWORD
) -> User:
    email = name.lower().replace(" ", ".") + "@example.org"
    hashed_once = password is not None and not users.password_problems(password)
    user = users.add_user(
        session, None, email=email, name=name, roles=roles, agency_id=agency.id if agency else None,
        password=None if hashed_once else password,
    )
    if hashed_once:
        user.password_hash = _password_hash(password)
    session.commit()
    return user


_HASHES: dict[tuple, str] = {}


def _password_hash(password: str) -> str:
    """The password hashed by the product's own hasher, once per worker for each set of Argon2
    parameters (a test may make them cheaper) rather than once per person: at the product's cost
    a hash takes half a second, and most web tests add two or more people with one password.
    Signing in still verifies each hash in full; only the salt is shared."""
    hasher = users._hasher
    key = (password, hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len, hasher.type)
    if key not in _HASHES:
        _HASHES[key] = hasher.hash(password)
    return _HASHES[key]


@pytest.fixture
def partnership(session: Session) -> Partnership:
    """A coordinator, two agencies (one with a user), and the default template; everyone has a password."""
    return make_partnership(session)


def make_partnership(session: Session) -> Partnership:
    """The `partnership` fixture's people and things, for a fixture of wider scope."""
    health = add_agency(session, name="Hackney Health Trust", sector="Health", statutory=True)
    youth = add_agency(session, name="Hackney Youth Club", sector="Voluntary", statutory=False)
    return Partnership(
        coordinator=add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        agency_user=add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=health),
        health=health,
        youth=youth,
        template=install_template(session),
    )


def last_email(session: Session, kind: str, to: str) -> OutboxMessage:
    session.expire_all()
    message = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == kind, OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no {kind} e-mail to {to}"
    return message


def link_in(message: OutboxMessage) -> str:
    """The path of the first link to this service in an e-mail."""
    found = re.search(r"https?://[^/\s]+(/\S+)", message.text_body)
    assert found, message.text_body
    return found.group(1)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served on a free local port, for tests that drive a real browser; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture(scope="session")
def chromium_process() -> Iterator:
    """Debian's Chromium, headless, started once per test process (each pytest-xdist worker has
    its own). Skipped on a machine without it, but never in CI, where the browser tests must run
    (`.ci/run` installs it)."""
    if shutil.which("chromium") is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; in CI the browser tests must run.")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    from tests.web.browser_helpers import headless_chromium

    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def chromium(chromium_process) -> Iterator:
    """The worker's Chromium for one test: every page and context the test opened is closed after
    it, so the next test starts with no cookies, storage or pages, as with a new browser."""
    yield chromium_process
    for context in chromium_process.contexts:
        context.close()
