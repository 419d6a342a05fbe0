"""The staff survey's pages: the coordinator sets it up, staff answer anonymously by the agency's
link (refused answers keep what was chosen), the browser that answered is told so, the agency
sees its count, a file from another tool is imported whole or not at all, and who may see what."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlmodel import select

from models import SurveyLink, SurveyResponse
from tests.web import return_world
from tests.web.conftest import Browser
from tests.web.return_world import World, date_fields, signed_in, submitted
from workflow.clock import today

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _set_up(browser: Browser, w: World, **changes) -> None:
    data = {
        **date_fields("opens_on", today()),
        **date_fields("closes_on", today() + timedelta(days=21)),
        "minimum_responses": "5",
        "low_agreement": "50",
        "confident_agreement": "80",
        **changes,
    }
    browser.submit(f"/cycles/{w.cycle.id}/survey", data)


def _token(session, w: World, agency) -> str:
    session.expire_all()
    return session.exec(
        select(SurveyLink.token).where(SurveyLink.cycle_id == w.cycle.id, SurveyLink.agency_id == agency.id)
    ).one()


def _all_answers(page_text: str, value: str = "agree") -> dict[str, str]:
    names = sorted(set(re.findall(r'name="(q\d+)"', page_text)), key=lambda name: int(name[1:]))
    return {name: value for name in names}


def test_staff_answer_anonymously_and_the_agency_sees_its_count(browser, another_browser, world, session):
    w = world
    signed_in(browser, w.p.coordinator)
    _set_up(browser, w)
    assert "The survey settings are saved" in browser.text
    assert "Survey link for Hackney Health Trust" in browser.text
    token = _token(session, w, w.p.health)

    staff = another_browser  # nobody signs in
    form = staff.open(f"/survey/{token}")
    assert "Hackney Health Trust" in staff.text and "Staff safeguarding survey" in staff.text
    answers = _all_answers(form.text)
    assert len(answers) == 12
    first, second, *rest = answers
    # Two questions left unanswered: both named, what was chosen kept.
    staff.submit(f"/survey/{token}", {k: answers[k] for k in rest}, expect=422)
    assert "Answer question 1" in staff.text and "Answer question 2" in staff.text
    assert re.search(
        rf'name="{rest[0]}"[^>]*value="agree"[^>]*checked|value="agree"[^>]*name="{rest[0]}"[^>]*checked', staff.page.text
    )
    assert session.exec(select(SurveyResponse)).all() == []

    staff.submit(f"/survey/{token}", answers)
    assert "Your answers were sent" in staff.text
    staff.open(f"/survey/{token}")
    assert "You have already answered this survey" in staff.text

    agency = Browser(browser.client.application.test_client())
    signed_in(agency, w.agency_user)
    agency.open("/your-staff-survey")
    assert f"/survey/{token}" in agency.text
    assert "Responses so far 1" in agency.text


def test_a_closed_survey_says_so_and_takes_no_answers(browser, another_browser, world, session):
    w = world
    signed_in(browser, w.p.coordinator)
    _set_up(
        browser,
        w,
        **date_fields("opens_on", today() - timedelta(days=9)),
        **date_fields("closes_on", today() - timedelta(days=2)),
    )
    another_browser.open(f"/survey/{_token(session, w, w.p.youth)}")
    assert "This survey has closed" in another_browser.text


def test_bad_settings_are_named_and_what_was_typed_is_kept(browser, world):
    signed_in(browser, world.p.coordinator)
    browser.submit(
        f"/cycles/{world.cycle.id}/survey",
        {
            **date_fields("opens_on", today()),
            **date_fields("closes_on", today() - timedelta(days=1)),
            "minimum_responses": "7",
            "low_agreement": "60",
            "confident_agreement": "40",
        },
        expect=422,
    )
    assert "The closing date must be on or after the opening date." in browser.text
    assert "The low agreement threshold must not be above the confident agreement threshold." in browser.text
    assert 'value="7"' in browser.page.text


def test_an_import_names_every_bad_row_then_imports_the_fixed_file(browser, world, session):
    w = world
    signed_in(browser, w.p.coordinator)
    _set_up(browser, w)
    bad = "Org,Lead known\nHackney Youth Club,Agree\nNowhere Trust,Agree\nHackney Youth Club,Sort of\n"
    data = {"agency_column": "Org", "column_S4": "Lead known"}
    browser.submit(f"/cycles/{w.cycle.id}/survey/import", {**data, "file": (BytesIO(bad.encode()), "other.csv")}, expect=422)
    assert "Row 3: “Nowhere Trust” is not an agency in this cycle." in browser.text
    assert "Row 4: “Sort of” in column “Lead known” is not an answer on the scale" in browser.text
    assert 'value="Lead known"' in browser.page.text
    assert session.exec(select(SurveyResponse)).all() == []
    good = "Org,Lead known\nHackney Youth Club,Agree\nHackney Youth Club,Disagree\n"
    browser.submit(f"/cycles/{w.cycle.id}/survey/import", {**data, "file": (BytesIO(good.encode()), "other.csv")})
    assert "The file was imported: 2 responses for 1 agency." in browser.text


@pytest.mark.parametrize(
    ("person", "settings", "report"),
    [("coordinator", 200, 200), ("qa", 403, 200), ("agency_user", 403, 403), ("anonymous", 302, 302)],
)
def test_who_may_see_the_survey_pages(person, settings, report, browser, world):
    w = world
    if person != "anonymous":
        signed_in(browser, {"coordinator": w.p.coordinator, "qa": w.qa, "agency_user": w.agency_user}[person])
    assert browser.client.get(f"/cycles/{w.cycle.id}/survey").status_code == settings
    assert browser.client.get(f"/cycles/{w.cycle.id}/survey/import").status_code == settings
    assert browser.client.get(f"/reports/cycles/{w.cycle.id}/staff-survey").status_code == report
    assert browser.client.get("/survey/no-such-link").status_code == 404


def test_the_triangulation_page_withholds_figures_below_the_minimum(browser, another_browser, world, session, sqlite_only_engine):
    w = world
    submitted(w, sqlite_only_engine)
    signed_in(browser, w.p.coordinator)
    _set_up(browser, w)
    token = _token(session, w, w.p.health)
    for _ in range(3):
        staff = Browser(browser.client.application.test_client())
        staff.submit(f"/survey/{token}", _all_answers(staff.client.get(f"/survey/{token}").text))
    browser.open(f"/reports/cycles/{w.cycle.id}/staff-survey")
    assert "Hackney Health Trust (Health): fewer than 5 staff responses" in browser.text
    assert "3 staff" not in browser.text
    assert "Withheld: fewer than 5 staff responses" in browser.text
    assert not re.search(r"\d+% of staff answers agree \(", browser.text)
