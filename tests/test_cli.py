"""The administrator's command line: set up, load, import, add people, launch, check."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session, select

from models import Agency, AuditReturn, Cycle, HistoryRecord, Question, ReusedAnswer, User
from models.db import make_engine
from tests.agency_lists import BAD_ROWS_NAMED, as_csv, as_xlsx, partnership_list
from tests.factories import answer_everything
from workflow.cli import main
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run `s11 ...` against a fresh SQLite database in a temporary instance folder."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, expect: int = 0):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == expect, result.output
        return result

    invoke.url = url
    return invoke


def test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path):
    assert "up to date" in run("db", "upgrade").output
    assert "41 questions" in run("template", "load", str(DEFAULT_TEMPLATE_PATH)).output
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(
        "name,sector,statutory,contact_email\nRiverside Council,Local authority,yes,sam@council.example.org\n"
        "Northbank Youth Club,Voluntary,no,jo@club.example.org\n"
    )
    assert "2 agencies added" in run("agencies", "import", str(csv_file)).output
    run(
        "users",
        "add",
        "--email",
        "cora@partnership.example.org",
        "--name",
        "Cora Ordinator",
        "--role",
        "coordinator",
        "--password",
        "a long enough password",
    )
    launched = run(
        "cycle",
        "launch",
        "--name",
        "Section 11 audit 2026-27",
        "--template",
        "section11-default",
        "--opens",
        "2026-12-01",
        "--deadline",
        "2027-01-31",
        "--qa-ends",
        "2027-03-31",
        "--review",
        "2027-06-30",
        "--statement-deadline",
        "2027-07-31",
    )
    assert "2 returns, invitations queued" in launched.output
    status = run("cycle", "status", "Section 11 audit 2026-27").output
    assert "Invited                             2" in status
    assert "The history is intact" in run("verify-history").output


def test_a_bad_csv_row_is_named_and_nothing_is_imported(run, tmp_path):
    run("db", "upgrade")
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(
        "name,sector,statutory,contact_email\nRiverside Council,Local authority,yes,c@example.org\nNorthbank,,perhaps,\n"
    )
    result = run("agencies", "import", str(csv_file), expect=1)
    assert "Error: Row 3: the statutory column must say yes or no, not “perhaps”." in result.output
    assert "Nothing was saved." in result.output
    with make_engine(run.url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM agency")).scalar() == 0


@pytest.mark.parametrize("saved_as", ["agencies.xlsx", "agencies.csv"])
def test_the_command_line_names_every_bad_row_of_an_excel_or_windows_file_in_one_pass(run, tmp_path, saved_as):
    run("db", "upgrade")
    path = tmp_path / saved_as
    rows = partnership_list()
    path.write_bytes(as_xlsx(rows) if saved_as.endswith(".xlsx") else as_csv(rows, "cp1252"))
    result = run("agencies", "import", str(path), expect=1)
    assert [line for line in result.output.splitlines() if line.startswith("Error:")] == [
        f"Error: {reason}" for reason in BAD_ROWS_NAMED
    ]
    rows[30][5], rows[31][3] = "ama@hope.example.org", "Riverside Children's Services"
    del rows[28:30]
    path.write_bytes(as_xlsx(rows) if saved_as.endswith(".xlsx") else as_csv(rows, "cp1252"))
    assert "29 agencies added, 0 updated." in run("agencies", "import", str(path)).output


def test_a_template_with_a_missing_field_is_refused_with_its_line(run, tmp_path):
    run("db", "upgrade")
    broken = tmp_path / "ours.yaml"
    broken.write_text(DEFAULT_TEMPLATE_PATH.read_text().replace("name: ", "nme: ", 1))
    result = run("template", "load", str(broken), expect=1)
    assert "ours.yaml, line" in result.output and "Nothing was saved." in result.output


def test_verify_history_fails_loudly_when_a_record_was_edited(run, tmp_path):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    with make_engine(run.url).begin() as connection:
        connection.execute(text("UPDATE history_record SET reason = 'nothing to see' WHERE seq = 1"))
    result = run("verify-history", expect=3)
    assert "TAMPERED: return 1, record 1: was changed or added outside the product" in result.output


def test_verify_history_against_a_checkpoint_finds_a_rewound_chain(run, tmp_path):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    made = run("history", "checkpoint", str(tmp_path / "checkpoints")).output
    assert "SHA-256 of the file:" in made
    checkpoint = next((tmp_path / "checkpoints").glob("history-checkpoint-*.json"))
    assert "The history is intact" in run("verify-history", "--checkpoint", str(checkpoint)).output
    with make_engine(run.url).begin() as connection:
        connection.execute(text("DELETE FROM history_record WHERE subject_type = 'cycle' AND seq = 2"))
        connection.execute(text("UPDATE cycle SET status = 'draft'"))
    assert "The history is intact" in run("verify-history").output  # a shorter chain is still whole
    result = run("verify-history", "--checkpoint", str(checkpoint), expect=3)
    assert "TAMPERED: cycle 1: record 2 was deleted since the checkpoint of" in result.output
    checkpoint.write_text(checkpoint.read_text().replace('"seq": 2', '"seq": 1'))
    assert "not sealed with this history's key" in run("verify-history", "--checkpoint", str(checkpoint), expect=4).output


def test_verify_history_without_the_key_says_how_to_make_one(run, tmp_path, monkeypatch):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    monkeypatch.delenv("S11_HISTORY_KEY")
    monkeypatch.setenv("S11_HISTORY_KEY_FILE", str(tmp_path / "no-such.key"))
    result = run("verify-history", expect=5)
    assert "s11 history make-key" in result.output
    assert "s11 history make-key" in run("scheduler", expect=5).output


def test_the_lifecycle_diagram_is_drawn_from_the_machine(run):
    diagram = run("diagram", "return").output
    assert "stateDiagram-v2" in diagram
    assert "submitted --> under_qa_challenge: challenge" in diagram
    assert "evidence_requested --> under_qa_challenge: evidence_provided" in diagram


def test_help_explains_every_command(run):
    text_out = run("--help").output
    for command in ("db", "template", "agencies", "users", "cycle", "verify-history", "diagram", "demo"):
        assert command in text_out


def test_the_demo_builds_returns_in_every_state(run, tmp_path):
    output = run("demo", "--no-serve", "--instance", str(tmp_path / "instance")).output
    for state in (
        "Invited",
        "In progress",
        "Submitted",
        "Under QA challenge",
        "Evidence requested",
        "Action plan open",
        "Statement of compliance signed",
    ):
        line = next(line for line in output.splitlines() if line.strip().startswith(state))
        assert int(line.split()[-1]) >= 1, line
    assert "coordinator@demo.example.org" in output
    assert "Commissioner" in output and "agency1@demo.example.org" in output  # oversees two voluntary services
    # Two partnerships, each with its own coordinator, the police in both (issue 14).
    assert "coordinator@northvale.demo.example.org" in output and "nurse@demo.example.org" in output
    from sqlmodel import Session, select

    from models import Agency, AgencyPartnership, Partnership

    engine = make_engine(f"sqlite:///{tmp_path / 'instance' / 'demo.sqlite'}")
    with Session(engine) as session:
        assert len(session.exec(select(Partnership)).all()) == 2
        police = session.exec(select(Agency).where(Agency.name == "Riverside Police")).one()
        assert len(session.exec(select(AgencyPartnership).where(AgencyPartnership.agency_id == police.id)).all()) == 2
        # A joint cycle of both, one cycle of their own each; the police answer the joint one once.
        from models import AuditReturn, Cycle, CyclePartnership

        joint = session.exec(select(Cycle).join(CyclePartnership, CyclePartnership.cycle_id == Cycle.id)).one()
        assert len(session.exec(select(Cycle)).all()) == 3 and joint.name.startswith("Pan-area")
        answered = select(AuditReturn).where(AuditReturn.cycle_id == joint.id, AuditReturn.agency_id == police.id)
        assert [r.status for r in session.exec(answered)] == ["submitted"]
    assert "joint@demo.example.org" in output
    engine.dispose()


def test_the_scheduler_writes_the_days_checkpoint_once_and_emails_its_digest(run, tmp_path, monkeypatch):
    from sqlmodel import Session, select

    from models import OutboxMessage
    from schedules.jobs import checkpoint_history

    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    monkeypatch.setenv("S11_CHECKPOINT_DIR", str(tmp_path / "daily"))
    engine = make_engine(run.url)
    assert checkpoint_history(engine) == 1
    assert checkpoint_history(engine) == 0  # a second run the same day writes and sends nothing
    (written,) = (tmp_path / "daily").glob("history-checkpoint-daily-*.json")
    with Session(engine) as session:
        (digest,) = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "history_checkpoint")).all()
    import hashlib

    assert hashlib.sha256(written.read_bytes()).hexdigest() in digest.text_body
    assert str(written) in digest.text_body
    assert "The history is intact" in run("verify-history", "--checkpoint", str(written)).output
    engine.dispose()


def test_the_administrator_sets_a_cycles_reminders_and_adds_an_agency_mid_year(run, tmp_path):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    refused = run("cycle", "reminders", "Section 11 audit 2026-27", "--days", "soon", "--escalate-after", "0", expect=1)
    assert "Error: Enter the reminder days as whole numbers of days before the deadline" in refused.output
    assert "Error: Enter the escalation delay as a whole number of days after the deadline" in refused.output
    saved = run("cycle", "reminders", "Section 11 audit 2026-27", "--days", "14,3", "--escalate-after", "5")
    assert "14,3 days before a deadline; escalation 5 days after" in saved.output
    with make_engine(run.url).connect() as connection:
        row = connection.execute(text("SELECT reminder_days, escalation_days FROM cycle")).one()
    assert (list(json.loads(row[0]) if isinstance(row[0], str) else row[0]), row[1]) == ([14, 3], 5)

    (tmp_path / "late.csv").write_text("name,sector,statutory,contact_email\nHackney Faith Forum,Faith,no,f@faith.example.org\n")
    run("agencies", "import", str(tmp_path / "late.csv"))
    assert "Hackney Faith Forum was added" in run(
        "cycle", "add-agency", "Section 11 audit 2026-27", "--agency", "Hackney Faith Forum"
    ).output
    assert "Invited                             3" in run("cycle", "status", "Section 11 audit 2026-27").output


def test_the_administrator_moves_a_cycles_dates_and_reopens_it_after_closing(run, tmp_path):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    name = "Section 11 audit 2026-27"
    refused = run("cycle", "change-dates", name, "--deadline", "2027-04-30", "--reason", " ", expect=1)
    assert "Error: Say why the dates change: the agencies are told." in refused.output
    assert "Error: The submission deadline must be after" not in refused.output
    assert "Error: The end of the QA window must be after the submission deadline." in refused.output
    moved = run("cycle", "change-dates", name, "--deadline", "2027-02-14", "--reason", "Half-term clash")
    assert "deadline 14 February 2027" in moved.output and "statement deadline 31 July 2027" in moved.output
    with make_engine(run.url).connect() as connection:
        told = connection.execute(text("SELECT count(*) FROM outbox_message WHERE kind = 'cycle_dates_changed'")).scalar()
        recorded = connection.execute(text("SELECT reason FROM history_record WHERE trigger = 'change_dates'")).scalars().all()
    assert (told, recorded) == (2, ["Half-term clash"])

    assert "because the cycle is open" in run("cycle", "reopen", name, "--reason", "Why not", expect=1).output
    assert "is closed" in run("cycle", "close", name, "--reason", "Year over").output
    assert "Error: Say why the cycle is reopened." in run("cycle", "reopen", name, "--reason", "", expect=1).output
    reopened = run("cycle", "reopen", name, "--reason", "A late return was agreed")
    assert "is open again; statement deadline 31 July 2027" in reopened.output
    assert ", open), deadline 14 February 2027" in run("cycle", "status", name).output


def test_an_agency_user_reuses_answers_from_another_cycles_return_on_the_command_line(run, tmp_path):
    test_an_administrator_sets_up_a_partnership_and_launches_a_cycle(run, tmp_path)
    run("users", "add", "--email", "nia@council.example.org", "--name", "Nia Nurse", "--role", "agency_user",
        "--agency", "Riverside Council", "--password", "a long enough password")
    run("cycle", "launch", "--name", "Eastshire audit 2026-27", "--template", "section11-default", "--opens", "2026-12-01",
        "--deadline", "2027-01-31", "--qa-ends", "2027-03-31", "--review", "2027-06-30", "--statement-deadline", "2027-07-31",
        "--agency", "Riverside Council")
    engine = make_engine(run.url)
    with Session(engine) as session:
        nia = session.exec(select(User).where(User.email == "nia@council.example.org")).one()
        west, east = (
            session.exec(select(AuditReturn.id).join(Cycle).join(Agency, Agency.id == AuditReturn.agency_id)
                         .where(Cycle.name == name, Agency.name == "Riverside Council")).one()
            for name in ("Section 11 audit 2026-27", "Eastshire audit 2026-27")
        )
        first_two = session.exec(select(Question).where(Question.ref.in_(["1.1", "1.2"]))).all()
    answer_everything(engine, nia, west, first_two)
    reuse = ("return", "reuse", "--return", str(east), "--from", str(west))

    refused = run(*reuse, "--standard", "1", "--standard", "9", "--as", "nia@council.example.org", expect=1).output
    assert f"Error: Return {east} has no standard 9: its standards are 1, 2, 3, 4, 5, 6, 7, 8." in refused
    assert "Nothing was saved." in refused
    refused = run(*reuse, "--as", "cora@partnership.example.org", expect=1).output
    assert "Error: Only an agency user can reuse your agency's answers" in refused

    reused = run(*reuse, "--standard", "1", "--as", "nia@council.example.org").output
    assert "Reused from the return for Section 11 audit 2026-27 (in progress): standards 1; questions 1.1, 1.2" in reused
    with Session(engine) as session:
        marked = session.exec(select(ReusedAnswer.question_id).where(ReusedAnswer.return_id == east)).all()
        record = session.exec(select(HistoryRecord).where(HistoryRecord.trigger == "reuse_answers")).one()
    assert sorted(marked) == sorted(q.id for q in first_two)  # one template: the same questions, marked as reused
    assert (record.return_id, record.actor_id, record.reason) == (east, nia.id, "Reused from Section 11 audit 2026-27")
    again = run(*reuse, "--as", "nia@council.example.org", expect=1).output  # every standard with something left: none
    assert "there is nothing to reuse" in again
    engine.dispose()
