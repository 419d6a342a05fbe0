"""The history cannot be rewritten unseen: each way someone with write access to the database
might try it (raw SQL, on SQLite and PostgreSQL) is found by `verify` with the key, and the
rewinds, which leave a whole but shorter chain, by a checkpoint kept outside the database.
Each problem is named once."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import Answer, HistoryRecord, SubmissionCopy, User
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from workflow.answering import returns, submission_copies
from workflow.lifecycle import checkpoints, history
from workflow.review import qa


@pytest.fixture
def submitted(engine, session):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session, "wirral-questions.yaml")
    cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    ret = launched[0]
    answer_everything(engine, agency_user, ret.id, questions_of(session, template), rating="yes")
    act(engine, returns.submit, agency_user, ret.id, declaration_confirmed=True)
    return Submitted(ret.id, cycle.id, questions_of(session, template))


@dataclass
class Submitted:
    id: int
    cycle_id: int
    questions: list


def tamper(engine, sql: str, **params) -> None:
    """Raw SQL as the database's owner would run it (on PostgreSQL, past the append-only trigger)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(text(sql), params)


def problems_of(session, *, checkpoint=None) -> list[str]:
    session.expire_all()
    chains = history.read_chains(session)
    _count, problems = history.verify(session, chains)
    if checkpoint is not None:
        problems += checkpoints.compare(checkpoint, chains, problems)
    return [str(p) for p in problems]


@dataclass(frozen=True)
class Seen:
    id: int
    seq: int


def _record(session, ret, trigger) -> Seen:
    """The id and number of the return's record of this move, as read before any tampering."""
    record = session.exec(
        select(HistoryRecord).where(HistoryRecord.return_id == ret.id, HistoryRecord.trigger == trigger)
    ).first()
    return Seen(record.id, record.seq)


def _chain(session, ret) -> list[HistoryRecord]:
    session.expire_all()
    return list(
        session.exec(
            select(HistoryRecord)
            .where(HistoryRecord.subject_type == "return", HistoryRecord.subject_id == ret.id)
            .order_by(HistoryRecord.seq)
        )
    )


def _plain_sha256(record: HistoryRecord) -> str:
    """What anyone could compute from the documented fields, without the key."""
    return hashlib.sha256(history._canonical(record)).hexdigest()


def test_an_untouched_history_is_intact(session, submitted):
    count, problems = history.verify(session)
    assert problems == []
    assert count == len(history.for_return(session, submitted.id)) + 2  # and the cycle's create and launch


def test_editing_an_actors_name_in_the_database_is_detected(engine, session, submitted):
    record = _record(session, submitted, "start")
    tamper(engine, "UPDATE history_record SET actor_name = 'Someone Else' WHERE id = :id", id=record.id)
    assert problems_of(session) == [
        f"return {submitted.id}, record {record.seq}: was changed or added outside the product: "
        "its seal does not match the history's key"
    ]


def test_editing_a_reason_in_the_database_is_detected(engine, session, submitted):
    record = _record(session, submitted, "submit")
    tamper(engine, "UPDATE history_record SET reason = 'Submitted by mistake' WHERE id = :id", id=record.id)
    assert problems_of(session) == [
        f"return {submitted.id}, record {record.seq}: was changed or added outside the product: "
        "its seal does not match the history's key"
    ]


def test_a_record_inserted_with_a_freshly_computed_hash_is_detected(engine, session, submitted):
    last = _chain(session, submitted)[-1]
    session.expunge(last)
    forged = HistoryRecord(
        subject_type="return",
        subject_id=submitted.id,
        seq=last.seq + 1,
        return_id=submitted.id,
        actor_id=None,
        actor_name="Quinn Reviewer",
        at=last.at,
        trigger="accept",
        from_state="submitted",
        to_state="action_plan_open",
        reason="Looks fine",
        details={},
        prev_hash=last.hash,
        hash="",
    )
    tamper(
        engine,
        "INSERT INTO history_record (subject_type, subject_id, seq, return_id, actor_name, at, trigger, from_state, "
        "to_state, reason, details, prev_hash, hash) VALUES ('return', :sid, :seq, :sid, 'Quinn Reviewer', :at, "
        "'accept', 'submitted', 'action_plan_open', 'Looks fine', '{}', :prev, :hash)",
        sid=submitted.id,
        seq=forged.seq,
        at=last.at,
        prev=last.hash,
        hash=_plain_sha256(forged),
    )
    tamper(engine, "UPDATE audit_return SET status = 'action_plan_open' WHERE id = :id", id=submitted.id)
    assert problems_of(session) == [
        f"return {submitted.id}, record {forged.seq}: was changed or added outside the product: "
        "its seal does not match the history's key"
    ]


def test_a_past_record_rewritten_with_every_later_record_rehashed_is_one_problem(engine, session, submitted):
    chain = _chain(session, submitted)
    last_seq = chain[-1].seq
    start = next(r for r in chain if r.trigger == "start")
    start_seq = start.seq
    previous = next(r for r in chain if r.seq == start.seq - 1).hash
    for record in [r for r in chain if r.seq >= start.seq]:
        if record.seq == start.seq:
            record.actor_name = "Someone Else"
        record.prev_hash = previous
        record.hash = _plain_sha256(record)
        tamper(
            engine,
            "UPDATE history_record SET actor_name = :name, prev_hash = :prev, hash = :hash WHERE id = :id",
            name=record.actor_name,
            prev=record.prev_hash,
            hash=record.hash,
            id=record.id,
        )
        previous = record.hash
    assert problems_of(session) == [
        f"return {submitted.id}: records {start_seq} to {last_seq} were changed or added outside the product: "
        "their seal does not match the history's key"
    ]


def test_deleting_one_record_in_the_middle_is_one_problem(engine, session, submitted):
    record = _record(session, submitted, "start")
    tamper(engine, "DELETE FROM history_record WHERE id = :id", id=record.id)
    assert problems_of(session) == [f"return {submitted.id}, record {record.seq}: is missing (deleted from the database)"]


def test_deleting_the_last_move_and_setting_the_status_back_is_found_by_the_checkpoint(engine, session, submitted):
    checkpoint = checkpoints.take(history.read_chains(session))
    submit = _record(session, submitted, "submit")
    tamper(engine, "DELETE FROM history_record WHERE id = :id", id=submit.id)
    tamper(engine, "UPDATE audit_return SET status = 'in_progress' WHERE id = :id", id=submitted.id)
    # The frozen copy's sealed record is gone, so the copy gives it away...
    assert problems_of(session) == [f"return {submitted.id}: the frozen copy of submission 1 is not the one its history sealed"]
    tamper(engine, "DELETE FROM submission_copy WHERE return_id = :id", id=submitted.id)
    assert problems_of(session) == []  # ...until it is deleted too: a whole, shorter chain, and nothing inside can tell
    assert problems_of(session, checkpoint=checkpoint) == [
        f"return {submitted.id}: record {submit.seq} was deleted since the checkpoint of {checkpoint.made_at:%d %B %Y %H:%M} UTC"
    ]


def test_undoing_a_qa_acceptance_is_found_by_the_checkpoint(engine, session, submitted):
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    act(engine, qa.accept, reviewer, submitted.id)
    checkpoint = checkpoints.take(history.read_chains(session))
    accept = _record(session, submitted, "accept")
    tamper(engine, "DELETE FROM history_record WHERE id = :id", id=accept.id)
    tamper(engine, "UPDATE audit_return SET status = 'submitted' WHERE id = :id", id=submitted.id)
    assert [p for p in problems_of(session, checkpoint=checkpoint) if p.startswith(f"return {submitted.id}:")] == [
        f"return {submitted.id}: record {accept.seq} was deleted since the checkpoint of {checkpoint.made_at:%d %B %Y %H:%M} UTC"
    ]


def test_deleting_the_last_record_that_was_not_a_move_is_found_by_the_checkpoint(engine, session, submitted):
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    question = submitted.questions[0]
    act(engine, qa.moderate, reviewer, submitted.id, question.id, rating="no")
    checkpoint = checkpoints.take(history.read_chains(session))
    moderation = _record(session, submitted, "moderate")
    tamper(engine, "DELETE FROM history_record WHERE id = :id", id=moderation.id)
    tamper(engine, "UPDATE answer SET moderated_rating = NULL WHERE return_id = :id", id=submitted.id)
    assert problems_of(session) == []
    assert problems_of(session, checkpoint=checkpoint) == [
        f"return {submitted.id}: record {moderation.seq} was deleted since the checkpoint of "
        f"{checkpoint.made_at:%d %B %Y %H:%M} UTC"
    ]


def test_deleting_a_cycles_whole_history_is_detected(engine, session, submitted):
    checkpoint = checkpoints.take(history.read_chains(session))
    cycle_id = submitted.cycle_id
    tamper(engine, "DELETE FROM history_record WHERE subject_type = 'cycle' AND subject_id = :id", id=cycle_id)
    assert problems_of(session) == [f"cycle {cycle_id}: has no history at all"]
    assert problems_of(session, checkpoint=checkpoint)[-1] == (
        f"cycle {cycle_id}: its whole history (2 records) was deleted since the checkpoint of "
        f"{checkpoint.made_at:%d %B %Y %H:%M} UTC"
    )


def test_changing_a_submitted_answers_rating_is_detected(engine, session, submitted):
    question = submitted.questions[1]
    tamper(
        engine,
        "UPDATE answer SET rating = 'no' WHERE return_id = :rid AND question_id = :qid",
        rid=submitted.id,
        qid=question.id,
    )
    assert problems_of(session) == [
        f"return {submitted.id}: question {question.ref}'s rating differs from the last change its history recorded"
    ]


def test_changing_a_moderated_rating_is_detected(engine, session, submitted):
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    question = submitted.questions[0]
    act(engine, qa.moderate, reviewer, submitted.id, question.id, rating="no")
    tamper(
        engine,
        "UPDATE answer SET moderated_rating = 'yes' WHERE return_id = :rid AND question_id = :qid",
        rid=submitted.id,
        qid=question.id,
    )
    assert problems_of(session) == [
        f"return {submitted.id}: question {question.ref}'s moderated rating differs from what QA recorded"
    ]
    session.expire_all()
    assert session.exec(select(Answer.moderated_rating).where(Answer.question_id == question.id)).first() == "yes"


def test_a_checkpoint_file_is_sealed_and_a_forged_one_is_refused(engine, session, submitted, tmp_path):
    written = checkpoints.write(history.read_chains(session), tmp_path)
    assert checkpoints.read(written.path).heads[f"return:{submitted.id}"][0] == _chain(session, submitted)[-1].seq
    document = json.loads(written.path.read_text())
    document["checkpoint"]["heads"][f"return:{submitted.id}"]["seq"] = 2  # made to fit a rewound chain
    written.path.write_text(json.dumps(document))
    with pytest.raises(checkpoints.CheckpointUnreadable, match="not sealed with this history's key"):
        checkpoints.read(written.path)


def test_the_history_of_a_return_reads_back_in_order(session, submitted):
    records = history.for_return(session, submitted.id)
    assert [r.seq for r in records if r.subject_type == "return"] == list(
        range(1, 1 + sum(r.subject_type == "return" for r in records))
    )
    assert records[0].trigger == "launch" and records[-1].trigger == "submit"
    assert all(later.at >= earlier.at for earlier, later in zip(records, records[1:], strict=False))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    "statement",
    ["UPDATE history_record SET reason = 'rewritten' WHERE id = :id", "DELETE FROM history_record WHERE id = :id"],
)
def test_postgresql_refuses_to_change_or_delete_a_history_record(engine, session, submitted, statement):
    from sqlalchemy.exc import DBAPIError

    record = _record(session, submitted, "submit")
    with pytest.raises(DBAPIError, match="The history is append-only"):
        with engine.begin() as connection:
            connection.execute(text(statement), {"id": record.id})
    assert problems_of(session) == []


def test_each_submission_is_frozen_as_canonical_json_sealed_into_its_submit_record(session, submitted):
    copy = session.exec(select(SubmissionCopy).where(SubmissionCopy.return_id == submitted.id)).one()
    frozen = json.loads(copy.canonical_json)
    assert [q["rating"] for q in frozen["questions"]] == ["yes"] * len(submitted.questions)
    assert frozen["declaration"] == returns.DECLARATION and frozen["submitted_by"]["name"] == "Alex Agency"
    assert copy.canonical_json == json.dumps(frozen, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    submit = session.exec(select(HistoryRecord).where(HistoryRecord.trigger == "submit")).one()
    assert submit.details["copy_sha256"] == hashlib.sha256(copy.canonical_json.encode()).hexdigest() == copy.sha256


def test_rewriting_or_deleting_a_frozen_copy_is_detected(engine, session, submitted):
    copy = session.exec(select(SubmissionCopy).where(SubmissionCopy.return_id == submitted.id)).one()
    rewritten = copy.canonical_json.replace('"rating":"yes"', '"rating":"no"', 1)
    tamper(
        engine,
        "UPDATE submission_copy SET canonical_json = :json, sha256 = :sha WHERE id = :id",
        json=rewritten,
        sha=hashlib.sha256(rewritten.encode()).hexdigest(),
        id=copy.id,
    )
    assert problems_of(session) == [f"return {submitted.id}: the frozen copy of submission 1 is not the one its history sealed"]
    tamper(engine, "DELETE FROM submission_copy WHERE id = :id", id=copy.id)
    assert problems_of(session) == [f"return {submitted.id}: the frozen copy of submission 1 is missing"]


def test_qa_sees_what_changed_since_the_last_submission_question_by_question(engine, session, submitted):
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    agency_user = session.exec(select(User).where(User.name == "Alex Agency")).one()
    assert submission_copies.changes_since_last_submission(session, submitted.id) is None
    act(engine, qa.return_for_amendment, reviewer, submitted.id, reason="Say more about training")
    second = submitted.questions[1]
    act(engine, returns.save_answer, agency_user, submitted.id, second.id, rating="no", narrative="Training lapsed in 2025")
    act(
        engine,
        returns.add_action,
        agency_user,
        submitted.id,
        second.id,
        description="Train again",
        lead_user_id=agency_user.id,
        target_date=date(2027, 3, 31),
    )
    act(engine, returns.submit, agency_user, submitted.id, declaration_confirmed=True)
    session.expire_all()
    changes = submission_copies.changes_since_last_submission(session, submitted.id, {"yes": "Yes", "no": "No"})
    assert [(c.ref, c.changes) for c in changes] == [
        (second.ref, ["Rating changed: Yes → No", "Narrative changed", "Evidence description changed", "Actions changed"])
    ]
    assert problems_of(session) == []
