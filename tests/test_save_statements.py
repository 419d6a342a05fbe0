"""How many SQL statements saving one answer of a standard takes (issue 8's target is at most 4;
this keeps the count from growing while the save path is made right first)."""

from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle, questions_of
from workflow.answering import returns
from workflow.answering.evidence_storage import FolderStore
from workflow.answering.standard_answers import AnswerInput, save_standard
from workflow.answering.versions import answer_fingerprint

TODAY = 18  # hold the return (1), read it and its content (13), write the answer and its sealed record (4)


def test_saving_one_changed_answer_takes_a_bounded_number_of_statements(engine, session, tmp_path: Path):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    alex = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session)
    _cycle, (ret,) = launch_cycle(engine, coordinator, [agency], template=template)
    first, second, *_ = questions_of(session, template)
    act(engine, returns.save_answer, alex, ret.id, second.id, rating="partly_met", narrative="Started")
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        with Session(engine, expire_on_commit=False) as saving:
            typed = AnswerInput(first.id, "fully_met", "A named lead", "Minutes", seen=answer_fingerprint(None))
            save_standard(
                saving,
                alex,
                ret.id,
                first.standard_id,
                answers=[typed],
                actions=[],
                uploads=[],
                store=FolderStore(tmp_path),
            )
            saving.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == ["UPDATE", "INSERT", "UPDATE", "INSERT"]  # hold, the answer, the return's version, history
    assert len(statements) <= TODAY, statements
