"""The year's key themes: the coordinator's findings per standard and overall, which the Board's
annual report needs beside the figures (the PDF's first section and a sheet of the workbook)."""

from dataclasses import dataclass

from reportlab.platypus import Flowable
from sqlmodel import Session, select

from models import Cycle, KeyTheme, Standard, User
from models.key_theme import OVERALL
from models.user import Role
from workflow.access import require_role
from workflow.clock import utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.mail.notify import tell
from workflow.people.recipients import coordinators, qa_reviewers
from workflow.reporting.pdf_layout import para

THEME_LIMIT = 10_000


@dataclass(frozen=True)
class StandardTheme:
    number: str
    title: str
    text: str


@dataclass(frozen=True)
class KeyThemes:
    """A cycle's findings as the page, the PDF and the workbook show them, standards in order."""

    cycle: Cycle
    overall: str
    standards: list[StandardTheme]

    @property
    def written(self) -> bool:
        return bool(self.overall or any(s.text for s in self.standards))


def key_themes(session: Session, cycle_id: int) -> KeyThemes:
    """What the coordinator has written for the cycle (empty text where nothing is written yet)."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    written = {t.standard_number: t.text for t in session.exec(select(KeyTheme).where(KeyTheme.cycle_id == cycle.id))}
    standards = session.exec(
        select(Standard.number, Standard.title).where(Standard.template_id == cycle.template_id).order_by(Standard.position)
    ).all()
    return KeyThemes(cycle, written.get(OVERALL, ""), [StandardTheme(n, t, written.get(n, "")) for n, t in standards])


def write_key_themes(
    session: Session, actor: User, cycle_id: int, *, overall: str, by_standard: dict[str, str]
) -> KeyThemes:
    """The coordinator writes (or rewrites) the year's findings; an emptied box removes that one.
    Recorded on the cycle's history with the standards changed; the QA sub-group and the other
    coordinators are told."""
    require_role(session, actor, {Role.COORDINATOR}, "write the key themes")
    current = key_themes(session, cycle_id)
    known = {s.number for s in current.standards}
    wanted = {OVERALL: overall.strip(), **{number: text.strip() for number, text in by_standard.items()}}
    reasons = [f"There is no standard {number} in this cycle's template." for number in wanted if number and number not in known]
    for number, text in wanted.items():
        if len(text) > THEME_LIMIT:
            where = f"standard {number}" if number else "the whole partnership"
            reasons.append(f"The key themes for {where} must be {THEME_LIMIT:,} characters or fewer (they have {len(text):,}).")
    before = {OVERALL: current.overall, **{s.number: s.text for s in current.standards}}
    changed = [number for number, text in wanted.items() if number in before and before[number] != text]
    if not reasons and not changed:
        reasons.append("Nothing has changed: write or change the key themes for a standard or the whole partnership.")
    if reasons:
        raise DomainError(reasons)
    rows = {t.standard_number: t for t in session.exec(select(KeyTheme).where(KeyTheme.cycle_id == current.cycle.id))}
    for number in changed:
        row = rows.get(number)
        if not wanted[number]:
            session.delete(row)
            continue
        row = row or KeyTheme(cycle_id=current.cycle.id, standard_number=number, written_by_id=actor.id)
        row.text, row.written_by_id, row.written_at = wanted[number], actor.id, utcnow()
        session.add(row)
    session.flush()
    history.append(
        session,
        subject_type="cycle",
        subject_id=current.cycle.id,
        actor=actor,
        trigger="write_key_themes",
        details={"standards": [n or "overall" for n in changed]},
    )
    people = [p for p in coordinators(session, current.cycle) + qa_reviewers(session, current.cycle) if p[0] != actor.email]
    context = {
        "cycle_id": current.cycle.id,
        "cycle_name": current.cycle.name,
        "actor_name": actor.name,
        "changed": ", ".join(f"standard {n}" if n else "the whole partnership" for n in changed),
    }
    tell(session, "key_themes_written", people, context)
    return key_themes(session, current.cycle.id)


def key_themes_section(session: Session, cycle_id: int) -> list[Flowable]:
    """The annual-report PDF's section of findings; nothing when none are written."""
    themes = key_themes(session, cycle_id)
    if not themes.written:
        return []
    flow: list[Flowable] = [para("Key themes", "h1")]
    if themes.overall:
        flow += [para("Across the partnership", "h2"), para(themes.overall)]
    for standard in themes.standards:
        if standard.text:
            flow += [para(f"Standard {standard.number}: {standard.title}", "h2"), para(standard.text)]
    return flow


def key_theme_sheets(session: Session, cycle_id: int) -> list:
    """The workbook's Key themes sheet: one row for the whole partnership, one per standard; no
    sheet while nothing is written."""
    from workflow.reporting.exports import Sheet  # exports builds the workbook; this adds a sheet to it

    themes = key_themes(session, cycle_id)
    if not themes.written:
        return []
    rows = [["Overall", "The whole partnership", themes.overall]]
    rows += [[s.number, s.title, s.text] for s in themes.standards]
    return [Sheet("Key themes", ["Standard", "Title", "Key themes"], rows)]
