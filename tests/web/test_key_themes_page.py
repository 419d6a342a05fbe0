"""The key themes page: the coordinator writes the year's findings; a refusal keeps what was typed;
QA reviewers read them; agencies cannot reach the page."""

from models.user import Role
from tests.factories import launch_cycle
from tests.web.conftest import add_person, error_summary


def test_the_coordinator_writes_key_themes_and_qa_reads_them(browser, another_browser, partnership, session,
                                                              sqlite_only_engine):
    p = partnership
    cycle, _ = launch_cycle(sqlite_only_engine, p.coordinator, [p.health], template=p.template)
    add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    path = f"/cycles/{cycle.id}/key-themes"

    browser.sign_in(p.coordinator.email)
    browser.open(f"/cycles/{cycle.id}")
    assert path in browser.page.text
    browser.submit(path, {"overall": "", "standard-1": ""}, expect=422)
    assert "There is a problem Nothing has changed: write or change the key themes" in browser.text
    browser.submit(path, {"overall": "Supervision is strong", "standard-1": "Policies signed off\x07"}, expect=422)
    assert [words for _, words in error_summary(browser)] == [
        "“Standard 1: Senior leadership commitment to safeguarding and promoting children's welfare” contains an "
        "invisible control character: retype it, or paste it as plain text."
    ]
    assert "Supervision is strong" in browser.page.text  # what was typed is still there
    browser.submit(path, {"overall": "Supervision is strong", "standard-1": "Policies signed off every year"})
    assert "The key themes are saved." in browser.text

    another_browser.sign_in("quinn.reviewer@example.org")
    another_browser.open(path)
    assert "Supervision is strong" in another_browser.text and "Policies signed off every year" in another_browser.text
    assert "<textarea" not in another_browser.page.text
    another_browser.sign_out()
    another_browser.sign_in(p.agency_user.email)
    another_browser.open(path, expect=403)
