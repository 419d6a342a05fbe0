"""How many SQL statements saving one answer takes, from the standard's page or on its own
(issue 8's target: at most 4, because one read finds everything the save needs)."""

from pathlib import Path

from sqlmodel import Session

from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle, questions_of
from tests.statement_log import statements_sent
from workflow.answering import returns
from workflow.answering.evidence_storage import FolderStore
from workflow.answering.standard_answers import AnswerInput, save_standard
from workflow.answering.versions import answer_fingerprint

TODAY = 4  # hold the return and take its version (1), read it all at once (1), the answer and its sealed record (2)


def test_saving_one_changed_answer_takes_a_bounded_number_of_statements(engine, session, tmp_path: Path):
    alex, ret, first = _return_begun(engine, session)
    with statements_sent(engine, first_words=True) as statements:
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
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == ["UPDATE", "INSERT", "INSERT"]  # hold (and the return's version), the answer, history
    assert len(statements) <= TODAY, statements


def test_saving_one_answer_on_its_own_takes_four_statements(engine, session):
    alex, ret, first = _return_begun(engine, session)
    with statements_sent(engine, first_words=True) as statements:
        act(engine, returns.save_answer, alex, ret.id, first.id, rating="fully_met", narrative="A named lead")
    assert statements == ["SELECT", "INSERT", "UPDATE", "INSERT"]  # the one read, the answer, the return's version, history


def _return_begun(engine, session):
    """Alex's return in a launched cycle with its second answer saved; the first still to answer."""
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    alex = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session)
    _cycle, (ret,) = launch_cycle(engine, coordinator, [agency], template=template)
    first, second, *_ = questions_of(session, template)
    act(engine, returns.save_answer, alex, ret.id, second.id, rating="partly_met", narrative="Started")
    return alex, ret, first

