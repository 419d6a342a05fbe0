"""Whether an uploaded file is, all through, the kind of file it says it is.

The first bytes prove little: `%PDF-1.4` followed by HTML, a PDF with a ZIP after its end, a GIF
with PHP after its trailer all start right. So each kind is parsed: a PDF must open with pypdf in
strict mode and end at its final `%%EOF`; an image must decode with Pillow and end at its own end
marker; a Word document must be the package it claims, with nothing appended and no zip bomb
inside. Each function returns why not, in words that finish "“name.pdf” ...", or None.
"""

import io
import logging
import warnings
import zipfile

from PIL import Image
from pypdf import PdfReader

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; more is a decompression bomb, not evidence
# Bytes allowed after an end marker: line ends and zero padding that some tools add.
PADDING = b"\r\n\t \x00"
WORD_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_PART = b"application/vnd.ms-word.document.macroEnabled.main+xml"

RESAVE = "Open it, save it again, and upload the new copy."
DAMAGED_PDF = f"cannot be opened as a PDF. {RESAVE}"
APPENDED = f"has something added after the end of the file, which is not allowed. {RESAVE}"
MACROS = "contains macros, which are not allowed. Save it without macros (as .docx or PDF) and upload it again."


def pdf_problem(data: bytes) -> str | None:
    """A PDF must parse strictly and end at its last %%EOF (an appended ZIP or page would hide)."""
    if not data.startswith(b"%PDF-"):
        return "is not a real PDF file."
    if not data.rstrip(PADDING).endswith(b"%%EOF"):
        return APPENDED if b"%%EOF" in data else DAMAGED_PDF
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings are ours to turn into words
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            return "is protected by a password. Save a copy without the password and upload that."
        if len(reader.pages) < 1:
            return DAMAGED_PDF
    except Exception:  # pypdf raises many kinds for a broken file; all mean the same to the person
        return DAMAGED_PDF
    return None


def image_problem(expected: str, data: bytes) -> str | None:
    """An image must decode as `expected` (PNG, JPEG or GIF) and end at its own end marker."""
    name = {"PNG": "PNG image", "JPEG": "JPEG image", "GIF": "GIF image"}[expected]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    return f"is not a real {name}."
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    return "has too many pixels to be accepted. Save a smaller copy and upload that."
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return "has too many pixels to be accepted. Save a smaller copy and upload that."
    except Exception:  # Pillow raises many kinds for a broken image
        return f"is not a real {name}, or it is damaged. {RESAVE}"
    end = {"PNG": _png_end, "JPEG": _jpeg_end, "GIF": _gif_end}[expected](data)
    if end is None:
        return f"is not a real {name}, or it is damaged. {RESAVE}"
    return APPENDED if data[end:].strip(PADDING) else None


def _png_end(data: bytes) -> int | None:
    """Just after the IEND chunk, walking the chunks from the signature."""
    at = 8
    while at + 12 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        at += 12 + length
        if kind == b"IEND":
            return at if at <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Just after the EOI marker, walking the segments and the scans' entropy-coded data."""
    at = 2
    while at + 2 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xD9:
            return at + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            at += 2
            continue
        if at + 4 > len(data):
            return None
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
        if marker == 0xDA:  # a scan: its data runs to the next marker that is not a stuffed byte or restart
            while at + 1 < len(data) and not (data[at] == 0xFF and data[at + 1] not in (0x00, *range(0xD0, 0xD8))):
                at += 1
    return None


def _gif_end(data: bytes) -> int | None:
    """Just after the trailer byte, walking the blocks (a 0x3B inside image data is not the end)."""
    if len(data) < 13:
        return None
    at = 13
    if data[10] & 0x80:
        at += 3 * 2 ** ((data[10] & 0x07) + 1)
    while at < len(data):
        block = data[at]
        if block == 0x3B:
            return at + 1
        if block == 0x21:
            at = _skip_sub_blocks(data, at + 2)
        elif block == 0x2C:
            if at + 10 > len(data):
                return None
            flags = data[at + 9]
            at += 10
            if flags & 0x80:
                at += 3 * 2 ** ((flags & 0x07) + 1)
            at = _skip_sub_blocks(data, at + 1)
        else:
            return None
        if at is None:
            return None
    return None


def _skip_sub_blocks(data: bytes, at: int) -> int | None:
    while at < len(data):
        size = data[at]
        at += 1 + size
        if size == 0:
            return at
    return None


def docx_problem(data: bytes) -> str | None:
    """A Word package: a zip with nothing after its end, declaring a Word main part, no macros,
    and expanding to a safe size (declared sizes bound what zipfile will ever inflate)."""
    if not data.startswith(b"PK\x03\x04"):
        return "is not a real Word document."
    if not _zip_ends_at_its_end(data):
        return APPENDED
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                return "expands to more than 200 MB and cannot be accepted."
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return MACROS
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return "is not a real Word document."
            types = archive.read("[Content_Types].xml")
            if WORD_MACRO_PART in types:
                return MACROS
            if WORD_MAIN_PART not in types:
                return "is not a real Word document."
            if archive.testzip() is not None:
                return f"is damaged and cannot be opened. {RESAVE}"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError):
        return f"is damaged and cannot be opened. {RESAVE}"
    return None


def _zip_ends_at_its_end(data: bytes) -> bool:
    """The end-of-central-directory record (and its comment) must be the last bytes of the file."""
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return False
    comment = int.from_bytes(data[at + 20 : at + 22], "little")
    return at + 22 + comment == len(data)


def doc_problem(data: bytes, ole2_signature: bytes, macro_storages: tuple[bytes, ...]) -> str | None:
    """An old Word file: an OLE2 compound file whose size is its header plus whole sectors
    (bytes appended after it would not be), without the storages Word keeps macros in."""
    if not data.startswith(ole2_signature) or len(data) < 512 or data[28:30] != b"\xfe\xff":
        return "is not a real Word document."
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12):
        return "is not a real Word document."
    sector = 1 << shift
    if (len(data) - sector) % sector:
        return APPENDED
    if any(marker in data for marker in macro_storages):
        return MACROS
    return None
