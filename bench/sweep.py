"""The daily reminder sweep at 10,000 and 100,000 open items with the same 100 due, beside the
SELECT of those 100 and the INSERT of their e-mails. Only due rows should be read: the time stays
flat as open items far from their dates pile up."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, bindparam, insert, text
from sqlmodel import Session, select

from bench import world
from bench.measure import Figure, Lap
from models import Action, Agency, AuditReturn, Cycle, Template, User
from models.user import Role
from schedules.jobs import DAILY_STEPS
from tests.statement_log import statements_sent
from workflow.people import users

ON = date(2026, 6, 1)
DUE = 100
RETURNS = 1000
FLOOR = """SELECT x.id, x.description, x.target_date, u.email, u.name, a.name, c.name FROM action x
           JOIN audit_return r ON r.id = x.return_id JOIN agency a ON a.id = r.agency_id JOIN cycle c ON c.id = r.cycle_id
           LEFT JOIN user_account u ON u.id = x.lead_user_id
           WHERE x.status IN ('open', 'in_progress') AND x.target_date <= :until
                 AND r.status IN ('action_plan_open', 'compliance_statement_signed')"""
OUTBOX = """INSERT INTO outbox_message (kind, dedupe_key, to_email, to_name, subject, text_body, html_body, context, return_id,
            status, attempts, next_attempt_at, last_error, provider_message_id, created_at, claim_token)
            VALUES ('action_reminder', :key, :email, :name, 'Subject', 'Body', '', '{}', NULL, 'pending', 0, :at, '', '',
            :at, '')"""


def measure(engine: Engine, template: Template, sizes: list[int], repeat: int = 5) -> list[Figure]:
    lead, return_ids = _plans(engine, template)
    figures, times = [], []
    made = 0
    for size in sizes:
        _actions(engine, lead, return_ids, first=made, count=size - made)
        made = size
        world.settle(engine)
        if size == sizes[0]:
            _warm(engine)
        lap = Lap()
        statements = 0
        for _ in range(repeat):
            with statements_sent(engine) as counted:
                lap.product(lambda: _sweep(engine))
            statements = len(counted)
            lap.floor(lambda: _floor(engine))
        times.append(lap.product_ms)
        met = lap.product_ms < 100
        figures.append(
            Figure(f"sweep, {size:,} open items, {DUE} due", lap.product_ms, lap.floor_ms, statements, "< 100 ms", met)
        )
    growth = times[-1] / times[0]
    figures.append(
        Figure(
            f"  sweep time at {sizes[-1]:,} / at {sizes[0]:,}",
            None,
            None,
            None,
            "flat (<= 1.5x)",
            growth <= 1.5,
            f"{growth:.2f}x",
        )
    )
    return figures


def _warm(engine: Engine) -> None:
    """One untimed sweep and floor first, as the scheduler's long-lived process would have run:
    otherwise the first size alone pays the process's one-time costs (the engine's first
    connection to the new database, SQL compiled, e-mail templates compiled, the driver's
    statements prepared after their fifth run), and the second size looked faster than the first."""
    _sweep(engine)
    _floor(engine)


def _sweep(engine: Engine) -> None:
    """Every step of the daily job, each rolled back so the next run finds the same work."""
    with Session(engine) as session:
        for step in DAILY_STEPS:
            step(session, ON)
            session.flush()
        session.rollback()


def _floor(engine: Engine) -> None:
    now = datetime.now(UTC)
    with engine.connect() as conn:
        rows = conn.execute(text(FLOOR), {"until": ON + timedelta(days=7)}).all()
        conn.execute(text(OUTBOX), [{"key": f"floor:{r[0]}", "email": r[3], "name": r[4], "at": now} for r in rows])
        conn.rollback()


def _plans(engine: Engine, template: Template) -> tuple[User, list[int]]:
    """An open cycle of live action plans whose submission and statement dates are long past or far off."""
    with Session(engine, expire_on_commit=False) as session:
        lead = users.add_user(session, None, email="sweep.lead@example.org", name="Sweep Lead", roles={Role.COORDINATOR})
        cycle = Cycle(
            name="Sweep",
            template_id=template.id,
            status="open",
            opens_on=ON - timedelta(days=120),
            submission_deadline=ON - timedelta(days=60),
            qa_window_ends=ON - timedelta(days=30),
            action_plan_review=ON + timedelta(days=100),
            statement_deadline=ON + timedelta(days=200),
            launched_at=datetime(ON.year, ON.month, ON.day, tzinfo=UTC) - timedelta(days=120),
        )
        session.add(cycle)
        session.flush()
        session.execute(
            insert(Agency),
            [
                {
                    "name": f"Sweep agency {i:05d}",
                    "sector": "Health",
                    "statutory": True,
                    "contact_name": "Contact",
                    "contact_email": f"sweep{i}@example.org",
                    "executive_name": "Chief",
                    "executive_email": f"chief.s{i}@example.org",
                    "active": True,
                }
                for i in range(RETURNS)
            ],
        )
        agencies = session.exec(select(Agency.id).where(Agency.name.startswith("Sweep agency "))).all()
        session.execute(
            insert(AuditReturn),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": a,
                    "status": "action_plan_open",
                    "version_id": 1,
                    "declaration": "",
                    "created_at": cycle.launched_at,
                    "last_activity_at": cycle.launched_at,
                }
                for a in agencies
            ],
        )
        return_ids = list(session.exec(select(AuditReturn.id).where(AuditReturn.cycle_id == cycle.id)))
        session.commit()
        return lead, return_ids


def _actions(engine: Engine, lead: User, return_ids: list[int], *, first: int, count: int) -> None:
    """`count` more open actions, far from their dates, except the first DUE ever made (due in three
    days): one INSERT ... SELECT over a numbered series, spread over the returns in turn."""
    columns = Action.__table__.c
    statement = text(
        """
        WITH RECURSIVE n(i) AS (SELECT CAST(:first AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < :last),
        plans AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM audit_return WHERE id IN :returns)
        INSERT INTO action (return_id, question_id, description, lead_user_id, target_date, status,
                            created_by_id, created_at, closing_reason)
        SELECT plans.id, (SELECT id FROM question ORDER BY id LIMIT 1), 'Train the staff', :lead,
               CASE WHEN n.i < :due THEN :near ELSE :far END, 'open', :lead, :made, ''
        FROM n JOIN plans ON plans.k = n.i % :plans"""
    ).bindparams(
        bindparam("returns", expanding=True),
        bindparam("near", type_=columns.target_date.type),
        bindparam("far", type_=columns.target_date.type),
        bindparam("made", type_=columns.created_at.type),
    )
    with engine.begin() as conn:
        conn.execute(
            statement,
            {
                "first": first,
                "last": first + count - 1,
                "returns": return_ids,
                "plans": len(return_ids),
                "lead": lead.id,
                "due": DUE,
                "near": ON + timedelta(days=3),
                "far": ON + timedelta(days=300),
                "made": datetime(ON.year, ON.month, ON.day, tzinfo=UTC) - timedelta(days=60),
            },
        )
