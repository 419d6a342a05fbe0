"""The Board's figures at 1,000 agencies, each beside the GROUP BY (or plain SELECT) that computes
the same table on a bare connection, and the statements each report runs at 50 and at N agencies."""

import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.measure import Figure, interleaved, ratio_figure
from tests.statement_log import statements_sent
from workflow.clock import today
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


def score_case(scale: RatingScale, column: str) -> str:
    """Each value's score (NULL for Not applicable or an unscored scale), so SUM and COUNT give a mean."""
    if any(item.score is None for item in scale.values):
        return "CAST(NULL AS FLOAT)"
    return f"CASE {column} " + " ".join(f"WHEN '{item.value}' THEN {item.score!r}" for item in scale.values) + " END"


def met_case(scale: RatingScale, column: str) -> str:
    met = [f"'{item.value}'" for item in scale.values if scale.meets(item)]
    return f"CASE WHEN {column} IN ({', '.join(met)}) THEN 1 ELSE 0 END" if met else "0"


def band_sums(scale: RatingScale, column: str, prefix: str) -> list[str]:
    """On a numeric scale, how many scores fell in each band."""
    if not scale.numeric:
        return []
    starts = scale.band_starts()
    score = score_case(scale, column)
    sums = []
    for i, start in enumerate(starts):
        below = f" AND {score} < {starts[i + 1]!r}" if i + 1 < len(starts) else ""
        sums.append(f"SUM(CASE WHEN {score} >= {start!r}{below} THEN 1 ELSE 0 END) AS {prefix}{i}")
    return sums


def measure_sums(scale: RatingScale, rated: str, after: str) -> list[str]:
    """What the measures shown are made of, self-assessed and moderated: how many scored, their
    total (so the mean), how many met, and the bands of a numeric scale."""
    return [
        f"COUNT({score_case(scale, rated)}) AS scored",
        f"SUM({score_case(scale, rated)}) AS total",
        f"SUM({met_case(scale, rated)}) AS met",
        f"COUNT({score_case(scale, after)}) AS m_scored",
        f"SUM({score_case(scale, after)}) AS m_total",
        f"SUM({met_case(scale, after)}) AS m_met",
        *band_sums(scale, rated, "band"),
        *band_sums(scale, after, "m_band"),
    ]


def joined_strings(dialect: str, expression: str) -> str:
    return f"string_agg({expression}, ',')" if dialect == "postgresql" else f"group_concat({expression}, ',')"


AFTER_QA = "COALESCE(NULLIF(an.moderated_rating, ''), an.rating)"


def heatmap_sql(scale: RatingScale, dialect: str) -> tuple[str, str]:
    """What the heatmap shows, cell by cell (each return and standard): the weakest element
    self-assessed and after QA, the measures of its elements both ways (how many scored, mean,
    share met, bands), how many QA moderated down and the refs it moderated; and the summary by
    sector and duty: how many agencies gave each weakest rating, with the measures added up.
    (The medians are not here: SQLite has no median aggregate. The product works them out from
    the counts of each value, so this floor is, if anything, a little less than the page's work.)"""
    own, moderated = rank_case(scale, "an.rating"), rank_case(scale, AFTER_QA)
    down = f"SUM(CASE WHEN {rank_case(scale, 'an.moderated_rating')} < {own} THEN 1 ELSE 0 END)"
    refs = joined_strings(dialect, "CASE WHEN an.moderated_rating <> '' THEN q.ref END")
    sums = measure_sums(scale, "an.rating", AFTER_QA)
    cells = f"""
        WITH cells AS (
          SELECT r.id AS return_id, a.name, a.sector, a.statutory, s.number,
                 MIN({own}) AS self_rank, MIN({moderated}) AS moderated_rank, {", ".join(sums)},
                 {down} AS moderated_down, {refs} AS moderated_refs
          FROM audit_return r JOIN agency a ON a.id = r.agency_id
          JOIN answer an ON an.return_id = r.id
          JOIN question q ON q.id = an.question_id JOIN standard s ON s.id = q.standard_id
          WHERE r.cycle_id = :cycle AND r.status IN {RATED} AND (a.statutory OR NOT q.statutory_only)
          GROUP BY r.id, a.name, a.sector, a.statutory, s.number)"""
    names = [column.rsplit(" AS ", 1)[1] for column in sums]
    summary = (
        "SELECT sector, statutory, number, self_rank, moderated_rank, COUNT(*), "
        + ", ".join(f"SUM({name})" for name in names)
        + " FROM cells GROUP BY sector, statutory, number, self_rank, moderated_rank"
    )
    return cells + " SELECT * FROM cells ORDER BY name, number", cells + " " + summary


def floor_heatmap(engine: Engine, cycle_id: int, scale: RatingScale) -> Callable[[], object]:
    sql, summary = heatmap_sql(scale, engine.dialect.name)

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(text(sql), {"cycle": cycle_id}).all(), conn.execute(text(summary), {"cycle": cycle_id}).all()

    return run


def floor_year_on_year(engine: Engine, cycle_ids: list[int], scale: RatingScale) -> Callable[[], object]:
    """What year on year shows: each agency's weakest self-assessed element per standard and cycle
    (with the standard's mean on a numeric scale), and each cycle's measures per standard over
    every agency, self-assessed and moderated (medians aside, as in the heatmap's floor)."""
    own = rank_case(scale, "an.rating")
    means = f", COUNT({score_case(scale, 'an.rating')}), SUM({score_case(scale, 'an.rating')})" if scale.numeric else ""
    joined = f"""FROM audit_return r JOIN agency a ON a.id = r.agency_id
        JOIN answer an ON an.return_id = r.id
        JOIN question q ON q.id = an.question_id JOIN standard s ON s.id = q.standard_id
        WHERE r.cycle_id IN ({",".join(str(c) for c in cycle_ids)}) AND r.status IN {RATED}
              AND (a.statutory OR NOT q.statutory_only)"""
    cells = f"""
        SELECT a.id, a.name, r.cycle_id, s.number, MIN({own}){means} {joined}
        GROUP BY a.id, a.name, r.cycle_id, s.number ORDER BY a.name, s.number"""
    standards = f"""
        SELECT r.cycle_id, s.number, {", ".join(measure_sums(scale, "an.rating", AFTER_QA))} {joined}
        GROUP BY r.cycle_id, s.number"""

    def run() -> object:
        with engine.connect() as conn:
            return conn.execute(text(cells)).all(), conn.execute(text(standards)).all()

    return run


def floor_progress(engine: Engine, cycle_id: int) -> Callable[[], object]:
    """What the progress page shows: returns by state, the overdue returns with their extensions,
    the moves the states over time replay, overdue evidence and actions, and what the response
    times are worked out from (launch to submission comes from the moves)."""
    statements = [
        "SELECT status, COUNT(*) FROM audit_return WHERE cycle_id = :cycle GROUP BY status",
        f"""SELECT r.id, a.name, a.sector, r.status, MAX(e.new_deadline) FROM audit_return r
            JOIN agency a ON a.id = r.agency_id LEFT JOIN deadline_extension e ON e.return_id = r.id
            WHERE r.cycle_id = :cycle AND r.status IN {AWAITING} GROUP BY r.id, a.name, a.sector, r.status ORDER BY a.name""",
        """SELECT h.return_id, h.at, h.trigger, h.to_state FROM history_record h JOIN audit_return r ON r.id = h.return_id
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
        # The response times: the evidence provided and the challenges answered, with their times.
        """SELECT e.requested_at, e.provided_at FROM evidence_request e JOIN audit_return r ON r.id = e.return_id
           WHERE r.cycle_id = :cycle AND e.provided_at IS NOT NULL""",
        """SELECT c.raised_at, c.responded_at FROM challenge c JOIN audit_return r ON r.id = c.return_id
           WHERE r.cycle_id = :cycle AND c.responded_at IS NOT NULL""",
    ]
    return _run_all(engine, statements, cycle_id)


def floor_action_plans(engine: Engine, cycle_id: int) -> Callable[[], object]:
    """What the action plans page shows: actions by standard and status, and by agency and status,
    with how many of the live ones are overdue; actions taken out of a draft plan not counted."""
    joined = f"""FROM action x JOIN audit_return r ON r.id = x.return_id JOIN agency a ON a.id = r.agency_id
                 JOIN question q ON q.id = x.question_id JOIN standard s ON s.id = q.standard_id
                 WHERE r.cycle_id = :cycle AND r.status IN {RATED}
                   AND NOT (x.status = 'cancelled' AND (r.submitted_at IS NULL OR x.closed_at <= r.submitted_at))"""
    overdue = "SUM(CASE WHEN x.status IN ('open', 'in_progress') AND x.target_date < :today THEN 1 ELSE 0 END)"
    statements = [
        f"SELECT s.number, x.status, COUNT(*), {overdue} {joined} GROUP BY s.number, x.status",
        f"SELECT r.id, a.name, a.sector, x.status, COUNT(*), {overdue} {joined} "
        "GROUP BY r.id, a.name, a.sector, x.status ORDER BY a.name",
    ]
    return _run_all(engine, statements, cycle_id, today=today())


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


def _run_all(engine: Engine, statements: list[str], cycle_id: int, **more: object) -> Callable[[], object]:
    def run() -> object:
        with engine.connect() as conn:
            return [conn.execute(text(sql), {"cycle": cycle_id, **more}).all() for sql in statements]

    return run


def _product(engine: Engine, report: Callable, cycle_id: int) -> Callable[[], object]:
    def run() -> object:
        with Session(engine) as session:
            return report(session, cycle_id)

    return run


def statements_of(engine: Engine, report: Callable, cycle_id: int) -> int:
    with statements_sent(engine) as statements:
        _product(engine, report, cycle_id)()
    return len(statements)


QUICK_MS = 100  # a report quicker than this is timed three times as often: its median is steadier


def _untimed_turn(product: Callable[[], object], floor: Callable[[], object]) -> float:
    """One turn of each before the timed ones (statements compiled, pages of the file in memory),
    and how long the product took, in milliseconds."""
    started = time.perf_counter()
    product()
    took = (time.perf_counter() - started) * 1000
    floor()
    return took


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
        product = _product(engine, report, large)
        runs = repeat * 3 if _untimed_turn(product, floor) < QUICK_MS else repeat
        product_ms, floor_ms = interleaved(product, floor, runs)
        counts = statements_of(engine, report, small), statements_of(engine, report, large)
        figures.append(ratio_figure(f"{name} (N agencies)", product_ms, floor_ms, limit, counts[1]))
        same = counts[0] == counts[1]
        figures.append(Figure(f"  {name}: statements at 50 / N", None, None, counts[1], "the same", same, f"50: {counts[0]}"))
    return figures
