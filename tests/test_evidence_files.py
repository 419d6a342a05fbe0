"""Uploads are checked by content: real bad files are refused with a message that says what to do."""

import io
import zipfile

import pytest

from tests import sample_files
from workflow.answering.evidence_files import check_upload
from workflow.answering.evidence_storage import FolderStore
from workflow.errors import DomainError

PNG = sample_files.image("PNG")
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
MZ = b"MZ\x90\x00" + b"\x00" * 64


def docx(*, macros: bool = False) -> bytes:
    return sample_files.docx(macros=macros)


def test_a_real_pdf_png_and_docx_are_accepted():
    assert check_upload("policy.pdf", sample_files.pdf()).content_type == "application/pdf"
    assert check_upload("chart.PNG", PNG).content_type == "image/png"
    checked = check_upload("Training register.docx", docx())
    assert checked.filename == "Training_register.docx" and len(checked.sha256) == 64


@pytest.mark.parametrize("name,data", [("report.pdf", ELF), ("minutes.docx", MZ), ("photo.jpg", MZ)])
def test_a_renamed_executable_is_refused(name, data):
    with pytest.raises(DomainError, match="is not a real"):
        check_upload(name, data)


def test_an_executable_by_name_is_refused_with_the_allowed_kinds():
    with pytest.raises(
        DomainError, match="“setup.exe” is not an allowed kind of file. Upload a DOCX, DOC, PDF, JPG, JPEG, PNG or GIF file."
    ):
        check_upload("setup.exe", MZ)


def test_a_docx_with_macros_is_refused():
    with pytest.raises(DomainError, match="contains macros"):
        check_upload("plan.docx", docx(macros=True))


def test_a_doc_with_macros_is_refused_and_a_plain_one_accepted():
    assert check_upload("old.doc", sample_files.doc()).content_type == "application/msword"
    with pytest.raises(DomainError, match="contains macros"):
        check_upload("old.doc", sample_files.doc("_VBA_PROJECT".encode("utf-16-le")))


def test_an_oversize_file_is_refused_with_the_limit():
    with pytest.raises(DomainError, match="files must be smaller than 1 MB"):
        check_upload("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), max_bytes=1024 * 1024)


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/var/www/static/x.pdf"])
def test_a_name_holding_a_path_keeps_only_its_last_part(name, tmp_path):
    checked = check_upload(name, sample_files.pdf())
    assert "/" not in checked.filename and "\\" not in checked.filename and ".." not in checked.filename
    stored = FolderStore(tmp_path).save(checked)
    assert stored.is_relative_to(tmp_path) and stored.name == checked.sha256


def test_the_store_refuses_anything_but_a_digest(tmp_path):
    with pytest.raises(ValueError):
        FolderStore(tmp_path).path_for("../../secret")


# --- Polyglots: files that start right and are something else after -------------------------

POLYGLOTS = [
    pytest.param("policy.pdf", b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n", "cannot be opened as a PDF",
                 id="pdf-header-then-html"),
    pytest.param("policy.pdf", b"%PDF-1.4\n<html></html>\n%%EOF\n", "cannot be opened as a PDF", id="pdf-header-html-eof"),
    pytest.param("policy.pdf", sample_files.pdf() + sample_files.docx(), "added after the end", id="pdf-with-zip-appended"),
    pytest.param("chart.png", sample_files.image("PNG") + b"<?php system($_GET['c']); ?>", "added after the end",
                 id="png-with-php-appended"),
    pytest.param("photo.jpg", sample_files.image("JPEG") + b"<?php system($_GET['c']); ?>", "added after the end",
                 id="jpeg-with-php-appended"),
    pytest.param("logo.gif", sample_files.image("GIF") + b"<?php system($_GET['c']); ?>", "added after the end",
                 id="gif-with-php-appended"),
    pytest.param("logo.gif", b"GIF89a<?php system($_GET['c']); ?>", "is not a real GIF image", id="gif-header-then-php"),
    pytest.param("chart.png", sample_files.image("GIF"), "is not a real PNG image", id="gif-named-png"),
    pytest.param("plan.docx", sample_files.docx() + b"<html>appended</html>", "added after the end",
                 id="docx-with-html-appended"),
    pytest.param("plan.docx", sample_files.docx(content_types="<Types/>"), "is not a real Word document",
                 id="zip-that-is-not-a-word-package"),
    pytest.param("old.doc", sample_files.doc() + b"<script>alert(1)</script>", "added after the end",
                 id="doc-with-html-appended"),
]


@pytest.mark.parametrize("name,data,problem", POLYGLOTS)
def test_a_file_that_only_starts_like_its_kind_is_refused(name, data, problem):
    with pytest.raises(DomainError, match=problem):
        check_upload(name, data)


def test_a_real_file_of_every_allowed_kind_is_accepted():
    for name, data in [
        ("a.pdf", sample_files.pdf()),
        ("a.png", sample_files.image("PNG")),
        ("a.jpg", sample_files.image("JPEG")),
        ("a.gif", sample_files.image("GIF")),
        ("a.docx", sample_files.docx()),
        ("a.doc", sample_files.doc()),
    ]:
        assert check_upload(name, data).filename == name


def test_a_zip_bomb_dressed_as_a_word_document_is_refused_without_being_expanded(monkeypatch):
    from workflow.answering import file_structure

    monkeypatch.setattr(file_structure, "MAX_UNZIPPED_BYTES", 5 * 1024 * 1024)  # so the bomb can be small
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", sample_files.WORD_CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/bomb.bin", b"\x00" * (6 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 20_000  # a few kilobytes that would expand to megabytes

    with pytest.raises(DomainError, match="expands to more than"):
        check_upload("plan.docx", bomb)


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    from workflow.answering import file_structure

    monkeypatch.setattr(file_structure, "MAX_IMAGE_PIXELS", 10)

    with pytest.raises(DomainError, match="too many pixels"):
        check_upload("chart.png", sample_files.image("PNG"))
