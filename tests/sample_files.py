"""Small real files of each kind evidence may be, made by the libraries that read them back."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter

from workflow.answering.evidence_files import OLE2

WORD_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def pdf(*, width: int = 200) -> bytes:
    """A real one-page PDF; a different width makes a different file (and SHA-256)."""
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(kind: str) -> bytes:
    """A 4x4 image as PNG, JPEG or GIF."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def docx(*, macros: bool = False, content_types: str = WORD_CONTENT_TYPES) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00VBA macro storage")
    return buffer.getvalue()


def doc(extra: bytes = b"") -> bytes:
    """An OLE2 compound file's shape: a 512-byte header (byte order, sector shift 9) and one sector."""
    header = OLE2 + b"\x00" * 20 + b"\xfe\xff" + (9).to_bytes(2, "little")
    header += b"\x00" * (512 - len(header))
    return header + extra + b"\x00" * (512 - len(extra))
