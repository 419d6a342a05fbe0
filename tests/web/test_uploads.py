"""Real bad files through the standard page: each refused with a clear message naming its question
and linked to its file field, while the rest of the page (typing and good files) is kept. A file
too large for the request saves nothing. A good PDF comes back as an attachment to the right people only."""

from io import BytesIO

import pytest
from sqlmodel import select

from models import Answer, EvidenceFile
from tests import sample_files
from tests.web import return_world
from tests.web.conftest import error_summary
from tests.web.return_world import PDF, World, pdf, signed_in

NARRATIVE = "Our designated lead reports to the board every quarter."

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _docx(*, macros: bool) -> bytes:
    return sample_files.docx(macros=macros)


def _post_file(browser, w: World, upload: tuple[BytesIO, str], *, expect: int):
    question = w.questions[0]
    path = f"/returns/{w.ret.id}/standards/{question.standard_id}"
    return browser.submit(path, {
        f"q{question.id}-rating": "fully_met",
        f"q{question.id}-narrative": NARRATIVE,
        f"q{question.id}-file": upload,
    }, expect=expect)


def _nothing_saved(session, w: World, app) -> None:
    session.expire_all()
    assert session.exec(select(EvidenceFile)).all() == []
    assert session.exec(select(Answer).where(Answer.return_id == w.ret.id)).all() == []
    folder = app.config["EVIDENCE_DIR"]
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


@pytest.fixture
def agency(browser, world):
    return signed_in(browser, world.agency_user)


BAD_FILES = [
    pytest.param((BytesIO(b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"), "policy.pdf"),
                 "“policy.pdf” is not a real PDF file.", id="renamed-executable"),
    pytest.param((BytesIO(b"MZ\x90\x00"), "setup.exe"),
                 "“setup.exe” is not an allowed kind of file. Upload a DOCX, DOC, PDF, JPG, JPEG, PNG or GIF file.",
                 id="executable"),
    pytest.param((BytesIO(_docx(macros=True)), "procedures.docx"),
                 "“procedures.docx” contains macros, which are not allowed.", id="docx-with-macros"),
    pytest.param((BytesIO(PDF), "../../etc/policy.pdf"),
                 "“policy.pdf” was sent with a folder path in its name. Choose the file itself and upload it again.",
                 id="path-in-name"),
]


def _no_file_kept(session, app) -> None:
    session.expire_all()
    assert session.exec(select(EvidenceFile)).all() == []
    folder = app.config["EVIDENCE_DIR"]
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))


@pytest.mark.parametrize(("upload", "message"), BAD_FILES)
def test_a_bad_file_is_refused_by_its_question_and_the_typing_is_kept(agency, world, session, app, upload, message):
    _post_file(agency, world, upload, expect=422)

    question = world.questions[0]
    [(href, words)] = error_summary(agency)
    assert href == f"#q{question.id}-file"
    assert words.startswith(f"Question {question.ref}: {message}")
    assert words.endswith("The file was not saved; the rest was.")
    assert f'id="q{question.id}-file-error"' in agency.page.text  # the reason beside the field too
    assert NARRATIVE in agency.text
    session.expire_all()
    saved = session.exec(select(Answer).where(Answer.return_id == world.ret.id)).one()
    assert saved.narrative == NARRATIVE  # what was typed is saved, not lost with the file
    _no_file_kept(session, app)


def test_the_good_files_of_a_save_are_kept_beside_a_refused_one(agency, world, session):
    first, second = [q for q in world.questions if q.standard_id == world.questions[0].standard_id][:2]
    agency.submit(f"/returns/{world.ret.id}/standards/{first.standard_id}", {
        f"q{first.id}-file": pdf("safeguarding-policy.pdf"),
        f"q{second.id}-file": (BytesIO(b"MZ\x90\x00"), "setup.exe"),
    }, expect=422)

    assert [href for href, _words in error_summary(agency)] == [f"#q{second.id}-file"]
    kept = session.exec(select(EvidenceFile)).one()
    assert (kept.filename, kept.question_id) == ("safeguarding-policy.pdf", first.id)
    assert "safeguarding-policy.pdf" in agency.text  # listed under its question on the page shown again


# Werkzeug's test client spools bodies over 500 KB to a temporary file it never closes, so these
# tests lower the limits instead of sending 20 MB.


def test_a_file_over_the_request_limit_is_refused_and_nothing_is_saved(agency, world, session, app):
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024
    _post_file(agency, world, (BytesIO(b"%PDF-" + b"0" * (200 * 1024)), "huge.pdf"), expect=413)

    assert "The file is too large" in agency.text
    _nothing_saved(session, world, app)


def test_a_file_over_the_engines_limit_gets_its_message_with_the_typing_kept(agency, world, session, app, monkeypatch):
    # Under the request limit but over the engine's: the engine's own words reach the page.
    from workflow.answering import evidence_files

    monkeypatch.setattr(evidence_files.check_upload, "__kwdefaults__", {"max_bytes": 100 * 1024})
    _post_file(agency, world, (BytesIO(b"%PDF-" + b"0" * (200 * 1024)), "big.pdf"), expect=422)

    assert "“big.pdf” is 0.2 MB: files must be smaller than 0 MB." in agency.text
    assert NARRATIVE in agency.text
    _no_file_kept(session, app)


def test_a_good_pdf_is_kept_and_downloads_as_an_attachment_only_for_its_agency(agency, world, session, another_browser):
    _post_file(agency, world, pdf("safeguarding-policy.pdf"), expect=200)
    record = session.exec(select(EvidenceFile)).one()
    assert record.filename == "safeguarding-policy.pdf"

    with agency.client.get(f"/evidence/{record.id}") as download:
        body = download.get_data()
    assert download.status_code == 200
    assert body == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "safeguarding-policy.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    signed_in(another_browser, world.youth_user)
    assert another_browser.client.get(f"/evidence/{record.id}").status_code == 404
    assert another_browser.client.get(f"/evidence/{record.id + 1000}").status_code == 404


def test_a_docx_without_macros_is_accepted(agency, world, session):
    _post_file(agency, world, (BytesIO(_docx(macros=False)), "procedures.docx"), expect=200)
    assert session.exec(select(EvidenceFile)).one().filename == "procedures.docx"
