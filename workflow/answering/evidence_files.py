"""Checking and storing uploaded evidence: allowed kinds checked by content, never by name alone.

Partnerships accept DOCX, DOC, PDF, JPG/JPEG, PNG and GIF (the Wirral form's list). A file is
refused when its content is not, all through, what its name says (`file_structure` parses it),
when a Word document carries macros, when it is over the size limit, or when a zip inside it would
expand past a safe size. Where the checked bytes are kept (a folder or a bucket, by SHA-256) is
`evidence_storage`'s.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from werkzeug.utils import secure_filename

from workflow.answering import file_structure
from workflow.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
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
    """Why the bytes are not, all through, the kind of file the name says (file_structure), or None."""
    if extension == ".pdf":
        return file_structure.pdf_problem(data)
    if extension == ".png":
        return file_structure.image_problem("PNG", data)
    if extension in (".jpg", ".jpeg"):
        return file_structure.image_problem("JPEG", data)
    if extension == ".gif":
        return file_structure.image_problem("GIF", data)
    if extension == ".doc":
        return file_structure.doc_problem(data, OLE2, OLE2_MACRO_STORAGES)
    return file_structure.docx_problem(data)

