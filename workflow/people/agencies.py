"""Agencies: add, edit, and import a partnership's list from CSV or Excel (all rows or none)."""

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from models import Agency, AgencyPartnership, User, field_limits
from models.user import Role
from workflow import partnerships
from workflow.access import require_role
from workflow.errors import DomainError, Reason
from workflow.people.agency_files import SheetRow, read_agency_file
from workflow.people.recipients import has_agency_users
from workflow.people.sectors import sector_named, sector_problems

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
    statutory: bool | None  # None: not said
    commissioned_by: str = ""
    contact_name: str = ""
    contact_email: str = ""
    executive_name: str = ""
    executive_email: str = ""


LABELS = {
    "name": "The agency's name",
    "contact_name": "The contact's name",
    "contact_email": "The contact e-mail",
    "executive_name": "The executive's name",
    "executive_email": "The executive's e-mail",
}


def _email_problem(label: str, value: str) -> str | None:
    if not value:
        return None
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return f"{label} “{value}” is not a valid e-mail address: check it has one @ and no spaces."
    return None


def details_problems(details: AgencyDetails, *, contact_required: bool = False) -> list[str]:
    """Every problem with what was typed about one agency, each saying what to do and naming its field."""
    problems = []
    if not details.name.strip():
        problems.append(Reason("Enter the agency's name.", "name"))
    if details.statutory is None:
        problems.append(Reason("Say whether the agency is statutory.", "statutory"))
    for problem in sector_problems(details.sector, details.statutory):
        problems.append(Reason(problem, "sector"))
    if contact_required and not details.contact_email.strip():
        why = "the invitation to each cycle goes there until the agency has users"
        problems.append(Reason(f"Enter the contact e-mail: {why}.", "contact_email"))
    badly_typed = set()
    for column, (label, limit) in _SIZES.items():
        for problem in field_limits.text_problems(label, getattr(details, column).strip(), limit):
            problems.append(Reason(problem, column))
            badly_typed.add(column)
    for column in ("contact_email", "executive_email"):
        if column not in badly_typed and (problem := _email_problem(LABELS[column], getattr(details, column).strip())):
            problems.append(Reason(problem, column))
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
    if _size_problems(details):
        raise DomainError(details_problems(details))  # the lookups below could not even search for such a value
    agency = session.get(Agency, agency_id) if agency_id else Agency(name="", sector="")
    problems = details_problems(details, contact_required=agency.id is None or not has_agency_users(session, agency))
    # A name is unique within each partnership the agency is (or will be) in; another partnership's
    # agency of the same name is another agency, and is neither seen nor confirmed here.
    home = [partnerships.home_partnership(session, actor)]
    its_partnerships = _partnerships_of_agency(session, agency.id) if agency.id else home
    same_name = session.exec(
        _agencies_in(its_partnerships).where(Agency.name == details.name.strip(), Agency.id != (agency.id or 0))
    ).first()
    if same_name is not None:
        taken = f"There is already an agency called “{details.name.strip()}”: give this one another name."
        problems.append(Reason(taken, "name"))
    commissioner = _commissioner(session, details.commissioned_by, problems)
    if commissioner is not None and agency.id is not None and commissioner.id == agency.id:
        problems.append(Reason("An agency cannot commission itself: choose another agency or none.", "commissioned_by"))
    if problems:
        raise DomainError(problems)
    _apply(agency, details, commissioner)
    new = agency.id is None
    session.add(agency)
    session.flush()
    if new:
        partnerships.join(session, agency_id=agency.id, partnership_ids=[partnerships.home_partnership(session, actor)])
    return agency


def _commissioner(session: Session, name: str, problems: list[str], pending: dict[str, Agency] | None = None) -> Agency | None:
    name = name.strip()
    if not name:
        return None
    found = (pending or {}).get(name) or session.exec(select(Agency).where(Agency.name == name)).first()
    if found is None:
        unknown = f"The commissioning agency “{name}” is not in the list of agencies: choose one from the list."
        problems.append(Reason(unknown, "commissioned_by"))
    return found


def _apply(agency: Agency, details: AgencyDetails, commissioner: Agency | None) -> None:
    agency.name = details.name.strip()
    sector = sector_named(details.sector)
    agency.sector = sector.name if sector else details.sector.strip()
    agency.statutory = bool(details.statutory)
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
    """Add or update agencies from CSV text (see `import_file`)."""
    return import_file(session, actor, "agencies.csv", text.encode("utf-8"))


def import_file(session: Session, actor: User | None, filename: str, data: bytes) -> ImportResult:
    """Add or update agencies from a CSV or Excel file. Every bad row is named in one pass, with its
    line number and what to do; nothing is saved unless every row is good.

    `actor` None is the command line run by the partnership's administrator.
    """
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "import agencies")
    sheet = read_agency_file(filename, data)
    _check_columns(sheet.columns)
    # The partnership's own agencies: a row naming one updates it. An agency of another partnership
    # with the same name is not this one (a coordinator of both adds it on the partnerships page).
    home = partnerships.home_partnership(session, actor)
    existing = {name_key(a.name): a for a in session.exec(_agencies_in([home]))}
    rows, problems = _read_rows(session, sheet.rows, existing)
    if not rows and not problems:
        problems.append("The file has no agencies in it: add a row for each agency under the column names.")
    if problems:
        raise DomainError(problems)
    result, saved = _save_rows(session, rows, existing)
    for agency in saved:
        partnerships.join(session, agency_id=agency.id, partnership_ids=[home])
    return result


def _agencies_in(partnership_ids: list[int]):
    """Agencies of these partnerships, whatever the session's own scope (a name check must see them all)."""
    held = select(AgencyPartnership.agency_id).where(AgencyPartnership.partnership_id.in_(partnership_ids))
    return select(Agency).where(Agency.id.in_(held)).execution_options(**partnerships.across_partnerships())


def _partnerships_of_agency(session: Session, agency_id: int) -> list[int]:
    query = select(AgencyPartnership.partnership_id).where(AgencyPartnership.agency_id == agency_id)
    return list(session.exec(query.execution_options(**partnerships.across_partnerships())))


def name_key(name: str) -> str:
    """Two names that differ only in case or spacing name the same agency."""
    return " ".join(name.replace("’", "'").split()).casefold()


def _check_columns(columns: list[str]) -> None:
    missing = [c for c in CSV_COLUMNS if c in REQUIRED_COLUMNS and c not in columns]
    if missing:
        raise DomainError(
            f"The file has no column {', '.join(missing)}. The first row must name the columns: {', '.join(CSV_COLUMNS)}."
        )
    unknown = [c for c in columns if c and c not in CSV_COLUMNS]
    if unknown:
        raise DomainError(f"Unknown column {', '.join(unknown)}. Use only: {', '.join(CSV_COLUMNS)}.")


def _read_rows(
    session: Session, sheet_rows: list[SheetRow], existing: dict[str, Agency]
) -> tuple[list[tuple[int, AgencyDetails]], list[str]]:
    """Each row's details, and every problem of every row, in the order of the file."""
    problems: list[str] = []
    rows: list[tuple[int, AgencyDetails]] = []
    seen: dict[str, int] = {}
    in_file = {name_key(r.cells.get("name", "")) for r in sheet_rows}
    for sheet_row in sheet_rows:
        line, row = sheet_row.line, sheet_row.cells
        row_problems = []
        statutory = row.get("statutory", "").lower()
        if statutory not in YES | NO:
            row_problems.append(f"the statutory column must say yes or no, not “{row.get('statutory')}”")
            # Said once: the sector is not also blamed for disagreeing with a word that is not yes or no.
            sector = sector_named(row.get("sector", ""))
            statutory = "yes" if sector and sector.statutory else "no"
        details = AgencyDetails(
            name=row.get("name", ""),
            sector=row.get("sector", ""),
            statutory=statutory in YES,
            **{k: row.get(k, "") for k in CSV_COLUMNS[3:]},
        )
        key = name_key(details.name)
        known = existing.get(key)
        needs_contact = known is None or not has_agency_users(session, known)
        row_problems.extend(p.rstrip(".") for p in details_problems(details, contact_required=needs_contact))
        if key and key in seen:
            row_problems.append(f"“{details.name}” is already on row {seen[key]}: keep one row for each agency")
        seen.setdefault(key, line)
        commissioner = name_key(details.commissioned_by)
        if commissioner and commissioner == key:
            row_problems.append("an agency cannot commission itself: leave commissioned_by empty or name another agency")
        elif commissioner and commissioner not in in_file and commissioner not in existing:
            row_problems.append(
                f"the commissioning agency “{details.commissioned_by}” is neither in the file nor in the list of "
                "agencies: check its spelling or add a row for it"
            )
        problems.extend(f"Row {line}: {p[0].lower() + p[1:]}." for p in row_problems)
        rows.append((line, details))
    return rows, problems


def _save_rows(
    session: Session, rows: list[tuple[int, AgencyDetails]], existing: dict[str, Agency]
) -> tuple[ImportResult, list[Agency]]:
    """Save in two passes so a row may name a commissioner that comes later in the file; the
    counts, and every agency the file named."""
    added = updated = 0
    by_key = dict(existing)
    for _line, details in rows:
        key = name_key(details.name)
        agency = existing.get(key)
        if agency is None:
            agency = Agency(name=details.name, sector=details.sector)
            added += 1
        else:
            updated += 1
        _apply(agency, details, None)
        session.add(agency)
        by_key[key] = agency
    session.flush()
    for _line, details in rows:
        commissioner = by_key.get(name_key(details.commissioned_by)) if details.commissioned_by.strip() else None
        by_key[name_key(details.name)].commissioned_by_id = commissioner.id if commissioner else None
    session.flush()
    return ImportResult(added, updated), [by_key[name_key(details.name)] for _line, details in rows]
