"""Importing staff survey results from another survey tool: a CSV or XLSX file of responses, one
row each, with the coordinator's mapping from the file's columns to the survey's questions.

Every bad row is named, and a file with any bad row is refused whole: nothing is half imported.
The same file (by its SHA-256) is refused a second time, so no response is counted twice.
"""

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlmodel import Session, func, select

from models import Agency, Cycle, SurveyImport, SurveyLink, User
from models.user import Role
from workflow.access import require_role
from workflow.errors import DomainError, NotFound
from workflow.survey.responding import add_response
from workflow.survey.settings import questions_of, scale_of, survey_of

MAX_ROWS = 20_000


@dataclass(frozen=True)
class ColumnMapping:
    """Which column names the agency, and which column holds each question's answers (by ref);
    a question with no column was not asked by the other tool."""

    agency_column: str
    question_columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    responses: int
    agencies: int


def import_responses(
    session: Session, actor: User | None, cycle_id: int, filename: str, data: bytes, mapping: ColumnMapping
) -> ImportResult:
    """Read the whole file, check every row, then store every response; refuses listing every problem.
    `actor` None is the command line, run by whoever runs the product."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "import survey results")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    if survey_of(session, cycle_id) is None:
        raise DomainError("Set up this cycle's staff survey before importing results into it.")
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.exec(select(SurveyImport).where(SurveyImport.cycle_id == cycle_id, SurveyImport.digest == digest)).first()
    if earlier is not None:
        raise DomainError(
            f"This file was already imported (as “{earlier.filename}”): importing it again would count its responses twice."
        )
    headers, rows = read_table(filename, data)
    questions = {q.ref: q for q in questions_of(session, cycle.template_id)}
    scale = scale_of(session, cycle.template_id)
    _check_mapping(mapping, headers, questions)
    links = {
        name.casefold(): link_id
        for link_id, name in session.exec(
            select(SurveyLink.id, Agency.name)
            .join(Agency, Agency.id == SurveyLink.agency_id)
            .where(SurveyLink.cycle_id == cycle_id)
        )
    }
    mapped = {ref: column for ref, column in mapping.question_columns.items() if column}
    problems: list[str] = []
    parsed: list[tuple[int, dict[int, str]]] = []
    for number, row in rows:
        row_problems = []
        agency = row.get(mapping.agency_column, "")
        link_id = links.get(agency.casefold())
        if not agency:
            row_problems.append(f"the “{mapping.agency_column}” column is empty")
        elif link_id is None:
            row_problems.append(f"“{agency}” is not an agency in this cycle")
        answers = {}
        for ref, column in mapped.items():
            typed = row.get(column, "")
            if not typed:
                continue  # this person skipped the question in the other tool
            answer = scale.find(typed)
            if answer is None:
                row_problems.append(
                    f"“{typed}” in column “{column}” is not an answer on the scale ({', '.join(scale.labels.values())})"
                )
            else:
                answers[questions[ref].id] = answer.value
        if not answers and not row_problems:
            row_problems.append("no question is answered")
        problems += [f"Row {number}: {p}." for p in row_problems]
        if not row_problems:
            parsed.append((link_id, answers))
    if not rows:
        problems.append("The file has no rows of responses under its column headings.")
    if problems:
        raise DomainError(problems)
    record = SurveyImport(
        cycle_id=cycle_id, filename=filename[:255], digest=digest, rows=len(parsed), imported_by_id=actor.id if actor else None
    )
    session.add(record)
    session.flush()
    for n, (link_id, answers) in enumerate(parsed, start=1):
        add_response(
            session, link_id, scale, answers, submission_key=f"import-{record.id}-{n}", source="import", import_id=record.id
        )
    return ImportResult(len(parsed), len({link for link, _ in parsed}))


def _check_mapping(mapping: ColumnMapping, headers: list[str], questions: dict) -> None:
    problems = []
    if not mapping.agency_column:
        problems.append("Say which column names the agency.")
    elif mapping.agency_column not in headers:
        problems.append(
            f"The file has no column “{mapping.agency_column}” for the agency. Its columns are: {', '.join(headers)}."
        )
    for ref, column in mapping.question_columns.items():
        if ref not in questions:
            problems.append(f"The survey has no question {ref}.")
        elif column and column not in headers:
            problems.append(
                f"The file has no column “{column}” (given for question {ref}). Its columns are: {', '.join(headers)}."
            )
    if not any(mapping.question_columns.values()):
        problems.append("Give the column of at least one question.")
    if problems:
        raise DomainError(problems)


def read_table(filename: str, data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The headings and the rows (with their row number in the file, headings being row 1)."""
    if filename.lower().endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif filename.lower().endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise DomainError("Choose a CSV file (.csv) or an Excel workbook (.xlsx).")
    if not table or not any(table[0]):
        raise DomainError("The file is empty: its first row must name the columns.")
    headers = [h.strip() for h in table[0]]
    if len(table) - 1 > MAX_ROWS:
        raise DomainError(f"The file has {len(table) - 1} rows; import at most {MAX_ROWS:,} at a time.")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line at the end of a spreadsheet
        rows.append((number, {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers)}))
    return headers, rows


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("The CSV file is not UTF-8 text: save it as “CSV UTF-8” and try again.") from None
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise DomainError("The file is not an Excel workbook (.xlsx) that can be read.") from None
    rows = []
    # Read no further than the row limit: a small file can unpack into a very large sheet.
    for row in workbook.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 2):
        rows.append(["" if v is None else str(v) for v in row])
    workbook.close()
    return rows


def import_count(session: Session, cycle_id: int) -> int:
    return session.exec(select(func.count()).select_from(SurveyImport).where(SurveyImport.cycle_id == cycle_id)).one()
