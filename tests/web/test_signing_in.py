"""Signing in and out, lock-out, invitation and password-reset links, CSRF: as people meet them."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import select

from models import AccountToken, OutboxMessage, User
from models.user import Role
from tests.web.conftest import PASSWORD, add_person, last_email, link_in
from workflow.clock import utcnow

NEW_PASSWORD = "a much longer new passphrase"


def test_coordinator_signs_in_and_sees_who_they_are_and_their_work(browser, partnership):
    browser.open("/")
    assert "Sign in to the Section 11 audit" in browser.text

    browser.sign_in("cora.ordinator@example.org")

    assert "Signed in as Cora Ordinator" in browser.text
    assert "Coordinating the audit" in browser.text
    assert "Sign out" in browser.text


def test_the_address_is_matched_whatever_its_case(browser, partnership):
    browser.sign_in("Cora.Ordinator@EXAMPLE.org")

    assert "Signed in as Cora Ordinator" in browser.text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(browser, partnership):
    browser.sign_in("cora.ordinator@example.org", "not the password")

    assert "There is a problem" in browser.text
    assert "Enter a correct e-mail address and password." in browser.text
    assert "Signed in as" not in browser.text
    assert 'value="cora.ordinator@example.org"' in browser.page.text  # what was typed is kept

    browser.sign_in("nobody@example.org", "not the password")
    assert "Enter a correct e-mail address and password." in browser.text


WRONG_DETAILS = "Enter a correct e-mail address and password."


def test_five_wrong_passwords_pause_the_account_and_email_its_owner_a_link_to_unlock_it(browser, partnership, session):
    with freeze_time(utcnow()) as clock:
        for guess in range(5):
            browser.sign_in("cora.ordinator@example.org", f"guess {guess}")
            assert WRONG_DETAILS in browser.text

        # Even the right password is refused while the pause lasts, with the same words.
        browser.sign_in("cora.ordinator@example.org")
        assert WRONG_DETAILS in browser.text
        assert "Signed in as" not in browser.text
        session.expire_all()
        assert session.get(User, partnership.coordinator.id).locked_until is not None

        # The first pause is a minute.
        clock.tick(timedelta(minutes=1, seconds=1))
        browser.sign_in("cora.ordinator@example.org")
        assert "Signed in as Cora Ordinator" in browser.text


def test_the_owner_unlocks_a_paused_account_at_once_with_the_emailed_link(browser, another_browser, partnership, session):
    for guess in range(5):
        another_browser.sign_in("cora.ordinator@example.org", f"a stranger's guess {guess}")
    email = last_email(session, "sign_in_paused", "cora.ordinator@example.org")
    assert "5 times in a row" in email.text_body
    link = link_in(email)
    assert link.startswith("/unlock/")

    browser.open(link)
    assert "Unlock your account" in browser.text
    session.expire_all()
    assert session.get(User, partnership.coordinator.id).locked_until is not None  # opening the link changes nothing
    browser.submit(link)
    assert "Your account is unlocked. Sign in now." in browser.text
    browser.sign_in("cora.ordinator@example.org")
    assert "Signed in as Cora Ordinator" in browser.text

    browser.open(link, expect=404)  # the link works once


def test_pauses_grow_after_each_further_wrong_password_but_never_beyond_fifteen_minutes():
    from workflow.people.sign_in import pause_after

    assert [pause_after(n) for n in (4, 5, 6, 7, 8, 9, 20)] == [
        timedelta(0),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
        timedelta(minutes=15),
        timedelta(minutes=15),
    ]


def test_a_paused_account_and_an_unknown_address_read_exactly_like_a_wrong_password(browser, partnership):
    browser.sign_in("cora.ordinator@example.org", "wrong")
    wrong = browser.text
    browser.sign_in("nobody@example.org", "wrong")
    assert browser.text == wrong
    for guess in range(5):
        browser.sign_in("cora.ordinator@example.org", f"guess {guess}")
    browser.sign_in("cora.ordinator@example.org")
    assert browser.text == wrong


def test_one_address_trying_many_accounts_is_stopped_for_a_while(app, partnership, session):
    from tests.web.conftest import Browser
    from workflow.people.sign_in import ADDRESS_WINDOW, FAILURES_PER_ADDRESS

    attacker = Browser(app.test_client())
    with freeze_time(utcnow()) as clock:
        for n in range(FAILURES_PER_ADDRESS):
            attacker.sign_in(f"guess{n}@example.org", "password123")
        # Now even a right password from that address is not checked, until the window ends.
        attacker.sign_in("alex.agency@example.org")
        assert WRONG_DETAILS in attacker.text
        someone_else = Browser(app.test_client())
        someone_else.client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
        someone_else.sign_in("alex.agency@example.org")
        assert "Signed in as Alex Agency" in someone_else.text

        clock.tick(ADDRESS_WINDOW + timedelta(seconds=1))
        attacker.sign_in("alex.agency@example.org")
        assert "Signed in as Alex Agency" in attacker.text


def test_reset_links_are_limited_per_account_and_per_address(app, browser, partnership, session):
    from tests.web.conftest import Browser
    from workflow.people.accounts import RESETS_PER_ACCOUNT, RESETS_PER_ADDRESS

    for _ in range(RESETS_PER_ACCOUNT + 2):
        browser.submit("/forgotten-password", {"email": "alex.agency@example.org"})
        assert "Check your e-mail" in browser.text  # the same page: it must not tell that the account exists
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all()
    assert len(sent) == RESETS_PER_ACCOUNT

    flooder = Browser(app.test_client())
    flooder.client.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    for n in range(RESETS_PER_ADDRESS):
        flooder.submit("/forgotten-password", {"email": f"someone{n}@example.org"})
    flooder.submit("/forgotten-password", {"email": "lee.lead@example.org"}, expect=429)
    assert "Too many reset links have been asked for from this network" in flooder.text
    assert 'value="lee.lead@example.org"' in flooder.page.text


def test_an_invited_person_sets_a_password_with_the_link_and_signs_in(browser, another_browser, partnership, session):
    browser.sign_in("cora.ordinator@example.org")
    browser.submit(
        "/people/invite",
        {
            "name": "Quinn Reviewer",
            "email": "quinn@example.org",
            "roles": ["qa_reviewer"],
            "agency_id": "",
        },
    )
    assert "An invitation was sent to quinn@example.org." in browser.text

    invitation = last_email(session, "user_invitation", "quinn@example.org")
    link = link_in(invitation)
    assert link.startswith("/set-password/")
    token = link.rsplit("/", 1)[1]
    stored = session.exec(select(AccountToken)).all()
    assert [t.token_hash for t in stored] != [token] and token not in {t.token_hash for t in stored}  # only a hash is kept

    quinn = another_browser
    quinn.open(link)
    assert "Set your password" in quinn.text
    quinn.submit(link, {"password": "too short", "confirmation": "too short"}, expect=422)
    assert "The password must be at least 12 characters long." in quinn.text
    quinn.submit(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})
    assert "Your password is set. Sign in with it now." in quinn.text

    quinn.sign_in("quinn@example.org", NEW_PASSWORD)
    assert "Signed in as Quinn Reviewer" in quinn.text
    assert "Quality assurance" in quinn.text

    # The link works once.
    quinn.open(link, expect=404)
    assert "This link has expired or has already been used" in quinn.text


def test_an_invitation_link_expires_after_14_days(browser, partnership, session):
    browser.sign_in("cora.ordinator@example.org")
    browser.submit("/people/invite", {"name": "Late Larry", "email": "larry@example.org", "roles": ["qa_reviewer"]})
    link = link_in(last_email(session, "user_invitation", "larry@example.org"))

    with freeze_time(utcnow() + timedelta(days=14, minutes=1)):
        browser.open(link, expect=404)
    assert "This link has expired or has already been used" in browser.text


def test_a_forgotten_password_is_reset_through_the_emailed_link(browser, partnership, session):
    browser.submit("/forgotten-password", {"email": "alex.agency@example.org"})
    assert "Check your e-mail" in browser.text
    link = link_in(last_email(session, "password_reset", "alex.agency@example.org"))
    assert link.startswith("/reset-password/")

    browser.submit(link, {"password": NEW_PASSWORD, "confirmation": "something else entirely"}, expect=422)
    assert "The two passwords are not the same." in browser.text
    browser.submit(link, {"password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})

    browser.sign_in("alex.agency@example.org", PASSWORD)
    assert "Enter a correct e-mail address and password." in browser.text
    browser.sign_in("alex.agency@example.org", NEW_PASSWORD)
    assert "Signed in as Alex Agency" in browser.text


def test_asking_for_a_reset_does_not_reveal_whether_an_account_exists(browser, partnership, session):
    browser.submit("/forgotten-password", {"email": "stranger@example.org"})

    assert "Check your e-mail" in browser.text
    assert session.exec(select(OutboxMessage).where(OutboxMessage.kind == "password_reset")).all() == []


def test_signing_out_makes_a_copied_session_cookie_useless(app, browser, partnership):
    browser.sign_in("cora.ordinator@example.org")
    cookie = browser.client.get_cookie("session")
    assert cookie is not None

    browser.sign_out()
    assert "You have signed out." in browser.text

    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    answer = thief.get("/agencies")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/sign-in")


def test_session_cookie_is_http_only_and_same_site_lax(browser, partnership):
    browser.sign_in("cora.ordinator@example.org")

    cookie = browser.client.get_cookie("session")
    assert cookie.http_only
    assert cookie.same_site == "Lax"


def test_session_cookie_is_secure_when_served_over_https(sqlite_only_engine, partnership):
    from web import create_app

    app = create_app(
        {
            "DATABASE_URL": sqlite_only_engine.url.render_as_string(hide_password=False),
            "TESTING": True,
            "SECRET_KEY": "k",
            "S11_HTTPS": True,
        }
    )
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    token = page.text.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    client.post(
        "/sign-in",
        base_url="https://localhost",
        data={"csrf_token": token, "email": "cora.ordinator@example.org", "password": PASSWORD},
    )
    assert client.get_cookie("session", domain="localhost").secure
    app.extensions["s11_engine"].dispose()


def test_a_form_without_its_csrf_token_is_refused(browser, partnership, session):
    answer = browser.client.post("/sign-in", data={"email": "cora.ordinator@example.org", "password": PASSWORD})

    assert answer.status_code == 400
    assert "The form had expired or did not come from this service" in answer.text
    session.expire_all()
    assert session.get(User, partnership.coordinator.id).failed_logins == 0


def test_after_signing_in_the_person_goes_where_they_were_heading_but_never_off_site(app, partnership):
    client = app.test_client()
    redirect = client.get("/cycles")
    assert redirect.headers["Location"] == "/sign-in?next=%2Fcycles"

    from tests.web.conftest import Browser

    browser = Browser(client)
    browser.submit("/sign-in?next=/cycles", {"email": "cora.ordinator@example.org", "password": PASSWORD})
    assert browser.page.request.path == "/cycles"

    browser.sign_out()
    browser.submit("/sign-in?next=//evil.example.com/", {"email": "cora.ordinator@example.org", "password": PASSWORD})
    assert browser.page.request.path == "/"


def test_a_deactivated_person_cannot_sign_in_and_is_signed_out(browser, another_browser, partnership, session):
    lee = add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=partnership.health)
    another_browser.sign_in("lee.lead@example.org")
    assert "Signed in as Lee Lead" in another_browser.text

    browser.sign_in("cora.ordinator@example.org")
    browser.submit(f"/people/{lee.id}/deactivate", form_page="/people")
    assert "Lee Lead can no longer sign in." in browser.text

    another_browser.open("/")
    assert "Sign in to the Section 11 audit" in another_browser.text
    another_browser.sign_in("lee.lead@example.org")
    assert WRONG_DETAILS in another_browser.text
