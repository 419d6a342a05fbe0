"""The Board's figures at 1,000 agencies, each beside the GROUP BY (or plain SELECT) that computes
the same table on a bare connection, and the statements each report runs at 50 and at N agencies."""

from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.measure import Figure, counting, interleaved, ratio_figure
from workflow.reporting import exports, reports
from workflow.templates.spec import RatingScale

RATED = "('submitted','under_qa_challenge','evidence_requested','action_plan_open','compliance_statement_signed')"
AWAITING = "('invited','in_progress')"


def rank_case(scale: RatingScale, column: str) -> str:
    """The scale's order as a SQL CASE (weakest lowest), so MIN gives a standard's weakest element."""
    whens = " ".join(f"WHEN '{item.value}' THEN {i}" for i, item in enumerate(sorted(scale.values, key=_score)))
    return f"CASE {column} {whens} END"


def _score(item) -> float:
    return item.score if item.score is not None else 0


def heatmap_sql(scale: RatingScale) -> str:
    """Weakest self-assessed and moderated element per return and standard, with the summary by sector."""
    own, moderated = rank_case(scale, "an.rating"), rank_case(scale, "COALESCE(an.moderated_rating, an.rating)")
    return f"""
        WITH cells AS (
          SELECT r.id AS return_id, a.name, a.sector, a.statutory, s.number,
                 MIN({own}) AS self_rank, MIN({moderated}) AS moderated_rank, COUNT(an.moderated_rating) AS moderated
          FROM audit_return r JOIN agency a ON a.id = r.agency_id
          JOIN answer an ON an.return_id = r.id
          JOIN question q ON q.id = an.question_id JOIN standard s ON s.id = q.standard_id
          WHERE r.cycle_id = :cycle AND r.status IN {RATED} AND (a.statutory OR NOT q.statutory_only)
          GROUP BY r.id, a.name, a.sector, a.statutory, s.number)
        SELECT * FROM cells ORDER BY name, number"""


def floor_heatmap(engine: Engine, cycle_id: int, scale: RatingScale) -> Callable[[], object]:
    sql = heatmap_sql(scale)
    summary = sql.replace(
        "SELECT * FROM cells ORDER BY name, number",
        "SELECT sector, statutory, number, self_rank, moderated_rank, COUNT(*) FROM cells "
        "GROUP BY sector, statutory, number, self_rank, moderated_rank",
    )

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(text(sql), {"cycle": cycle_id}).all(), conn.execute(text(summary), {"cycle": cycle_id}).all()

    return run


def floor_year_on_year(engine: Engine, cycle_ids: list[int], scale: RatingScale) -> Callable[[], object]:
    own = rank_case(scale, "an.rating")
    sql = f"""
        SELECT a.id, a.name, r.cycle_id, s.number, MIN({own})
        FROM audit_return r JOIN agency a ON a.id = r.agency_id
        JOIN answer an ON an.return_id = r.id
        JOIN question q ON q.id = an.question_id JOIN standard s ON s.id = q.standard_id
        WHERE r.cycle_id IN ({",".join(str(c) for c in cycle_ids)}) AND r.status IN {RATED}
              AND (a.statutory OR NOT q.statutory_only)
        GROUP BY a.id, a.name, r.cycle_id, s.number ORDER BY a.name, s.number"""

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(text(sql)).all()

    return run


def floor_progress(engine: Engine, cycle_id: int) -> Callable[[], object]:
    statements = [
        "SELECT status, COUNT(*) FROM audit_return WHERE cycle_id = :cycle GROUP BY status",
        f"""SELECT r.id, a.name, a.sector, r.status, MAX(e.new_deadline) FROM audit_return r
            JOIN agency a ON a.id = r.agency_id LEFT JOIN deadline_extension e ON e.return_id = r.id
            WHERE r.cycle_id = :cycle AND r.status IN {AWAITING} GROUP BY r.id, a.name, a.sector, r.status ORDER BY a.name""",
        """SELECT h.return_id, h.at, h.to_state FROM history_record h JOIN audit_return r ON r.id = h.return_id
           WHERE r.cycle_id = :cycle AND h.subject_type = 'return' AND h.to_state != '' ORDER BY h.at, h.id""",
        """SELECT e.id, a.name, q.ref, e.description, e.due_date FROM evidence_request e
           JOIN audit_return r ON r.id = e.return_id JOIN agency a ON a.id = r.agency_id
           LEFT JOIN question q ON q.id = e.question_id
           WHERE r.cycle_id = :cycle AND e.status = 'open' AND r.status != 'withdrawn' ORDER BY e.due_date, e.id""",
        f"""SELECT x.id, a.name, s.number, q.ref, x.description, u.name, x.target_date FROM action x
            JOIN audit_return r ON r.id = x.return_id JOIN agency a ON a.id = r.agency_id
            JOIN question q ON q.id = x.question_id JOIN standard s ON s.id = q.standard_id
            LEFT JOIN user_account u ON u.id = x.lead_user_id
            WHERE r.cycle_id = :cycle AND r.status IN {RATED} AND x.status IN ('open', 'in_progress')
            ORDER BY x.target_date, a.name, x.id""",
        """SELECT COUNT(*) FROM challenge c JOIN audit_return r ON r.id = c.return_id WHERE r.cycle_id = :cycle""",
    ]
    return _run_all(engine, statements, cycle_id)


def floor_action_plans(engine: Engine, cycle_id: int) -> Callable[[], object]:
    joined = f"""FROM action x JOIN audit_return r ON r.id = x.return_id JOIN agency a ON a.id = r.agency_id
                 JOIN question q ON q.id = x.question_id JOIN standard s ON s.id = q.standard_id
                 WHERE r.cycle_id = :cycle AND r.status IN {RATED}"""
    statements = [
        f"SELECT s.number, x.status, COUNT(*) {joined} GROUP BY s.number, x.status",
        f"SELECT r.id, a.name, a.sector, x.status, COUNT(*) {joined} GROUP BY r.id, a.name, a.sector, x.status ORDER BY a.name",
    ]
    return _run_all(engine, statements, cycle_id)


def floor_exports(engine: Engine, cycle_id: int) -> Callable[[], object]:
    of_cycle = "JOIN audit_return r ON r.id = t.return_id JOIN agency a ON a.id = r.agency_id WHERE r.cycle_id = :cycle"
    statements = [
        f"""SELECT a.name, a.sector, a.statutory, r.status, s.number, q.ref, q.text, t.rating, t.moderated_rating,
                   t.narrative, t.evidence_description, t.not_applicable_reason, t.updated_at
            FROM answer t JOIN question q ON q.id = t.question_id JOIN standard s ON s.id = q.standard_id
            {of_cycle.replace("WHERE", "WHERE")} ORDER BY a.name, s.position, q.position""",
        f"SELECT a.name, t.* FROM action t {of_cycle} ORDER BY t.id",
        f"SELECT a.name, t.* FROM challenge t {of_cycle} ORDER BY t.raised_at, t.id",
        f"SELECT a.name, t.* FROM evidence_request t {of_cycle} ORDER BY t.requested_at, t.id",
        f"SELECT a.name, t.* FROM compliance_statement t {of_cycle} ORDER BY t.signed_at",
    ]
    return _run_all(engine, statements, cycle_id)


def _run_all(engine: Engine, statements: list[str], cycle_id: int) -> Callable[[], object]:
    def run() -> object:
        with engine.connect() as conn:
            return [conn.execute(text(sql), {"cycle": cycle_id}).all() for sql in statements]

    return run


def _product(engine: Engine, report: Callable, cycle_id: int) -> Callable[[], object]:
    def run() -> object:
        with Session(engine) as session:
            return report(session, cycle_id)

    return run


def statements_of(engine: Engine, report: Callable, cycle_id: int) -> int:
    with counting(engine) as statements:
        _product(engine, report, cycle_id)()
    return len(statements)


def measure(engine: Engine, *, small: int, large: int, previous: int, scale: RatingScale, repeat: int) -> list[Figure]:
    """Each report at `large` agencies against its floor; statements at `small` and `large`."""
    floors = {
        "progress": (reports.cycle_progress, floor_progress(engine, large), 2),
        "heatmap": (reports.compliance_heatmap, floor_heatmap(engine, large, scale), 2),
        "year on year": (reports.year_on_year, floor_year_on_year(engine, [previous, large], scale), 2),
        "action plans": (reports.action_plans, floor_action_plans(engine, large), 2),
        "export sheets": (exports.cycle_sheets, floor_exports(engine, large), 3),
    }
    figures = []
    for name, (report, floor, limit) in floors.items():
        product_ms, floor_ms = interleaved(_product(engine, report, large), floor, repeat)
        counts = statements_of(engine, report, small), statements_of(engine, report, large)
        figures.append(ratio_figure(f"{name} (N agencies)", product_ms, floor_ms, limit, counts[1]))
        same = counts[0] == counts[1]
        figures.append(Figure(f"  {name}: statements at 50 / N", None, None, counts[1], "the same", same, f"50: {counts[0]}"))
    return figures
