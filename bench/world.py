"""The benchmark's partnerships: the default template (8 standards, 41 questions) and a
coordinator once per database, and cycles of N agencies written in bulk by the builder the
report tests share (`tests/bulk_world.py`); and a deployment of several partnerships, each with
its own agencies and cycle.
"""

from sqlalchemy import Engine, update
from sqlmodel import Session, select

from models import AgencyPartnership, AuditReturn, Cycle, Template, User
from models.user import Role
from tests.bulk_world import LAUNCH, READ_ON, STATES, at, bulk_cycle
from workflow import partnerships as workflow_partnerships
from workflow.people import users
from workflow.templates import installing as templates
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH

__all__ = ["LAUNCH", "READ_ON", "STATES", "at", "base", "bulk_cycle", "partnerships_of_cycles", "settle"]


def base(engine: Engine) -> tuple[Template, User]:
    """The default template and a coordinator, once per database."""
    with Session(engine, expire_on_commit=False) as session:
        template = templates.install_file(session, None, DEFAULT_TEMPLATE_PATH)
        user = users.add_user(
            session, None, email="bench.coordinator@example.org", name="Bench Coordinator", roles={Role.COORDINATOR}
        )
        session.commit()
        return template, user


def partnerships_of_cycles(engine: Engine, *, partnerships: int, agencies: int, template: Template, user: User) -> list[int]:
    """A deployment of `partnerships` partnerships of `agencies` agencies each, each with a cycle of its
    own: the first is the deployment's first partnership (whose the template and `user` are), the
    others are added. Returns the cycle ids, the first partnership's first."""
    cycles = []
    for number in range(partnerships):
        cycle_id = bulk_cycle(engine, name=f"Partnership {number + 1} audit", agencies=agencies, template=template, user=user)
        with Session(engine) as session:
            home = workflow_partnerships.home_partnership(session, None)
            own = home if number == 0 else workflow_partnerships.add_partnership(session, f"Partnership {number + 1}").id
            session.execute(update(Cycle).where(Cycle.id == cycle_id).values(partnership_id=own))
            of_cycle = select(AuditReturn.agency_id).where(AuditReturn.cycle_id == cycle_id)
            links = update(AgencyPartnership).where(AgencyPartnership.agency_id.in_(of_cycle))
            session.execute(links.values(partnership_id=own))
            session.commit()
        cycles.append(cycle_id)
    return cycles


def settle(engine: Engine) -> None:
    """After a bulk load, as a live database would be: SQLite's log folded in, statistics known.

    A live PostgreSQL analyzes a table soon after a tenth of it changed (autovacuum); this
    machine's server has autovacuum off, so a world just written in bulk has no statistics, and
    the planner, guessing a handful of rows per cycle, joins a thousand returns to every history
    record one by one (the progress page's history read took 1.4 s instead of 5 ms)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
