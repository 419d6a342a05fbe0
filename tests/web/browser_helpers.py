"""Driving the product in a real headless Chromium as a person does, and checking every page on the way.

A `Journey` gives each person a browser context of their own, signs them in through the sign-in
page, and moves them on only by going to a page or by clicking a link or a button. Every page that
loads is checked: it answered the status expected (not a 4xx/5xx unless a refusal was expected),
its built styles loaded (missing CSS gives false `target-size` failures), and axe-core finds no
WCAG 2.2 AA violation. Violations are collected across the journey, not raised on the first page,
so one run lists them all. Main pages are also kept as full-page screenshots, numbered in order.
"""

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from tests.web.conftest import PASSWORD

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REPO = Path(__file__).resolve().parents[2]
OUR_SHOTS = re.compile(r"^\d\d-(sign-in|coordinator|agency|qa|lead|executive)\b.*\.png$")


def screenshot_folder() -> Path:
    """A folder for the running test module's screenshots, in the folder named by S11_SCREENSHOTS
    or artifacts/screenshots/ in the checkout (git-ignored): one per module, so journeys running at
    once in parallel workers neither number into nor clear each other's pictures."""
    module = Path(os.environ.get("PYTEST_CURRENT_TEST", "journey").split("::", 1)[0]).stem
    folder = Path(os.environ.get("S11_SCREENSHOTS") or REPO / "artifacts" / "screenshots") / module
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright; the caller skips when it is not installed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Journey:
    """One browser, several people, every page loaded checked and (when named) photographed."""

    chromium: Any
    base_url: str
    screenshots: Path
    violations: list[str] = field(default_factory=list)
    pages_checked: list[str] = field(default_factory=list)
    _shots: int = 0

    def __post_init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        # An earlier run's screenshots would mix with this one's numbering; only ours are removed.
        for old in self.screenshots.glob("[0-9][0-9]-*.png"):
            if OUR_SHOTS.match(old.name):
                old.unlink()

    # --- moving about ----------------------------------------------------------------------------

    def sign_in(self, email: str, name: str, *, shot: str | None = None) -> Any:
        """A new browser context for this person, signed in through the sign-in page, on their home page."""
        context = self.chromium.new_context(viewport={"width": 1100, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        self.goto(page, "/sign-in", shot="sign-in" if not self._shots else None)
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.click(page, page.get_by_role("button", name="Sign in"), shot=shot)
        assert page.get_by_text(f"Signed in as {name}").is_visible(), f"{email} is not signed in: {page.url}"
        return page

    def goto(self, page: Any, path: str, *, shot: str | None = None, expect: int = 200) -> Any:
        """Type an address (or follow one from an e-mail) and check the page that comes back."""
        response = page.goto(self.base_url + path)
        if expect == 200:  # not redirected elsewhere (to sign in, say): it is the page meant
            assert page.url == self.base_url + path, f"went to {path}, but the browser is on {page.url}"
        self.check(page, response, shot=shot, expect=expect)
        return page

    def click(self, page: Any, target: Any, *, shot: str | None = None, expect: int = 200) -> Any:
        """Click a link or a button that loads a page (a form's POST and its redirect included)."""
        with page.expect_navigation() as navigation:
            target.click()
        self.check(page, navigation.value, shot=shot, expect=expect)
        return page

    # --- checking each page ------------------------------------------------------------------------

    def check(self, page: Any, response: Any, *, shot: str | None, expect: int) -> None:
        assert response is not None, f"no page loaded at {page.url}"
        heading = page.locator("h1").first.text_content() or ""
        assert heading.strip(), f"{page.url} has no main heading: not one of our pages"
        assert response.status == expect, f"{page.url} answered {response.status}, not {expect}: {heading.strip()}"
        page.wait_for_load_state("load")
        font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").lower()
        assert "arial" in font, f"the built styles did not load on {page.url} (font {font!r})"
        self.pages_checked.append(page.url)
        self._axe(page)
        if shot:
            self._shots += 1
            page.screenshot(path=self.screenshots / f"{self._shots:02d}-{shot}.png", full_page=True)

    def _axe(self, page: Any) -> None:
        options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        result = self.axe.run(page, options=options)
        where = page.url.removeprefix(self.base_url)
        for violation in result.response["violations"]:
            for node in violation["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                self.violations.append(f"{where}: {violation['id']} ({violation['impact']}) at {target}: {violation['help']}")

    def report(self) -> str:
        return f"{len(self.violations)} violations on {len(set(self.pages_checked))} pages:\n" + "\n".join(self.violations)


def assert_on_page(page: Any, url: str, heading: str) -> None:
    """Before checking a page, make sure it is that page: no redirect (to sign in, say), and its
    main heading starts with the words expected. Otherwise axe would check the wrong page and pass."""
    assert page.url == url, f"expected {url}, but the browser is on {page.url}"
    found = re.sub(r"\s+", " ", page.locator("h1").first.text_content() or "").strip()
    assert found.startswith(heading), f"{url} shows the heading {found!r}, not {heading!r}"


# --- filling in GOV.UK forms ---------------------------------------------------------------------


def fill_date(scope: Any, legend: str, day: date) -> None:
    """A GOV.UK date input: the Day, Month and Year boxes inside the fieldset with this legend."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def section_headed(page: Any, heading: str) -> Any:
    """The <section> (or form) of a page that holds the heading with exactly this text."""
    title = page.get_by_role("heading", name=heading, exact=True)
    return page.locator("section, form").filter(has=title).last


def words(page: Any, locator: str = "main") -> str:
    """What a person reads in part of the page, spaces tidied, for assertions on wording."""
    return re.sub(r"\s+", " ", page.locator(locator).first.inner_text())
