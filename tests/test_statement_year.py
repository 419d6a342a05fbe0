"""Year two of the programme: the executive signs a statement, naming the standards now Fully met."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import AuditReturn, ComplianceStatement, Cycle, Question, Standard
from models.audit_return import ReturnState
from models.cycle import CycleKind
from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle
from workflow.answering import returns
from workflow.calendar import cycles, progress
from workflow.clock import today
from workflow.errors import DomainError
from workflow.reporting import reports
from workflow.review import qa, statements


@pytest.fixture
def year_one_done(engine, session):
    """Year one: the agency rated standard 2 Partly met (one element), everything else Fully met."""
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    lead = add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=agency)
    executive = add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=agency)
    template = install_template(session)
    year_one, launched = launch_cycle(
        engine, coordinator, [agency], template=template, name="Section 11 audit 2025-26", opens_on=today() - timedelta(days=400)
    )
    standard_two = session.exec(select(Standard).where(Standard.template_id == template.id, Standard.number == "2")).one()
    questions = session.exec(select(Question).where(Question.template_id == template.id)).all()
    for question in questions:
        partly = question.standard_id == standard_two.id and question.position == 0
        act(
            engine,
            returns.save_answer,
            agency_user,
            launched[0].id,
            question.id,
            rating="partly_met" if partly else "fully_met",
            evidence_description="" if partly else "Policy and minutes",
        )
        if partly:
            act(
                engine,
                returns.add_action,
                agency_user,
                launched[0].id,
                question.id,
                description="Publish the statement",
                lead_user_id=lead.id,
                target_date=today() + timedelta(days=30),
            )
    act(engine, returns.submit, agency_user, launched[0].id, declaration_confirmed=True)
    act(engine, qa.release_without_qa, coordinator, launched[0].id)
    act(engine, cycles.close, coordinator, year_one.id)
    year_two, launched_two = launch_cycle(
        engine,
        coordinator,
        [agency],
        template=template,
        name="Section 11 statement 2026-27",
        kind=CycleKind.STATEMENT_YEAR,
        previous_cycle_id=year_one.id,
    )
    return {"return": launched_two[0], "executive": executive, "agency_user": agency_user, "coordinator": coordinator}


def test_executive_signs_naming_the_standard_raised_to_fully_met_with_evidence(engine, session, year_one_done):
    ret, executive = year_one_done["return"], year_one_done["executive"]
    raisable = statements.raisable_standards(session, ret)
    assert [(s.number, s.last_rating) for s in raisable] == [("2", "Partly met")]

    with pytest.raises(DomainError) as refused:
        act(
            engine,
            statements.sign,
            executive,
            ret.id,
            signed_name="Erin Exec",
            declaration_confirmed=False,
            improvements=[statements.Improvement("2", " "), statements.Improvement("5", "We are great")],
        )
    assert refused.value.reasons == [
        "Type your full name exactly as it is on your account (Erin Executive) to sign.",
        "Confirm the statement of compliance.",
        "Give the evidence that standard 2 is now fully met.",
        "Standard 5 was not self-assessed below the top rating last time, so there is nothing to raise.",
    ]
    act(
        engine,
        statements.sign,
        executive,
        ret.id,
        signed_name="erin  executive",
        declaration_confirmed=True,
        improvements=[statements.Improvement("2", "Statement published on the intranet; audit of 40 staff shows awareness")],
    )
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.COMPLIANCE_STATEMENT_SIGNED
    statement = session.exec(select(ComplianceStatement).where(ComplianceStatement.return_id == ret.id)).one()
    assert statement.choice == "signed"
    assert statement.improvements == [
        {"standard": "2", "evidence": "Statement published on the intranet; audit of 40 staff shows awareness"}
    ]


def test_executive_chooses_a_re_audit_by_peer_review_instead(engine, session, year_one_done):
    ret = year_one_done["return"]
    with pytest.raises(DomainError, match="Only an executive can choose a re-audit by peer review"):
        act(engine, statements.choose_peer_review, year_one_done["agency_user"], ret.id)
    act(engine, statements.choose_peer_review, year_one_done["executive"], ret.id, reason="New leadership team")
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.IN_PROGRESS


def test_in_a_full_audit_year_the_statement_waits_for_qa(engine, session):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    executive = add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=agency)
    template = install_template(session)
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    with pytest.raises(DomainError, match="The statement can be signed once QA has finished"):
        act(engine, statements.sign, executive, launched[0].id, signed_name="Erin Executive", declaration_confirmed=True)
    with pytest.raises(DomainError, match="only in a statement of compliance year"):
        act(engine, statements.choose_peer_review, executive, launched[0].id)


def test_an_improvement_evidenced_by_the_statement_counts_in_the_boards_figures(engine, session, year_one_done):
    ret, executive = year_one_done["return"], year_one_done["executive"]
    evidence = "Statement published on the intranet; audit of 40 staff shows awareness"
    act(
        engine,
        statements.sign,
        executive,
        ret.id,
        signed_name="Erin Executive",
        declaration_confirmed=True,
        improvements=[statements.Improvement("2", evidence)],
    )
    session.expire_all()
    history = reports.year_on_year(session, ret.cycle_id)
    (row,) = history.rows
    assert [r.label if r else None for r in row.ratings["2"]] == ["Partly met", "Fully met"]
    assert row.change["2"] == "improved"
    assert row.evidenced == {"2": evidence}
    assert row.change["1"] is None  # nothing said about standard 1 this year

    (heat_row,) = reports.compliance_heatmap(session, ret.cycle_id).rows
    assert heat_row.cells["2"].self_assessed.label == "Fully met"
    assert heat_row.cells["2"].statement_evidence == evidence
    assert heat_row.cells["1"].self_assessed is None
    assert reports.compliance_heatmap(session, ret.cycle_id).overall.self_assessed["2"]["fully_met"] == 1


def test_the_coordinators_progress_counts_a_statement_year_return_by_the_statement_deadline(session, year_one_done):
    ret, coordinator = year_one_done["return"], year_one_done["coordinator"]
    cycle = session.get(Cycle, ret.cycle_id)
    after_submission = cycle.submission_deadline + timedelta(days=1)
    after_statement = cycle.statement_deadline + timedelta(days=1)
    (row,) = progress.cycle_progress(session, cycle.id, on=after_submission).rows
    assert (row.deadline, row.overdue) == (cycle.statement_deadline, False)
    assert progress.cycle_progress(session, cycle.id, on=after_statement).overdue == 1
    assert progress.cycle_progress(session, cycle.id, sector="Health", on=after_statement).overdue == 1
    (mine,) = progress.returns_of_agency(session, ret.agency_id, on=after_submission)
    assert (mine.deadline, mine.overdue) == (cycle.statement_deadline, False)
    overview = progress.return_overview(session, coordinator, ret.id, on=after_statement)
    assert (overview.deadline, overview.overdue) == (cycle.statement_deadline, True)
