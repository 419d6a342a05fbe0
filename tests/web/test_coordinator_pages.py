"""The coordinator's pages, as the partnership's business unit uses them through a year."""

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from freezegun import freeze_time
from sqlmodel import select

from models import Agency, AuditReturn, Cycle, OutboxMessage, QaSelection, Template
from models.audit_return import ReturnState
from models.user import Role
from tests.agency_lists import BAD_ROWS_NAMED, as_csv, as_xlsx, partnership_list
from tests.factories import act, answer_everything, launch_cycle, questions_of
from tests.web.conftest import add_person, error_summary
from workflow.answering import returns
from workflow.clock import today
from workflow.people.sectors import SECTOR_NAMES
from workflow.templates.standard import TEMPLATE_DIR

GOOD_CSV = b"""name,sector,statutory,contact_name,contact_email
Hackney Police,Police,yes,Pat Police,pat@police.example.org
Hackney Scouts,Voluntary,no,Sam Scout,sam@scouts.example.org
"""
BAD_CSV = b"""name,sector,statutory,contact_name,contact_email
Hackney Police,Police,yes,Pat Police,pat@police.example.org
Hackney Scouts,,maybe,Sam Scout,not-an-address
"""


@pytest.fixture
def coordinator(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    return browser


def _date_fields(name: str, day: date) -> dict[str, list[str]]:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def _cycle_form(template_id: int, agency_ids: list[int], *, name: str = "Section 11 audit 2026-27") -> dict:
    opens = today()
    data = {
        "name": name,
        "kind": "full_audit",
        "template_id": str(template_id),
        "previous_cycle_id": "",
        "agency_ids": [str(i) for i in agency_ids],
    }
    for field, days in (
        ("opens_on", 0),
        ("submission_deadline", 42),
        ("qa_window_ends", 70),
        ("action_plan_review", 180),
        ("statement_deadline", 200),
    ):
        data.update(_date_fields(field, opens + timedelta(days=days)))
    return data


def test_coordinator_adds_an_agency_and_sees_it_in_the_list(coordinator, session):
    coordinator.submit(
        "/agencies/new",
        {
            "name": "Hackney Police",
            "sector": "Police",
            "statutory": "yes",
            "commissioned_by": "",
            "contact_name": "Pat Police",
            "contact_email": "pat@police.example.org",
            "executive_name": "Chief Constable",
            "executive_email": "chief@police.example.org",
        },
    )

    assert "Hackney Police was added." in coordinator.text
    assert "Pat Police" in coordinator.text
    assert session.exec(select(Agency).where(Agency.name == "Hackney Police")).one().statutory


def test_a_refused_agency_keeps_what_was_typed_and_lists_every_reason(coordinator, session):
    coordinator.submit(
        "/agencies/new",
        {
            "name": "Hackney Health Trust",
            "sector": "",
            "statutory": "yes",
            "contact_email": "not-an-address",
            "contact_name": "Typed carefully",
        },
        expect=422,
    )

    assert "There is a problem" in coordinator.text
    assert error_summary(coordinator) == [
        ("#name", "There is already an agency called “Hackney Health Trust”: give this one another name."),
        ("#sector", "Enter the agency's sector, one of: " + ", ".join(SECTOR_NAMES) + "."),
        ("#contact_email",
         "The contact e-mail “not-an-address” is not a valid e-mail address: check it has one @ and no spaces."),
    ]
    assert 'value="Typed carefully"' in coordinator.page.text
    assert len(session.exec(select(Agency)).all()) == 2


def test_an_empty_add_agency_form_reports_every_missing_answer_at_once_each_linked_to_its_field(coordinator, session):
    coordinator.submit("/agencies/new", {}, expect=422)

    assert [href for href, _ in error_summary(coordinator)] == ["#name", "#sector", "#statutory", "#contact_email"]
    assert "Say whether the agency is statutory." in coordinator.text
    assert coordinator.page.text.count('class="govuk-error-message"') == 4  # each beside its field


def test_a_sector_must_agree_with_statutory_status(coordinator, session):
    coordinator.submit(
        "/agencies/new",
        {"name": "Hackney Faith Forum", "sector": "Faith", "statutory": "yes", "contact_email": "f@faith.example.org"},
        expect=422,
    )
    assert error_summary(coordinator) == [
        ("#sector", "Agencies in the Faith sector are not statutory under Section 11: statutory must be no, "
                    "or the sector must be the statutory body's."),
    ]
    assert 'value="Hackney Faith Forum"' in coordinator.page.text


def test_coordinator_changes_an_agencys_details(coordinator, partnership, session):
    page = coordinator.open(f"/agencies/{partnership.youth.id}/edit")
    assert 'value="Hackney Youth Club"' in page.text

    coordinator.submit(
        f"/agencies/{partnership.youth.id}/edit",
        {
            "name": "Hackney Youth Club",
            "sector": "Voluntary",
            "statutory": "no",
            "commissioned_by": "Hackney Health Trust",
            "contact_name": "New Contact",
            "contact_email": "new@youth.example.org",
        },
    )

    assert "Hackney Youth Club's details were saved." in coordinator.text
    assert "Commissioned by Hackney Health Trust" in coordinator.text


def test_a_csv_with_a_bad_row_names_the_row_and_saves_nothing(coordinator, session):
    coordinator.submit("/agencies/import", {"file": (_file(BAD_CSV), "agencies.csv")}, expect=422)

    assert "Row 3: the statutory column must say yes or no, not “maybe”." in coordinator.text
    assert "Row 3: enter the agency's sector, one of: Local authority, Health, Police" in coordinator.text
    assert "Row 3: the contact e-mail “not-an-address” is not a valid e-mail address" in coordinator.text
    assert session.exec(select(Agency).where(Agency.name == "Hackney Police")).first() is None

    coordinator.submit("/agencies/import", {"file": (_file(GOOD_CSV), "agencies.csv")})
    assert "The file was imported: 2 agencies added, 0 updated." in coordinator.text
    assert "Hackney Scouts" in coordinator.text


def test_a_partnerships_excel_list_names_every_bad_row_in_one_pass_and_then_imports(coordinator, session):
    rows = partnership_list()
    coordinator.submit("/agencies/import", {"file": (_file(as_xlsx(rows)), "agencies.xlsx")}, expect=422)
    for reason in BAD_ROWS_NAMED:
        assert reason in coordinator.text
    assert session.exec(select(Agency).where(Agency.name == "Riverside Police")).first() is None

    rows[30][5], rows[31][3] = "ama@hope.example.org", "Riverside Children's Services"
    del rows[28:30]
    coordinator.submit("/agencies/import", {"file": (_file(as_csv(rows, "cp1252")), "agencies.csv")})
    assert "The file was imported: 29 agencies added, 0 updated." in coordinator.text
    assert "Riverside & District Integrated Care Board" in coordinator.text


def _file(data: bytes) -> BytesIO:
    return BytesIO(data)


def test_coordinator_invites_an_agency_user_who_needs_an_agency(coordinator, partnership, session):
    coordinator.submit(
        "/people/invite", {"name": "Nia New", "email": "nia@example.org", "roles": ["agency_user"], "agency_id": ""}, expect=422
    )
    assert "An agency user, lead person or executive must belong to an agency." in coordinator.text
    assert 'value="nia@example.org"' in coordinator.page.text

    coordinator.submit(
        "/people/invite",
        {
            "name": "Nia New",
            "email": "nia@example.org",
            "roles": ["agency_user", "lead_person"],
            "agency_id": str(partnership.health.id),
        },
    )
    assert "An invitation was sent to nia@example.org." in coordinator.text
    assert "Nia New" in coordinator.text and "Invited" in coordinator.text
    message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "user_invitation")).one()
    assert "as agency user and lead person for Hackney Health Trust" in message.text_body


def test_coordinator_reads_a_templates_standards_and_loads_a_new_file(coordinator, partnership, session):
    coordinator.open("/templates")
    coordinator.open(f"/templates/{partnership.template.id}")
    assert "Senior" in coordinator.text or "leadership" in coordinator.text.lower()
    assert "Rating scale" in coordinator.text

    broken = b"key: broken\nname: Broken\nversion: 1\nscale: {}\nstandards: []\n"
    coordinator.submit("/templates/upload", {"file": (_file(broken), "broken.yaml")}, expect=422)
    assert "broken.yaml, line" in coordinator.text

    wirral = (TEMPLATE_DIR / "wirral-questions.yaml").read_bytes()
    coordinator.submit("/templates/upload", {"file": (_file(wirral), "wirral-questions.yaml")})
    assert "was loaded." in coordinator.text
    assert session.exec(select(Template).where(Template.source_filename == "wirral-questions.yaml")).one()


def test_coordinator_creates_and_launches_a_cycle_then_watches_progress(coordinator, partnership, session, sqlite_only_engine):
    p = partnership
    coordinator.open("/cycles/new")
    bad = _cycle_form(p.template.id, [])
    bad.update(_date_fields("submission_deadline", today() - timedelta(days=1)))
    coordinator.submit("/cycles/new", bad, expect=422)
    assert "The submission deadline must be after the opening date." in coordinator.text
    assert "Choose at least one agency to take part." in coordinator.text

    coordinator.submit("/cycles/new", _cycle_form(p.template.id, [p.health.id, p.youth.id]))
    assert "was created as a draft" in coordinator.text
    cycle = session.exec(select(Cycle)).one()

    coordinator.submit(f"/cycles/{cycle.id}/launch", form_page=f"/cycles/{cycle.id}")
    assert "The cycle is open: 2 agencies were invited." in coordinator.text
    assert "2 returns" in coordinator.text and "2 invited" in coordinator.text
    assert "0 overdue" in coordinator.text

    # The agency starts its return; the counts and the filters follow.
    health_return = _return_of(session, p.health)
    question = questions_of(session, p.template)[0]
    act(sqlite_only_engine, returns.save_answer, p.agency_user, health_return.id, question.id, rating="fully_met")
    coordinator.open(f"/cycles/{cycle.id}")
    assert "1 in progress" in coordinator.text and "1 invited" in coordinator.text
    coordinator.open(f"/cycles/{cycle.id}?sector=Voluntary")
    assert "1 of 2 returns match the filter" in coordinator.text
    assert "Hackney Youth Club" in coordinator.text and "Hackney Health Trust" not in coordinator.text
    coordinator.open(f"/cycles/{cycle.id}?state=in_progress")
    assert "Hackney Health Trust" in coordinator.text and "Hackney Youth Club" not in coordinator.text


def _return_of(session, agency) -> AuditReturn:
    session.expire_all()
    return session.exec(select(AuditReturn).where(AuditReturn.agency_id == agency.id)).one()


@pytest.fixture
def open_cycle(sqlite_only_engine, partnership, session):
    cycle, launched = launch_cycle(
        sqlite_only_engine, partnership.coordinator, [partnership.health, partnership.youth], template=partnership.template
    )
    return cycle


def test_coordinator_extends_an_agencys_deadline(coordinator, partnership, open_cycle, session):
    ret = _return_of(session, partnership.youth)
    page = f"/cycles/{open_cycle.id}/returns/{ret.id}/extend-deadline"
    coordinator.open(f"/cycles/{open_cycle.id}/returns/{ret.id}")
    assert "Extend the deadline" in coordinator.text

    coordinator.submit(
        page, {**_date_fields("new_deadline", open_cycle.submission_deadline - timedelta(days=1)), "reason": ""}, expect=422
    )
    assert "The new deadline must be after the current one" in coordinator.text
    assert "Give the reason for the extension." in coordinator.text

    new_deadline = open_cycle.submission_deadline + timedelta(days=14)
    coordinator.submit(page, {**_date_fields("new_deadline", new_deadline), "reason": "Their safeguarding lead is on leave"})
    assert f"Hackney Youth Club's deadline is now {new_deadline:%-d %B %Y}." in coordinator.text
    assert "extended" in coordinator.text
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "deadline_extended")).all()


def test_an_overdue_return_is_flagged_on_the_progress_page(browser, partnership, open_cycle):
    with freeze_time(open_cycle.submission_deadline + timedelta(days=2)):
        browser.sign_in("cora.ordinator@example.org")
        browser.open(f"/cycles/{open_cycle.id}")
    assert "2 overdue" in browser.text
    assert "Overdue" in browser.text


def _submit_return(engine, session, partnership, agency, user) -> AuditReturn:
    ret = _return_of(session, agency)
    answer_everything(engine, user, ret.id, questions_of(session, partnership.template, statutory=agency.statutory))
    act(engine, returns.submit, user, ret.id, declaration_confirmed=True)
    return ret


def test_coordinator_draws_a_dip_sample_and_sees_the_seed(coordinator, partnership, open_cycle, session, sqlite_only_engine):
    youth_user = add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=partnership.youth)
    _submit_return(sqlite_only_engine, session, partnership, partnership.health, partnership.agency_user)
    _submit_return(sqlite_only_engine, session, partnership, partnership.youth, youth_user)

    coordinator.open(f"/cycles/{open_cycle.id}")
    assert "2 submitted" in coordinator.text
    coordinator.open(f"/cycles/{open_cycle.id}/dip-sample")
    assert "2 submitted returns have not been picked yet" in coordinator.text
    coordinator.submit(f"/cycles/{open_cycle.id}/dip-sample", {"count": "1", "seed": "board-2026"})

    assert "1 returns were drawn for QA with seed board-2026." in coordinator.text
    assert "Picked for QA" in coordinator.text
    selection = session.exec(select(QaSelection)).one()
    assert selection.seed == "board-2026" and selection.method == "random"


def test_coordinator_picks_by_hand_with_a_reason_and_releases_the_other(
    coordinator, partnership, open_cycle, session, sqlite_only_engine
):
    youth_user = add_person(session, name="Yusuf Youth", roles={Role.AGENCY_USER}, agency=partnership.youth)
    health = _submit_return(sqlite_only_engine, session, partnership, partnership.health, partnership.agency_user)
    youth = _submit_return(sqlite_only_engine, session, partnership, partnership.youth, youth_user)
    base = f"/cycles/{open_cycle.id}/returns"

    coordinator.submit(f"{base}/{health.id}/pick-for-qa", {"reason": ""}, expect=422)
    assert "Give the reason this return is picked for QA." in coordinator.text
    coordinator.submit(f"{base}/{health.id}/pick-for-qa", {"reason": "Named in a serious case review"})
    assert "Picked: Named in a serious case review" in coordinator.text

    # The engine refuses to release a picked return, even if the button is forced.
    coordinator.submit(f"{base}/{health.id}/release", form_page=f"{base}/{health.id}", expect=422)
    assert "This return was picked for QA: a QA reviewer must accept it." in coordinator.text

    coordinator.submit(f"{base}/{youth.id}/release", form_page=f"{base}/{youth.id}")
    assert "The action plan is open" in coordinator.text
    assert _return_of(session, partnership.youth).status == ReturnState.ACTION_PLAN_OPEN


def test_return_for_amendment_and_withdrawal_need_reasons_and_the_engine_has_the_last_word(
    coordinator, partnership, open_cycle, session, sqlite_only_engine
):
    health = _submit_return(sqlite_only_engine, session, partnership, partnership.health, partnership.agency_user)
    youth = _return_of(session, partnership.youth)
    base = f"/cycles/{open_cycle.id}/returns"

    coordinator.submit(f"{base}/{health.id}/return-for-amendment", {"reason": ""}, expect=422)
    assert "Say why the return is sent back and what the agency must change." in coordinator.text
    coordinator.submit(f"{base}/{health.id}/return-for-amendment", {"reason": "Evidence for 3.1 is a draft policy"})
    assert "The return was sent back for amendment." in coordinator.text
    assert _return_of(session, partnership.health).status == ReturnState.IN_PROGRESS

    # An invited return cannot be sent back: the engine says why.
    coordinator.submit(
        f"{base}/{youth.id}/return-for-amendment", {"reason": "Anything"}, form_page=f"{base}/{youth.id}", expect=422
    )
    assert "You cannot return it for amendment because the return is invited." in coordinator.text

    coordinator.submit(f"{base}/{youth.id}/withdraw", {"reason": ""}, expect=422)
    assert "There is a problem" in coordinator.text
    coordinator.submit(f"{base}/{youth.id}/withdraw", {"reason": "The club closed in December"})
    assert "The return was withdrawn." in coordinator.text
    assert "The club closed in December" in coordinator.text  # shown in the history


def test_a_return_from_another_cycle_is_not_found_under_this_one(coordinator, partnership, open_cycle, session):
    ret = _return_of(session, partnership.health)
    coordinator.open(f"/cycles/{open_cycle.id + 1}/returns/{ret.id}", expect=404)


def test_coordinator_closes_the_cycle(coordinator, open_cycle):
    coordinator.submit(f"/cycles/{open_cycle.id}/close", {"reason": ""})
    assert "The cycle is closed." in coordinator.text
    assert "Close the cycle" not in coordinator.text


@pytest.mark.parametrize("path", ["/agencies", "/agencies/new", "/people", "/templates", "/cycles", "/cycles/new"])
def test_an_agency_user_cannot_open_coordinator_pages(browser, partnership, path):
    browser.sign_in("alex.agency@example.org")

    browser.open(path, expect=403)
    assert "You do not have permission to see this page" in browser.text


def test_an_agency_user_cannot_post_to_coordinator_pages(browser, partnership, open_cycle, session):
    browser.sign_in("alex.agency@example.org")
    token_page = browser.open("/")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page.text).group(1)
    answer = browser.client.post(f"/cycles/{open_cycle.id}/close", data={"csrf_token": token, "reason": "mine now"})

    assert answer.status_code == 403
    session.expire_all()
    assert session.get(Cycle, open_cycle.id).status == "open"


@pytest.mark.parametrize("path", ["/", "/agencies", "/cycles", "/cycles/1", "/people/invite"])
def test_anonymous_people_are_sent_to_sign_in(app, path):
    answer = app.test_client().get(path)

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in?next=")


def test_error_pages_are_plain_words_never_a_stack_trace(app, browser, partnership):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert "Sorry, there is a problem with the service" in answer.text
    assert "Traceback" not in answer.text and "secret internals" not in answer.text

    browser.sign_in("cora.ordinator@example.org")
    browser.open("/cycles/999", expect=404)
    assert "Page not found" in browser.text
    assert browser.client.post("/cycles").status_code == 405
    big = app.test_client().post("/sign-in", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert big.status_code == 413
    assert "The file is too large" in big.text


def test_names_ending_in_s_take_the_apostrophe_alone_and_counts_agree(app):
    from web.common.templating import counted, possessive

    assert possessive("Riverside Children's Services") == "Riverside Children's Services'"
    assert possessive("Riverside Police") == "Riverside Police's"
    assert (counted(1, "submitted return"), counted(2, "submitted return")) == ("1 submitted return", "2 submitted returns")


def test_the_service_has_its_own_favicon_without_a_crown(browser):
    icon = browser.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"crown" not in icon.data.lower()
    page = browser.client.get("/sign-in")
    assert 'rel="icon" href="/static/favicon.svg"' in page.text
