"""The lead person's actions and the executive's statement, through the pages."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import select

from models import Action, ActionUpdate, AuditReturn, ComplianceStatement, EvidenceFile
from models.audit_return import ReturnState
from models.cycle import CycleKind
from tests.factories import act, launch_cycle
from tests.web import return_world
from tests.web.return_world import World, accepted, pdf, signed_in, submitted
from workflow.calendar import cycles
from workflow.clock import today

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _action(session, w: World) -> Action:
    session.expire_all()
    return session.exec(select(Action).where(Action.return_id == w.ret.id)).one()


def test_lead_sees_their_actions_with_the_overdue_ones_marked(browser, world, session, sqlite_only_engine):
    w = world
    accepted(w, sqlite_only_engine)
    action = _action(session, w)
    signed_in(browser, w.lead)
    browser.open("/my-actions")
    assert "Train the board" in browser.text
    assert "Overdue" not in browser.text

    with freeze_time(action.target_date + timedelta(days=1)):
        signed_in(browser, w.lead)  # the session from two months ago has expired
        browser.open("/my-actions")
        assert "Overdue" in browser.text


def test_lead_records_progress_with_a_note_a_status_change_and_evidence(browser, world, session, sqlite_only_engine):
    w = world
    accepted(w, sqlite_only_engine)
    action = _action(session, w)
    signed_in(browser, w.lead)
    path = f"/actions/{action.id}"

    browser.submit(path, {"note": "", "trigger": "begin"}, expect=422)
    assert "Write a note saying what has been done." in browser.text

    browser.submit(path, {"note": "Half the board trained in May", "trigger": "begin", "file": pdf("attendance.pdf")})
    assert "Your progress is recorded." in browser.text
    assert "Half the board trained in May" in browser.text
    assert "attendance.pdf" in browser.text
    assert _action(session, w).status == "in_progress"
    assert session.exec(select(EvidenceFile).where(EvidenceFile.action_id == action.id)).one().filename == "attendance.pdf"

    browser.submit(path, {"note": "All trained", "trigger": "complete"})
    assert _action(session, w).status == "completed"
    assert len(session.exec(select(ActionUpdate).where(ActionUpdate.action_id == action.id)).all()) == 2


def test_progress_cannot_be_recorded_before_the_plan_is_live(browser, world, session, sqlite_only_engine):
    w = world
    submitted(w, sqlite_only_engine)
    action = _action(session, w)
    signed_in(browser, w.lead)
    browser.open(f"/actions/{action.id}")
    assert "Save progress" not in browser.text
    browser.submit(f"/actions/{action.id}", {"note": "Started early"}, expect=422)
    assert "Progress is recorded once QA has finished and the action plan is live." in browser.text


def test_executive_signs_the_statement_with_their_typed_name(browser, world, session, sqlite_only_engine):
    w = world
    accepted(w, sqlite_only_engine)
    signed_in(browser, w.executive)
    browser.open(f"/returns/{w.ret.id}")
    assert "Read and sign the statement" in browser.text
    path = f"/returns/{w.ret.id}/statement"
    browser.open(path)
    assert "On behalf of Hackney Health Trust, I confirm that the organisation meets its duties" in browser.text

    browser.submit(path, {"signed_name": "Erin Exec", "confirm": "y"}, expect=422)
    assert "Type your full name exactly as it is on your account (Erin Executive) to sign." in browser.text
    assert 'value="Erin Exec"' in browser.page.text

    browser.submit(path, {"signed_name": "erin  executive", "confirm": "y"})
    assert "The statement of compliance is signed." in browser.text
    session.expire_all()
    assert session.get(AuditReturn, w.ret.id).status == ReturnState.COMPLIANCE_STATEMENT_SIGNED
    assert "Sign the statement" not in browser.text


def _statement_year(w: World, engine) -> AuditReturn:
    """Year one accepted (standard 1 Partly met) and closed; year two launched for the agency."""
    accepted(w, engine)
    act(engine, cycles.close, w.p.coordinator, w.cycle.id)
    _, launched = launch_cycle(engine, w.p.coordinator, [w.p.health], template=w.p.template,
                               name="Section 11 statement 2027-28", kind=CycleKind.STATEMENT_YEAR, previous_cycle_id=w.cycle.id)
    return launched[0]


def test_in_a_statement_year_the_executive_gives_evidence_for_a_standard_now_fully_met(browser, world, session,
                                                                                       sqlite_only_engine):
    w = world
    year_two = _statement_year(w, sqlite_only_engine)
    signed_in(browser, w.executive)
    path = f"/returns/{year_two.id}/statement"
    browser.open(path)
    assert "Standard 1: Senior leadership commitment" in browser.text
    assert "Self-assessed Partly met last time" in browser.text
    assert "Or choose a re-audit by peer review" in browser.text

    browser.submit(path, {"signed_name": "Erin Executive", "confirm": "y",
                          "evidence_0": "The board now hears a safeguarding report every March."})
    assert "The statement of compliance is signed." in browser.text
    statement = session.exec(select(ComplianceStatement).where(ComplianceStatement.return_id == year_two.id)).one()
    assert statement.improvements == [{"standard": "1", "evidence": "The board now hears a safeguarding report every March."}]


def test_in_a_statement_year_the_executive_may_choose_peer_review_instead(browser, world, session, sqlite_only_engine):
    w = world
    year_two = _statement_year(w, sqlite_only_engine)
    signed_in(browser, w.executive)
    browser.submit(f"/returns/{year_two.id}/statement/peer-review", {"peer-reason": "New chief executive"},
                   form_page=f"/returns/{year_two.id}/statement")
    assert "You chose a re-audit by peer review" in browser.text
    session.expire_all()
    assert session.get(AuditReturn, year_two.id).status == ReturnState.IN_PROGRESS
    assert today() <= session.get(AuditReturn, year_two.id).last_activity_at.date()
