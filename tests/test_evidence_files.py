"""Uploads are checked by content: real bad files are refused with a message that says what to do."""

import io
import zipfile

import pytest

from workflow.answering.evidence_files import OLE2, check_upload
from workflow.answering.evidence_storage import FolderStore
from workflow.errors import DomainError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
MZ = b"MZ\x90\x00" + b"\x00" * 64


def docx(*, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00macro")
    return buffer.getvalue()


def test_a_real_pdf_png_and_docx_are_accepted():
    assert check_upload("policy.pdf", b"%PDF-1.7\n...").content_type == "application/pdf"
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
    assert check_upload("old.doc", OLE2 + b"\x00" * 100).content_type == "application/msword"
    with pytest.raises(DomainError, match="contains macros"):
        check_upload("old.doc", OLE2 + b"\x00" * 10 + "_VBA_PROJECT".encode("utf-16-le") + b"\x00" * 10)


def test_an_oversize_file_is_refused_with_the_limit():
    with pytest.raises(DomainError, match="files must be smaller than 1 MB"):
        check_upload("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024), max_bytes=1024 * 1024)


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\windows\\evil.pdf", "/var/www/static/x.pdf"])
def test_a_name_holding_a_path_keeps_only_its_last_part(name, tmp_path):
    checked = check_upload(name, b"%PDF-1.4")
    assert "/" not in checked.filename and "\\" not in checked.filename and ".." not in checked.filename
    stored = FolderStore(tmp_path).save(checked)
    assert stored.is_relative_to(tmp_path) and stored.name == checked.sha256


def test_the_store_refuses_anything_but_a_digest(tmp_path):
    with pytest.raises(ValueError):
        FolderStore(tmp_path).path_for("../../secret")
