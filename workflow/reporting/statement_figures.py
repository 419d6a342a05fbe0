"""Year two in the Board's figures: standards an executive's signed statement says are now met.

In a statement of compliance year the agencies answer no questions, so the ratings tables hold
nothing for a signed return. The executive may name standards self-assessed below the top rating
last time that are now fully met, with the evidence; this puts those claims into the heatmap
and year on year as the scale's top rating, "improved, evidenced by statement". One query.
"""

from dataclasses import replace
from typing import Any

from sqlmodel import Session, select

from models import AuditReturn, ComplianceStatement, Cycle
from models.audit_return import ReturnState
from models.cycle import CycleKind
from workflow.answering.ratings import Rating, rating
from workflow.templates.spec import RatingScale

EVIDENCED_BY_STATEMENT = "improved, evidenced by statement"


def evidenced_improvements(session: Session, cycle_id: int) -> dict[tuple[int, str], str]:
    """(agency id, standard number) -> the executive's evidence, from the signed statements of a
    statement of compliance year (a full audit's own ratings speak for themselves)."""
    rows = session.exec(
        select(AuditReturn.agency_id, ComplianceStatement.improvements)
        .join(ComplianceStatement, ComplianceStatement.return_id == AuditReturn.id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            AuditReturn.cycle_id == cycle_id,
            AuditReturn.status == ReturnState.COMPLIANCE_STATEMENT_SIGNED,
            ComplianceStatement.choice == "signed",
            Cycle.kind == CycleKind.STATEMENT_YEAR,
        )
    ).all()
    return {(agency_id, str(i["standard"])): i["evidence"] for agency_id, improvements in rows for i in improvements or []}


def top_rating(scale: RatingScale) -> Rating:
    """What "now fully met" is on the cycle's own scale."""
    return rating(scale, scale.top_value.value)


def heatmap_rows(session: Session, cycle_id: int, scale: RatingScale, rows: list[Any]) -> list[Any]:
    """The heatmap's rows with each evidenced improvement as a top-rated cell carrying its evidence."""
    improved = evidenced_improvements(session, cycle_id)
    if not improved:
        return rows
    top = top_rating(scale)
    result = []
    for row in rows:
        cells = dict(row.cells)
        for number, cell in row.cells.items():
            evidence = improved.get((row.agency_id, number))
            if evidence is not None:
                cells[number] = replace(cell, self_assessed=top, moderated=top, statement_evidence=evidence)
        result.append(replace(row, cells=cells))
    return result


def year_on_year_rows(session: Session, cycle_id: int, scale: RatingScale, rows: list[Any]) -> list[Any]:
    """Year on year's rows with this cycle's rating of each evidenced improvement set to the top
    rating and its change "improved", the evidence kept beside it."""
    improved = evidenced_improvements(session, cycle_id)
    if not improved:
        return rows
    top = top_rating(scale)
    result = []
    for row in rows:
        ratings, change, evidenced = dict(row.ratings), dict(row.change), dict(row.evidenced)
        for number in row.ratings:
            evidence = improved.get((row.agency_id, number))
            if evidence is not None:
                ratings[number] = [*row.ratings[number][:-1], top]
                change[number] = "improved"
                evidenced[number] = evidence
        result.append(replace(row, ratings=ratings, change=change, evidenced=evidenced))
    return result
