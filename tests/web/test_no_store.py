"""Signed-in pages are never stored: the back button on a shared computer shows nothing after sign-out."""

from sqlmodel import select

from models import EvidenceFile
from tests.web import return_world
from tests.web.return_world import World, pdf, signed_in

world = return_world.world


def test_every_signed_in_page_and_download_says_no_store(browser, world: World, session):
    agency = signed_in(browser, world.agency_user)
    question = world.questions[0]
    agency.submit(
        f"/returns/{world.ret.id}/standards/{question.standard_id}",
        {f"q{question.id}-rating": "fully_met", f"q{question.id}-narrative": "Done", f"q{question.id}-file": pdf()},
    )
    evidence = session.exec(select(EvidenceFile)).one()
    pages = ["/", "/returns", f"/returns/{world.ret.id}", f"/returns/{world.ret.id}/standards/{question.standard_id}",
             f"/returns/{world.ret.id}/check", f"/returns/{world.ret.id}/history", f"/evidence/{evidence.id}"]

    for path in pages:
        answer = browser.client.get(path)
        answer.close()  # a download is a file held open until closed
        assert answer.status_code == 200, path
        assert answer.headers.get("Cache-Control") == "no-store", path

    browser.sign_out()
    sign_in_page = browser.client.get("/sign-in")
    assert "no-store" not in (sign_in_page.headers.get("Cache-Control") or "")  # public pages may be cached
    assert browser.client.get(f"/returns/{world.ret.id}").status_code == 302  # and the return is gone


def test_the_coordinators_pages_say_no_store_too(browser, world: World):
    signed_in(browser, world.p.coordinator)

    for path in ["/", "/agencies", "/people", "/cycles", f"/cycles/{world.cycle.id}", "/templates"]:
        answer = browser.client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers.get("Cache-Control") == "no-store", path
