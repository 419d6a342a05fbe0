"""Reading a partnership's agency list as people keep it: a CSV file saved by any spreadsheet
program (UTF-8 with or without a byte-order mark, or Windows-1252 from older Excel) or an Excel
workbook (.xlsx). Only reading: what the rows must say is checked in `agencies`."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from workflow.errors import DomainError

ZIP_START = b"PK\x03\x04"
OLE2_START = b"\xd0\xcf\x11\xe0"  # the old .xls format


@dataclass(frozen=True)
class SheetRow:
    """One row of the file, by its line (row) number as the spreadsheet shows it."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Sheet:
    columns: list[str]
    rows: list[SheetRow]


def column_key(heading: str) -> str:
    """'Contact e-mail' and 'contact_email' name the same column."""
    words = heading.strip().lower().replace("e-mail", "email")
    return re.sub(r"[^a-z0-9]+", "_", words).strip("_")


def read_agency_file(filename: str, data: bytes) -> Sheet:
    """The file's columns and non-empty rows; a file that cannot be read is refused saying how to save it."""
    if not data.strip():
        raise DomainError("The file is empty. Choose the file with the partnership's agencies in it.")
    if data.startswith(OLE2_START):
        raise DomainError("The file is an old Excel workbook (.xls). Save it as an Excel workbook (.xlsx) or as CSV.")
    if data.startswith(ZIP_START) or filename.lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(_decode(data))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DomainError(
            "The file's characters could not be read. In your spreadsheet program, save it as “CSV UTF-8”."
        ) from None


def _read_csv(text: str) -> Sheet:
    if "\x00" in text:
        raise DomainError("The file is not a CSV file (it holds binary data). Save it from your spreadsheet as CSV or .xlsx.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = next(reader, [])
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append(_row(start, headings, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise DomainError(f"Line {reader.line_num} of the file is not valid CSV ({error}). Save it again as CSV.") from None
    return Sheet([column_key(h) for h in headings], rows)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise DomainError("The file is not an Excel workbook that can be opened. Save it again as .xlsx or as CSV.") from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        headings = [_cell_text(v) for v in next(lines, ())]
        rows = [
            _row(number, headings, [_cell_text(v) for v in values])
            for number, values in enumerate(lines, start=2)
            if any(_cell_text(v).strip() for v in values)
        ]
    finally:
        workbook.close()
    return Sheet([column_key(h) for h in headings], rows)


def _row(line: int, headings: list[str], cells: list[str]) -> SheetRow:
    keys = [column_key(h) for h in headings]
    return SheetRow(line, {key: (cells[i] if i < len(cells) else "").strip() for i, key in enumerate(keys) if key})


def _cell_text(value: object) -> str:
    """How a cell reads as text: Excel gives numbers, booleans and dates for what people typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
