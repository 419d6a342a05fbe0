"""The history is append-only: a change made straight in the database is found by `s11 verify-history`."""

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import HistoryRecord
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from workflow.answering import returns
from workflow.lifecycle import history


@pytest.fixture
def submitted(engine, session):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session, "wirral-questions.yaml")
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    ret = launched[0]
    answer_everything(engine, agency_user, ret.id, questions_of(session, template), rating="yes")
    act(engine, returns.submit, agency_user, ret.id, declaration_confirmed=True)
    return ret


def _record(session, ret, trigger) -> tuple[int, int]:
    """(id, seq) of the return's record for this move."""
    record = session.exec(select(HistoryRecord).where(HistoryRecord.return_id == ret.id, HistoryRecord.trigger == trigger)).one()
    return record.id, record.seq


def test_an_untouched_history_is_intact(session, submitted):
    count, problems = history.verify(session)
    assert problems == []
    assert count == len(history.for_return(session, submitted.id)) + 2  # and the cycle's create and launch


def test_editing_a_reason_in_the_database_is_detected(engine, session, submitted):
    record_id, seq = _record(session, submitted, "start")
    with engine.begin() as connection:
        connection.execute(text("UPDATE history_record SET actor_name = 'Someone Else' WHERE id = :id"), {"id": record_id})
    session.expire_all()
    _count, problems = history.verify(session)
    assert [str(p) for p in problems] == [f"return {submitted.id}, record {seq}: was changed after it was written"]


def test_deleting_a_record_in_the_middle_is_detected(engine, session, submitted):
    record_id, seq = _record(session, submitted, "start")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM history_record WHERE id = :id"), {"id": record_id})
    session.expire_all()
    _count, problems = history.verify(session)
    assert f"return {submitted.id}, record {seq}: record {seq} is missing" in [str(p) for p in problems]


def test_deleting_the_last_record_and_rewinding_the_state_is_detected(engine, session, submitted):
    record_id, _seq = _record(session, submitted, "submit")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM history_record WHERE id = :id"), {"id": record_id})
    session.expire_all()
    _count, problems = history.verify(session)
    assert [str(p) for p in problems] == [f"return {submitted.id}: is submitted but its last recorded move left it in_progress"]


def test_the_history_of_a_return_reads_back_in_order(session, submitted):
    records = history.for_return(session, submitted.id)
    assert [r.seq for r in records if r.subject_type == "return"] == list(
        range(1, 1 + sum(r.subject_type == "return" for r in records))
    )
    assert records[0].trigger == "launch" and records[-1].trigger == "submit"
    assert all(later.at >= earlier.at for earlier, later in zip(records, records[1:], strict=False))
