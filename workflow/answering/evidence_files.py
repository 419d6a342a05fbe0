"""Checking and storing uploaded evidence: allowed kinds checked by content, never by name alone.

Partnerships accept DOCX, DOC, PDF, JPG/JPEG, PNG and GIF (the Wirral form's list). A file is
refused when its content is not what its name says, when a Word document carries macros, when it
is over the size limit, or when a zip inside it would expand past a safe size. Where the checked
bytes are kept (a folder or a bucket, by SHA-256) is `evidence_storage`'s.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from werkzeug.utils import secure_filename

from workflow.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
}
ALLOWED_NAMES = "DOCX, DOC, PDF, JPG, JPEG, PNG or GIF"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Word keeps macros in OLE2 storages with these names (directory entries are UTF-16LE).
OLE2_MACRO_STORAGES = tuple(name.encode("utf-16-le") for name in ("Macros", "_VBA_PROJECT", "VBA"))


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what the record needs."""

    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def check_upload(original_name: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedFile:
    """Check an upload; refuses with a message that says what to do instead."""
    filename = _safe_name(original_name)
    extension = PurePath(filename).suffix.lower()
    if extension not in ALLOWED:
        raise DomainError(f"“{_shown(original_name)}” is not an allowed kind of file. Upload a {ALLOWED_NAMES} file.")
    if not data:
        raise DomainError(f"“{filename}” is empty. Choose the file again.")
    if len(data) > max_bytes:
        raise DomainError(
            f"“{filename}” is {len(data) / 1024 / 1024:.1f} MB: files must be smaller than {max_bytes // 1024 // 1024} MB."
        )
    problem = _content_problem(extension, data)
    if problem:
        raise DomainError(f"“{filename}” {problem}")
    return CheckedFile(filename, ALLOWED[extension], len(data), hashlib.sha256(data).hexdigest(), data)


def _safe_name(original_name: str) -> str:
    """The last part of the name only, made safe: a name can never hold a path."""
    last = original_name.replace("\\", "/").split("/")[-1]
    cleaned = secure_filename(last)
    if not cleaned or cleaned.startswith("."):
        stem, dot, ext = last.rpartition(".")
        cleaned = f"evidence.{secure_filename(ext)}" if dot and secure_filename(ext) else "evidence"
    return cleaned[:200]


def _shown(name: str) -> str:
    return name.replace("\\", "/").split("/")[-1][:100]


def _content_problem(extension: str, data: bytes) -> str | None:
    """Why the bytes are not the kind of file the name says, or None."""
    if extension == ".pdf":
        return None if data.startswith(b"%PDF-") else "is not a real PDF file."
    if extension == ".png":
        return None if data.startswith(b"\x89PNG\r\n\x1a\n") else "is not a real PNG image."
    if extension in (".jpg", ".jpeg"):
        return None if data.startswith(b"\xff\xd8\xff") else "is not a real JPEG image."
    if extension == ".gif":
        return None if data[:6] in (b"GIF87a", b"GIF89a") else "is not a real GIF image."
    if extension == ".doc":
        if not data.startswith(OLE2):
            return "is not a real Word document."
        if any(marker in data for marker in OLE2_MACRO_STORAGES):
            return "contains macros, which are not allowed. Save it without macros (as .docx or PDF) and upload it again."
        return None
    return _docx_problem(data)


def _docx_problem(data: bytes) -> str | None:
    if not data.startswith(b"PK\x03\x04"):
        return "is not a real Word document."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return "is damaged and cannot be opened. Save it again and upload the new copy."
    if "word/document.xml" not in names:
        return "is not a real Word document."
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "contains macros, which are not allowed. Save it without macros (as .docx or PDF) and upload it again."
    if total > MAX_UNZIPPED_BYTES:
        return "expands to more than 200 MB and cannot be accepted."
    return None

