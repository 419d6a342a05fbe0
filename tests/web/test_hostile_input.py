"""Hostile values posted to every form of the product, by every role, on SQLite and PostgreSQL.

Each person's pages are crawled from the home page, every form found is posted with values from
a fixed corpus (tests/web/hostile_values.py), and no answer may be a 500: bad input is refused in
words. Also: addresses with ids beyond the database's range, and control characters in addresses.
"""

import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from flask.testing import FlaskClient

from tests.web import return_world
from tests.web.conftest import PASSWORD
from tests.web.hostile_values import CORPUS
from tests.web.return_world import World, submitted

pytestmark = pytest.mark.minutes  # started before the short modules (tests/conftest.py)

world = return_world.world
SERVICE_ERROR = "Sorry, there is a problem with the service"
POSTS_PER_FORM = 6
# Pages that change nothing and only cost time (charts, files) are not crawled.
NOT_CRAWLED = re.compile(r"/reports|/exports/|\.pdf$|/evidence/|/sign-out|/webhooks")


@pytest.fixture
def sqlite_only_engine(engine):
    """Here the web fixtures run on both databases: a NUL byte breaks PostgreSQL, not SQLite."""
    return engine


class _Forms(HTMLParser):
    """The POST forms of a page (action and field names, in order) and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str], bool]] = []
        self.links: list[str] = []
        self._current: tuple[str, list[str], list[bool]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and (a.get("href") or "").startswith("/"):
            self.links.append(a["href"].split("#")[0])
        elif tag == "form" and (a.get("method") or "").lower() == "post":
            self._current = (a.get("action") or "", [], [False])
        elif self._current is not None and tag in ("input", "textarea", "select", "button") and a.get("name"):
            if a.get("type") == "file":
                self._current[2][0] = True
            if a["name"] != "csrf_token":
                self._current[1].append(a["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append((self._current[0], self._current[1], self._current[2][0]))
            self._current = None


def _crawl(client: FlaskClient, limit: int = 40) -> dict[str, tuple[list[str], bool]]:
    """Every POST form reachable from the home page: action -> (field names, has a file field)."""
    seen: set[str] = set()
    queue = ["/"]
    forms: dict[str, tuple[list[str], bool]] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or NOT_CRAWLED.search(path):
            continue
        seen.add(path)
        page = client.get(path)
        assert page.status_code < 500, f"{path} answered {page.status_code}"
        if page.status_code != 200 or "text/html" not in page.content_type:
            continue
        parser = _Forms()
        parser.feed(page.text)
        for action, fields, has_file in parser.forms:
            key = re.sub(r"/\d+", "/N", action or path)
            forms.setdefault(key, (action or path, fields, has_file))
        queue.extend(link for link in parser.links if link not in seen)
    return {action: (fields, has_file) for action, fields, has_file in forms.values()}


def _token(client: FlaskClient, path: str = "/") -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).text)
    assert found, f"no form on {path}"
    return found.group(1)


def _post_hostile_values(client: FlaskClient, action: str, fields: list[str], has_file: bool, start: int) -> None:
    token = _token(client, "/" if action not in ("/sign-in", "/forgotten-password") else action)
    for n in range(POSTS_PER_FORM):
        data: dict = {"csrf_token": token}
        for i, name in enumerate(fields):
            value = CORPUS[(start + n * len(fields) + i) % len(CORPUS)]
            data.setdefault(name, []).append(value)
        if has_file:
            data["file"] = (BytesIO(b"%PDF-1.4\n" + CORPUS[(start + n) % len(CORPUS)].encode()), "x\x00y.pdf")
        answer = client.post(action, data=data, content_type="multipart/form-data" if has_file else None)
        assert answer.status_code < 500 and SERVICE_ERROR not in answer.text, (action, data)
        assert answer.status_code in (200, 302, 400, 403, 404, 409, 413, 422, 429), (action, answer.status_code)


def _signed_in(app, user) -> FlaskClient:
    client = app.test_client()
    token = _token(client, "/sign-in")
    answer = client.post("/sign-in", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert answer.status_code == 302, f"{user.email} could not sign in"
    return client


def test_hostile_values_in_every_form_are_refused_in_words_never_with_a_500(app, world: World, sqlite_only_engine):
    submitted(world, sqlite_only_engine)  # so QA's forms are there too
    anonymous = app.test_client()
    for n, action in enumerate(("/sign-in", "/forgotten-password")):
        fields = ["email", "password"] if action == "/sign-in" else ["email"]
        _post_hostile_values(anonymous, action, fields, False, start=n * 37)

    # The coordinator last: their forms deactivate people and close cycles.
    people = [world.youth_user, world.lead, world.executive, world.qa, world.p.coordinator]
    posted = 0
    for person in people:
        client = _signed_in(app, person)
        forms = _crawl(client)
        assert forms, f"no forms found for {person.name}"
        for action, (fields, has_file) in sorted(forms.items()):
            if action == "/sign-out":
                continue
            _post_hostile_values(client, action, fields, has_file, start=posted * 11)
            posted += 1
    assert posted >= 15  # the crawl really reached the product's forms


HOSTILE_ADDRESSES = [
    "/returns/2147483648",
    "/returns/99999999999999999999999",
    "/agencies/99999999999/edit",
    "/cycles/2147483647",
    "/evidence/99999999999999",
    "/returns/1/standards/99999999999999",
    "/cycles?state=%00&sector=%00",
    "/cycles/1/reports/progress?state=%00",
    "/set-password/%00abc",
    "/reset-password/a%00b",
    "/unlock/%00",
    "/%00",
]


def test_addresses_with_ids_out_of_range_or_control_characters_are_not_found_or_refused(app, world: World):
    client = _signed_in(app, world.p.coordinator)

    for path in HOSTILE_ADDRESSES:
        answer = client.get(path)
        assert answer.status_code in (400, 404), (path, answer.status_code)
        assert SERVICE_ERROR not in answer.text


def test_a_nul_byte_at_sign_in_is_refused_in_words_keeping_the_address_typed(app, world: World):
    client = app.test_client()
    token = _token(client, "/sign-in")

    typed = {"csrf_token": token, "email": "cora.ordinator@example.org", "password": "pass\x00word"}

    answer = client.post("/sign-in", data=typed)

    assert answer.status_code == 422
    assert "“Password” contains an invisible control character" in answer.text
    assert 'value="cora.ordinator@example.org"' in answer.text


def test_an_over_long_agency_name_is_refused_beside_the_field_keeping_everything_typed(app, world: World):
    client = _signed_in(app, world.p.coordinator)
    token = _token(client, "/agencies/new")
    long_name = "Hackney " * 30

    answer = client.post(
        "/agencies/new",
        data={"csrf_token": token, "name": long_name, "sector": "Health", "statutory": "yes", "contact_name": "Sam Contact"},
    )

    assert answer.status_code == 422
    assert f"“Name” must be 200 characters or fewer (it has {len(long_name)})." in answer.text
    assert long_name.strip() in answer.text and 'value="Sam Contact"' in answer.text
