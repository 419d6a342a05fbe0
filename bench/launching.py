"""Launching a cycle of N agencies beside a bulk insert of the same returns, history records and
outbox rows (one executemany each, the e-mail bodies made beforehand, one commit)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from bench.measure import Figure, Lap, ratio_figure
from bench.world import LAUNCH
from models import Agency, AgencyPartnership, AuditReturn, HistoryRecord, OutboxMessage, Template, User
from models.cycle import CycleKind
from models.user import Role
from tests.factories import act
from tests.statement_log import statements_sent
from workflow import partnerships
from workflow.calendar import cycles
from workflow.people import users


def measure(engine: Engine, template: Template, agencies: int) -> list[Figure]:
    coordinator, agency_ids = _agencies(engine, agencies)
    ours, theirs = (
        _draft(engine, coordinator, template, agency_ids, "Launch"),
        _draft(engine, coordinator, template, agency_ids, "Floor"),
    )
    lap = Lap()
    with statements_sent(engine) as statements:
        lap.product(lambda: act(engine, cycles.launch, coordinator, ours))
    lap.floor(lambda: _bulk_insert(engine, theirs, agency_ids))
    return [ratio_figure(f"launch {agencies} agencies", lap.product_ms, lap.floor_ms, 10, len(statements))]


def _agencies(engine: Engine, count: int) -> tuple[User, list[int]]:
    with Session(engine, expire_on_commit=False) as session:
        coordinator = users.add_user(
            session, None, email="launch.bench@example.org", name="Launch Bench", roles={Role.COORDINATOR}
        )
        session.execute(
            insert(Agency),
            [
                {
                    "name": f"Launch agency {i:05d}",
                    "sector": "Health",
                    "statutory": True,
                    "contact_name": "Contact",
                    "contact_email": f"launch{i}@example.org",
                    "executive_name": "Chief",
                    "executive_email": f"chief.l{i}@example.org",
                    "active": True,
                }
                for i in range(count)
            ],
        )
        ids = list(session.exec(select(Agency.id).where(Agency.name.startswith("Launch agency "))))
        # In the deployment's first partnership, as agencies added by its coordinator would be.
        home = partnerships.home_partnership(session, None)
        session.execute(insert(AgencyPartnership), [{"agency_id": a, "partnership_id": home} for a in ids])
        session.commit()
        return coordinator, ids


def _draft(engine: Engine, coordinator: User, template: Template, agency_ids: list[int], name: str) -> int:
    dates = cycles.CycleDates(
        opens_on=LAUNCH,
        submission_deadline=LAUNCH + timedelta(days=42),
        qa_window_ends=LAUNCH + timedelta(days=70),
        action_plan_review=LAUNCH + timedelta(days=180),
        statement_deadline=LAUNCH + timedelta(days=200),
    )
    made = act(
        engine,
        cycles.create_cycle,
        coordinator,
        name=name,
        kind=CycleKind.FULL_AUDIT,
        template_id=template.id,
        dates=dates,
        agency_ids=agency_ids,
    )
    return made.id


def _bulk_insert(engine: Engine, cycle_id: int, agency_ids: list[int]) -> None:
    now = datetime.now(UTC)
    with Session(engine) as session:
        ids = (
            session.execute(
                insert(AuditReturn).returning(AuditReturn.id, sort_by_parameter_order=True),
                [
                    {
                        "cycle_id": cycle_id,
                        "agency_id": a,
                        "status": "invited",
                        "version_id": 1,
                        "declaration": "",
                        "created_at": now,
                        "last_activity_at": now,
                    }
                    for a in agency_ids
                ],
            )
            .scalars()
            .all()
        )
        session.execute(
            insert(HistoryRecord),
            [
                {
                    "subject_type": "return",
                    "subject_id": r,
                    "seq": 1,
                    "return_id": r,
                    "actor_name": "Bench",
                    "at": now,
                    "trigger": "launch",
                    "from_state": "",
                    "to_state": "invited",
                    "reason": "",
                    "details": {"cycle": "Floor"},
                    "prev_hash": "0" * 64,
                    "hash": "1" * 64,
                }
                for r in ids
            ],
        )
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": "invitation",
                    "to_email": f"launch{r}@example.org",
                    "to_name": "Contact",
                    "subject": f"Section 11 audit Floor: return {r}",
                    "text_body": f"Dear Contact, return {r} " * 20,
                    "html_body": f"<p>Dear Contact, return {r}</p>" * 20,
                    "context": {"return_id": r},
                    "return_id": r,
                }
                for r in ids
            ],
        )
        session.commit()
