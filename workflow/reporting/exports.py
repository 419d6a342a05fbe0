"""A cycle's records and figures as files for the annual report: CSV, a spreadsheet, and JSON.

Every answer, action, challenge, evidence request and statement of the cycle, one table each,
read in a fixed number of queries. Ratings are written in the template's own words. Text the
agencies typed is kept from being run as a spreadsheet formula (OWASP's CSV injection advice).
"""

import csv
import dataclasses
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from models import (
    Action,
    Agency,
    Answer,
    AuditReturn,
    Challenge,
    ComplianceStatement,
    EvidenceRequest,
    Question,
    Standard,
    Template,
    User,
)
from models.audit_return import ReturnState
from workflow.answering import actions as action_rules
from workflow.answering.ratings import rating
from workflow.clock import uk_wall_clock
from workflow.reporting import measure_tables, reports
from workflow.templates.spec import RatingScale

Value = str | int | float | bool | date | datetime | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One part of the export: a CSV file, or a sheet of the workbook."""

    name: str
    headers: list[str]
    rows: list[list[Value]]

    @property
    def filename(self) -> str:
        return self.name.lower().replace(" ", "_") + ".csv"


def cycle_sheets(session: Session, cycle_id: int) -> list[Sheet]:
    """Answers, Actions, Challenges, Evidence requests and Statements of every return in the cycle."""
    cycle = reports.cycle_of(session, cycle_id)
    scale = RatingScale.from_json(session.exec(select(Template.scale).where(Template.id == cycle.template_id)).one())
    titles = {state.value: state.title for state in ReturnState}
    # Columns, not table objects, throughout: the sheets need values, and thousands of rows of them.
    returns = {
        return_id: [name, sector, statutory, titles[status]]
        for return_id, name, sector, statutory, status in session.exec(
            select(AuditReturn.id, Agency.name, Agency.sector, Agency.statutory, AuditReturn.status)
            .join(Agency, Agency.id == AuditReturn.agency_id)
            .where(AuditReturn.cycle_id == cycle.id)
            .order_by(Agency.name)
        )
    }
    questions = {
        question_id: (question_ref, number)
        for question_id, question_ref, number in session.exec(
            select(Question.id, Question.ref, Standard.number)
            .join(Standard, Standard.id == Question.standard_id)
            .where(Question.template_id == cycle.template_id)
            .order_by(Standard.position, Question.position)
        )
    }

    def of_cycle(model, *columns):
        return (
            select(*(getattr(model, column) for column in columns))
            .join(AuditReturn, AuditReturn.id == model.return_id)
            .where(AuditReturn.cycle_id == cycle.id)
        )

    # The biggest sheet, read as its rows already joined and in order: columns, not table objects.
    answers = session.exec(
        select(
            Agency.name,
            Agency.sector,
            Agency.statutory,
            AuditReturn.status,
            Standard.number,
            Question.ref,
            Question.text,
            Answer.rating,
            Answer.moderated_rating,
            Answer.narrative,
            Answer.evidence_description,
            Answer.not_applicable_reason,
            Answer.updated_at,
        )
        .join(AuditReturn, AuditReturn.id == Answer.return_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Standard, Standard.id == Question.standard_id)
        .where(AuditReturn.cycle_id == cycle.id)
        .order_by(Agency.name, AuditReturn.id, Standard.position, Question.position)
    ).all()
    labels = {item.value: _label(scale, item.value) for item in scale.values}
    plan = session.exec(
        of_cycle(
            Action, "id", "return_id", "question_id", "description", "lead_user_id", "target_date", "status", "closed_at",
            "closing_reason",
        ).order_by(Action.id)
    ).all()
    challenges = session.exec(
        of_cycle(
            Challenge, "return_id", "question_id", "text", "status", "raised_by_id", "raised_at", "response",
            "responded_by_id", "responded_at",
        ).order_by(Challenge.raised_at, Challenge.id)
    ).all()
    requests = session.exec(
        of_cycle(
            EvidenceRequest, "return_id", "question_id", "description", "due_date", "status", "requested_by_id",
            "requested_at", "response", "provided_by_id", "provided_at",
        ).order_by(EvidenceRequest.requested_at, EvidenceRequest.id)
    ).all()
    statements = session.exec(
        of_cycle(
            ComplianceStatement, "return_id", "choice", "signed_name", "signed_by_id", "signed_at", "declaration",
            "improvements",
        ).order_by(ComplianceStatement.signed_at)
    ).all()
    user_ids = {a.lead_user_id for a in plan} | {s.signed_by_id for s in statements}
    user_ids |= {c.raised_by_id for c in challenges} | {c.responded_by_id for c in challenges}
    user_ids |= {r.requested_by_id for r in requests} | {r.provided_by_id for r in requests}
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(user_ids - {None}))).all()).get

    def agency_columns(return_id: int) -> list[Value]:
        return returns[return_id]

    def ref(question_id: int | None) -> str:
        return questions[question_id][0] if question_id else ""

    order = {qid: i for i, qid in enumerate(questions)}
    agency_order = {rid: i for i, rid in enumerate(returns)}
    who = ["Agency", "Sector", "Statutory", "Return state"]
    return [
        Sheet(
            "Answers",
            [
                *who,
                "Standard",
                "Question",
                "Question text",
                "Rating",
                "Moderated rating",
                "Narrative",
                "Evidence",
                "Reason not applicable",
                "Updated at",
            ],
            [
                [
                    name,
                    sector,
                    statutory,
                    titles[status],
                    number,
                    question_ref,
                    text,
                    labels.get(given) or _label(scale, given),
                    labels.get(moderated) or _label(scale, moderated),
                    narrative,
                    evidence,
                    reason,
                    updated_at,
                ]
                for (
                    name, sector, statutory, status, number, question_ref, text,
                    given, moderated, narrative, evidence, reason, updated_at,
                ) in answers
            ],
        ),
        Sheet(
            "Actions",
            [
                *who,
                "Standard",
                "Question",
                "Action",
                "Lead person",
                "Target date",
                "Status",
                "Overdue",
                "Closed at",
                "Reason closed",
            ],
            [
                [
                    *agency_columns(a.return_id),
                    questions[a.question_id][1],
                    ref(a.question_id),
                    a.description,
                    names(a.lead_user_id, ""),
                    a.target_date,
                    a.status.replace("_", " ").capitalize(),
                    action_rules.is_overdue(a),  # reads the row's status and target date
                    a.closed_at,
                    a.closing_reason,
                ]
                for a in sorted(plan, key=lambda a: (agency_order[a.return_id], order[a.question_id], a.id))
            ],
        ),
        Sheet(
            "Challenges",
            [*who, "Question", "Challenge", "Status", "Raised by", "Raised at", "Answer", "Answered by", "Answered at"],
            [
                [
                    *agency_columns(c.return_id),
                    ref(c.question_id),
                    c.text,
                    c.status.capitalize(),
                    names(c.raised_by_id, ""),
                    c.raised_at,
                    c.response,
                    names(c.responded_by_id, ""),
                    c.responded_at,
                ]
                for c in challenges
            ],
        ),
        Sheet(
            "Evidence requests",
            [
                *who,
                "Question",
                "Evidence requested",
                "Due date",
                "Status",
                "Requested by",
                "Requested at",
                "Response",
                "Provided by",
                "Provided at",
            ],
            [
                [
                    *agency_columns(r.return_id),
                    ref(r.question_id),
                    r.description,
                    r.due_date,
                    r.status.capitalize(),
                    names(r.requested_by_id, ""),
                    r.requested_at,
                    r.response,
                    names(r.provided_by_id, ""),
                    r.provided_at,
                ]
                for r in requests
            ],
        ),
        Sheet(
            "Statements",
            [*who, "Choice", "Signed name", "Signed by", "Signed at", "Statement", "Standards now met"],
            [
                [
                    *agency_columns(s.return_id),
                    "Signed" if s.choice == "signed" else "Re-audit by peer review",
                    s.signed_name,
                    names(s.signed_by_id, ""),
                    s.signed_at,
                    s.declaration,
                    "; ".join(f"{i['standard']}: {i['evidence']}" for i in s.improvements),
                ]
                for s in statements
            ],
        ),
    ]


def _label(scale: RatingScale, value: str | None) -> str:
    return rating(scale, value).label if value else ""


def _cell_text(value: Value) -> str:
    """How a value reads in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{uk_wall_clock(value):%Y-%m-%d %H:%M}"  # UK time, as every page shows it
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sheet_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte order mark, so Excel shows names and quotes as typed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headers)
    writer.writerows([_cell_text(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def measure_sheets(session: Session, cycle_id: int) -> list[Sheet]:
    """The Board's measures as the pages show them: per group and standard, per agency, the
    over-ratings, and year on year; self-assessed beside moderated, with the gap."""
    heatmap = reports.compliance_heatmap(session, cycle_id)
    history = reports.year_on_year(session, cycle_id)
    columns = measure_tables.headers(heatmap.scale)
    return [
        Sheet("Measures", ["Group", "Standard", *columns], measure_tables.group_rows(heatmap)),
        Sheet("Agency measures", measure_tables.AGENCY_HEADERS, measure_tables.agency_rows(heatmap)),
        Sheet(
            "Over-ratings",
            measure_tables.OVER_RATING_HEADERS,
            [measure_tables.over_rating_row(o) for o in heatmap.over_ratings],
        ),
        Sheet(
            "Year on year",
            ["Cycle", "Standard", *measure_tables.headers(history.scale)],
            measure_tables.year_rows(history),
        ),
    ]


def cycle_csv_zip(session: Session, cycle_id: int) -> bytes:
    return csv_zip(cycle_sheets(session, cycle_id) + measure_sheets(session, cycle_id))


def cycle_xlsx(session: Session, cycle_id: int) -> bytes:
    from workflow.reporting.key_themes import key_theme_sheets  # the coordinator's findings (issue 11)
    from workflow.reporting.survey_figures import survey_sheets  # the staff survey's sheet (issue 12)

    themes = key_theme_sheets(session, cycle_id)
    return workbook_bytes(
        cycle_sheets(session, cycle_id) + measure_sheets(session, cycle_id) + survey_sheets(session, cycle_id) + themes
    )


def csv_zip(sheets: list[Sheet]) -> bytes:
    """One CSV per part, in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            archive.writestr(sheet.filename, sheet_csv(sheet))
    return buffer.getvalue()


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    """The workbook: one sheet per part, headings bold and frozen, with filters."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        ws.append(sheet.headers)
        for row in sheet.rows:
            ws.append([_xlsx_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column, header in enumerate(sheet.headers, start=1):
            ws.column_dimensions[get_column_letter(column)].width = min(max(len(header) + 2, 12), 50)
        # Text that looks like a formula stays text.
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Value) -> Value:
    """Excel has no time zones: times are written as a clock in London showed them (UK time)."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return uk_wall_clock(value)
    return value


def cycle_figures(session: Session, cycle_id: int) -> dict[str, Any]:
    """Every figure of the Board's reports as plain data (dates as ISO text)."""
    figures = {
        "progress": reports.cycle_progress(session, cycle_id),
        "heatmap": reports.compliance_heatmap(session, cycle_id),
        "year_on_year": reports.year_on_year(session, cycle_id),
        "action_plans": reports.action_plans(session, cycle_id),
    }
    plain = {name: dataclasses.asdict(value) for name, value in figures.items()}
    return json.loads(json.dumps(plain, default=_iso))


def cycle_figures_json(session: Session, cycle_id: int) -> str:
    return json.dumps(cycle_figures(session, cycle_id), indent=2, ensure_ascii=False)


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of the figures")
