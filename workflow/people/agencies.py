"""Agencies: add, edit, and import a partnership's list from CSV (all rows or none)."""

import csv
import io
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from models import Agency, User, field_limits
from models.user import Role
from workflow.access import require_role
from workflow.errors import DomainError

CSV_COLUMNS = [
    "name",
    "sector",
    "statutory",
    "commissioned_by",
    "contact_name",
    "contact_email",
    "executive_name",
    "executive_email",
]
REQUIRED_COLUMNS = {"name", "sector", "statutory"}
YES = {"yes", "y", "true", "1", "statutory"}
NO = {"no", "n", "false", "0", "non-statutory", "non statutory", ""}


@dataclass(frozen=True)
class AgencyDetails:
    """What a person types about an agency, before it is checked."""

    name: str
    sector: str
    statutory: bool
    commissioned_by: str = ""
    contact_name: str = ""
    contact_email: str = ""
    executive_name: str = ""
    executive_email: str = ""


def _email_problem(label: str, value: str) -> str | None:
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return f"{label} “{value}” is not a valid e-mail address."
    return None


def details_problems(details: AgencyDetails) -> list[str]:
    problems = []
    if not details.name.strip():
        problems.append("Enter the agency's name.")
    if not details.sector.strip():
        problems.append("Enter the agency's sector, for example Health, Police or Voluntary.")
    problems.extend(_size_problems(details))
    for label, value in (("The contact e-mail", details.contact_email), ("The executive's e-mail", details.executive_email)):
        if len(value) > field_limits.EMAIL:
            continue  # already said: too long
        problem = _email_problem(label, value.strip())
        if problem:
            problems.append(problem)
    return problems


_SIZES = {
    "name": ("The agency's name", field_limits.AGENCY_NAME),
    "sector": ("The sector", field_limits.SECTOR),
    "commissioned_by": ("The commissioning agency", field_limits.AGENCY_NAME),
    "contact_name": ("The contact's name", field_limits.PERSON_NAME),
    "contact_email": ("The contact e-mail", field_limits.EMAIL),
    "executive_name": ("The executive's name", field_limits.PERSON_NAME),
    "executive_email": ("The executive's e-mail", field_limits.EMAIL),
}


def _size_problems(details: AgencyDetails) -> list[str]:
    """Sizes and characters from `models.field_limits`: the form, the import and the CLI alike."""
    problems = []
    for attribute, (label, limit) in _SIZES.items():
        problems.extend(field_limits.text_problems(label, getattr(details, attribute).strip(), limit))
    return problems


def save_agency(session: Session, actor: User, details: AgencyDetails, agency_id: int | None = None) -> Agency:
    """Add an agency, or change one; the commissioning agency is named."""
    require_role(session, actor, {Role.COORDINATOR}, "change the list of agencies")
    problems = details_problems(details)
    if _size_problems(details):
        raise DomainError(problems)  # the lookups below could not even search for such a value
    agency = session.get(Agency, agency_id) if agency_id else Agency(name="", sector="")
    same_name = session.exec(select(Agency).where(Agency.name == details.name.strip())).first()
    if same_name is not None and same_name.id != agency.id:
        problems.append(f"There is already an agency called “{details.name.strip()}”.")
    commissioner = _commissioner(session, details.commissioned_by, problems)
    if problems:
        raise DomainError(problems)
    _apply(agency, details, commissioner)
    session.add(agency)
    session.flush()
    return agency


def _commissioner(session: Session, name: str, problems: list[str], pending: dict[str, Agency] | None = None) -> Agency | None:
    name = name.strip()
    if not name:
        return None
    found = (pending or {}).get(name) or session.exec(select(Agency).where(Agency.name == name)).first()
    if found is None:
        problems.append(f"The commissioning agency “{name}” is not in the list of agencies.")
    return found


def _apply(agency: Agency, details: AgencyDetails, commissioner: Agency | None) -> None:
    agency.name = details.name.strip()
    agency.sector = details.sector.strip()
    agency.statutory = details.statutory
    agency.commissioned_by_id = commissioner.id if commissioner else None
    agency.contact_name = details.contact_name.strip()
    agency.contact_email = details.contact_email.strip()
    agency.executive_name = details.executive_name.strip()
    agency.executive_email = details.executive_email.strip()


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int


def import_csv(session: Session, actor: User | None, text: str) -> ImportResult:
    """Add or update agencies from CSV; any bad row refuses the whole file, naming every problem.

    `actor` None is the command line run by the partnership's administrator.
    """
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "import agencies")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = {h.strip().lower() for h in reader.fieldnames or []}
    missing = REQUIRED_COLUMNS - headers
    if missing:
        raise DomainError(
            f"The file has no column {', '.join(sorted(missing))}. The first row must name the columns: {', '.join(CSV_COLUMNS)}."
        )
    unknown = headers - set(CSV_COLUMNS)
    if unknown:
        raise DomainError(f"Unknown column {', '.join(sorted(unknown))}. Use only: {', '.join(CSV_COLUMNS)}.")
    problems: list[str] = []
    rows: list[tuple[int, AgencyDetails]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        row_problems = []
        statutory = row.get("statutory", "").lower()
        if statutory not in YES | NO:
            row_problems.append(f"statutory must be yes or no, not “{row.get('statutory')}”")
        details = AgencyDetails(
            name=row.get("name", ""),
            sector=row.get("sector", ""),
            statutory=statutory in YES,
            **{k: row.get(k, "") for k in CSV_COLUMNS[3:]},
        )
        row_problems.extend(p.rstrip(".") for p in details_problems(details))
        if details.name in seen:
            row_problems.append(f"“{details.name}” is already on row {seen[details.name]}")
        seen.setdefault(details.name, line)
        problems.extend(f"Row {line}: {p[0].lower() + p[1:]}." for p in row_problems)
        rows.append((line, details))
    if not rows and not problems:
        problems.append("The file has no agencies in it.")
    if problems:
        raise DomainError(problems)
    return _save_rows(session, rows)


def _save_rows(session: Session, rows: list[tuple[int, AgencyDetails]]) -> ImportResult:
    """Save in two passes so a row may name a commissioner that comes later in the file."""
    existing = {a.name: a for a in session.exec(select(Agency))}
    added = updated = 0
    by_name: dict[str, Agency] = {}
    for _line, details in rows:
        agency = existing.get(details.name)
        if agency is None:
            agency = Agency(name=details.name, sector=details.sector)
            added += 1
        else:
            updated += 1
        _apply(agency, details, None)
        session.add(agency)
        by_name[details.name] = agency
    session.flush()
    problems: list[str] = []
    for line, details in rows:
        before = len(problems)
        commissioner = _commissioner(session, details.commissioned_by, problems, by_name)
        if len(problems) > before:
            problems[-1] = f"Row {line}: {problems[-1][0].lower()}{problems[-1][1:]}"
        by_name[details.name].commissioned_by_id = commissioner.id if commissioner else None
    if problems:
        raise DomainError(problems)
    session.flush()
    return ImportResult(added, updated)
