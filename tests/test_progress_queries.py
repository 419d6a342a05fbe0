"""The progress page reads in a fixed number of queries, however many agencies take part."""

from datetime import timedelta

from sqlmodel import Session, select

from models import AuditReturn
from models.audit_return import ReturnState
from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle
from tests.statement_log import statements_sent
from workflow.calendar import deadlines, progress


def _queries_for(engine, cycle_id: int, **filters) -> tuple[int, progress.CycleProgress]:
    with statements_sent(engine) as statements, Session(engine) as session:
        report = progress.cycle_progress(session, cycle_id, **filters)
    return len(statements), report


def test_progress_reads_the_same_number_of_queries_for_2_or_8_agencies(engine, session):
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    template = install_template(session)
    small = [add_agency(session, name=f"Small {i}") for i in range(2)]
    large = [add_agency(session, name=f"Large {i}", sector="Police" if i % 2 else "Health") for i in range(8)]
    small_cycle, _ = launch_cycle(engine, coordinator, small, template=template, name="Small cycle")
    large_cycle, launched = launch_cycle(engine, coordinator, large, template=template, name="Large cycle")
    act(
        engine,
        deadlines.extend_deadline,
        coordinator,
        launched[0].id,
        new_deadline=large_cycle.submission_deadline + timedelta(days=7),
        reason="Staff absence",
    )

    small_count, small_report = _queries_for(engine, small_cycle.id)
    large_count, large_report = _queries_for(engine, large_cycle.id)
    filtered_count, filtered = _queries_for(engine, large_cycle.id, sector="Police")

    assert small_count == large_count
    assert filtered_count == large_count + 1  # the whole cycle's overdue count, beside the filtered rows
    assert large_report.total == 8 and large_report.by_state[ReturnState.INVITED] == 8
    assert len(filtered.rows) == 4 and filtered.total == 8
    extended = next(r for r in large_report.rows if r.return_id == launched[0].id)
    assert extended.extended and extended.deadline == large_cycle.submission_deadline + timedelta(days=7)


def test_overdue_counts_the_extended_deadline(engine, session):
    from freezegun import freeze_time

    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    template = install_template(session)
    agencies = [add_agency(session, name=f"Agency {i}", sector="Health") for i in range(3)]
    cycle, launched = launch_cycle(engine, coordinator, agencies, template=template)
    act(
        engine,
        deadlines.extend_deadline,
        coordinator,
        launched[0].id,
        new_deadline=cycle.submission_deadline + timedelta(days=10),
        reason="Staff absence",
    )

    with freeze_time(cycle.submission_deadline + timedelta(days=2)):
        _, whole = _queries_for(engine, cycle.id)
        _, filtered = _queries_for(engine, cycle.id, sector="Health")
    assert whole.overdue == 2
    assert filtered.overdue == 2
    assert [r.overdue for r in whole.rows].count(True) == 2
    session.expire_all()
    assert len(session.exec(select(AuditReturn)).all()) == 3
