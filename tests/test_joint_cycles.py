"""Joint cycles: Hackney and Camden run one Section 11 audit together. The Metropolitan Police,
in both partnerships, answers it once; each partnership's staff see their own agencies' returns
of it, share the police's QA challenge thread, and count only their own area in the figures.
Islington, a third partnership, sees none of it."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from models import (
    Agency,
    AuditReturn,
    Challenge,
    Cycle,
    CyclePartnership,
    OutboxMessage,
    Partnership,
    PartnershipMember,
    Question,
    SurveyLink,
    Template,
    User,
    UserRole,
)
from models.user import Role
from tests.factories import act, add_person, launch_cycle
from tests.partnership_world import Neighbour, add_neighbour
from workflow import partnerships
from workflow.answering import returns
from workflow.calendar import cycle_changes, cycles, joint_cycles, progress, reminders
from workflow.cli import main
from workflow.clock import today
from workflow.errors import DomainError
from workflow.reporting import exports, reports
from workflow.review import qa
from workflow.survey import responding, settings
from workflow.survey.triangulation import triangulation

# Scores given by each agency to every element: Camden's trust is the weak one, so a figure that
# counted it in Hackney's area would fall below 3.
SCORES = {"Hackney Health Trust": "outstanding", "Hackney Youth Club": "outstanding",
          "Metropolitan Police": "outstanding", "Camden Health Trust": "inadequate"}


@dataclass
class Joint:
    hackney: Partnership
    camden: Neighbour
    joint_coordinator: User
    islington_coordinator: User
    police_user: User
    template: Template
    cycle: Cycle
    returns: dict[str, AuditReturn]


def dates(opens_on=None) -> cycles.CycleDates:
    opens_on = opens_on or today()
    return cycles.CycleDates(opens_on, opens_on + timedelta(days=42), opens_on + timedelta(days=70),
                             opens_on + timedelta(days=180), opens_on + timedelta(days=200))


def make_joint_cycle(engine, coordinator: User, agency_list: list[Agency], template: Template, partnership_ids: list[int],
                     name: str = "Pan-area audit 2026-27") -> tuple[Cycle, list[AuditReturn]]:
    cycle = act(engine, cycles.create_cycle, coordinator, name=name, kind=cycles.CycleKind.FULL_AUDIT,
                template_id=template.id, dates=dates(), agency_ids=[a.id for a in agency_list],
                partnership_ids=partnership_ids)
    return cycle, act(engine, cycles.launch, coordinator, cycle.id)


@pytest.fixture
def joint(engine, session, partnership) -> Joint:
    camden = add_neighbour(session, engine, partnership["coordinator"])
    hackney = session.get(Partnership, partnerships.home_partnership(session, partnership["coordinator"]))
    jo = add_person(session, name="Jo Joint", roles={Role.COORDINATOR})
    partnerships.join(session, user_id=jo.id, partnership_ids=[camden.partnership.id])
    islington = partnerships.add_partnership(session, "Islington Safeguarding Children Partnership")
    session.commit()
    isla = add_person(session, name="Isla Islington", roles={Role.COORDINATOR})
    session.execute(partnerships.PartnershipMember.__table__.delete().where(partnerships.PartnershipMember.user_id == isla.id))
    partnerships.join(session, user_id=isla.id, partnership_ids=[islington.id])
    police_user = add_person(session, name="Pat Police", roles={Role.AGENCY_USER}, agency=camden.police)
    session.commit()
    template = camden.template  # Camden's scored template: Hackney's people read it through the joint cycle
    taking_part = [partnership["health"], partnership["youth"], camden.agency, camden.police]
    cycle, launched = make_joint_cycle(engine, jo, taking_part, template, [hackney.id, camden.partnership.id])
    names = {a.id: a.name for a in taking_part}
    return Joint(hackney, camden, jo, isla, police_user, template, cycle, {names[r.agency_id]: r for r in launched})


def submit_all(engine, session, joint: Joint, partnership) -> None:
    people = {"Hackney Health Trust": partnership["agency_user"], "Hackney Youth Club": partnership["youth_user"],
              "Metropolitan Police": joint.police_user, "Camden Health Trust": joint.camden.agency_user}
    questions = session.exec(select(Question).where(Question.template_id == joint.template.id)).all()
    for name, ret in joint.returns.items():
        person = people[name]
        for question in questions:
            if question.statutory_only and not session.get(Agency, ret.agency_id).statutory:
                continue
            act(engine, returns.save_answer, person, ret.id, question.id, rating=SCORES[name],
                evidence_description="Policy" if SCORES[name] == "outstanding" else "")
            if SCORES[name] == "inadequate":
                act(engine, returns.add_action, person, ret.id, question.id, description="Fix it",
                    lead_user_id=person.id, target_date=today() + timedelta(days=60))
        act(engine, returns.submit, person, ret.id, declaration_confirmed=True)


def as_seen_by(engine, person: User) -> Session:
    session = Session(engine, expire_on_commit=False)
    partnerships.limit_to(session, person)
    return session


# --- Launching -------------------------------------------------------------------------------------


def test_a_joint_cycle_gives_an_agency_in_both_partnerships_one_return(joint, session):
    assert sorted(joint.returns) == ["Camden Health Trust", "Hackney Health Trust", "Hackney Youth Club", "Metropolitan Police"]
    police_returns = session.exec(select(AuditReturn).where(AuditReturn.agency_id == joint.camden.police.id,
                                                            AuditReturn.cycle_id == joint.cycle.id)).all()
    assert len(police_returns) == 1
    assert joint.cycle.partnership_id == joint.hackney.id
    further = session.exec(select(CyclePartnership.partnership_id).where(CyclePartnership.cycle_id == joint.cycle.id)).all()
    assert further == [joint.camden.partnership.id]
    assert [a.name for a in joint_cycles.areas_of(session, joint.cycle)] == [joint.hackney.name, joint.camden.partnership.name]


def test_a_coordinator_of_one_partnership_cannot_launch_a_cycle_for_another(engine, joint, partnership):
    with pytest.raises(DomainError) as refused:
        make_joint_cycle(engine, partnership["coordinator"], [partnership["health"]], partnership["template"],
                         [joint.hackney.id, joint.camden.partnership.id], name="Not allowed")
    assert "a joint cycle is set up by a coordinator of every partnership taking part" in str(refused.value)


def test_a_joint_cycle_takes_only_agencies_of_its_partnerships(engine, joint, session):
    with pytest.raises(DomainError) as refused:
        make_joint_cycle(engine, joint.joint_coordinator, [joint.camden.agency], joint.template, [joint.hackney.id],
                         name="Hackney's own")
    assert "Choose only agencies of the partnerships taking part" in str(refused.value)


def test_one_partnerships_coordinator_cannot_close_or_change_the_joint_cycle(engine, joint):
    for operation, args, kwargs in [
        (cycles.close, (joint.cycle.id,), {}),
        (cycle_changes.set_reminders, (joint.cycle.id,), {"reminder_days": [7], "escalation_days": 3}),
    ]:
        with pytest.raises(DomainError) as refused:
            act(engine, operation, joint.camden.coordinator, *args, **kwargs)
        assert "only a coordinator of every one of them" in str(refused.value)
    act(engine, cycles.close, joint.joint_coordinator, joint.cycle.id)


def test_a_single_partnership_cycle_is_made_as_before(engine, session, partnership):
    cycle, launched = launch_cycle(engine, partnership["coordinator"], [partnership["health"], partnership["youth"]],
                                   template=partnership["template"])
    assert len(launched) == 2
    assert session.exec(select(CyclePartnership).where(CyclePartnership.cycle_id == cycle.id)).all() == []


# --- Who sees what ---------------------------------------------------------------------------------


def _returns_visible(session: Session, cycle_id: int) -> set[str]:
    query = select(Agency.name).join(AuditReturn, AuditReturn.agency_id == Agency.id).where(AuditReturn.cycle_id == cycle_id)
    return set(session.exec(query))


def test_each_partnerships_staff_see_their_own_agencies_returns_of_the_joint_cycle(engine, joint, partnership):
    with as_seen_by(engine, partnership["coordinator"]) as hackney:
        assert _returns_visible(hackney, joint.cycle.id) == {"Hackney Health Trust", "Hackney Youth Club", "Metropolitan Police"}
        assert [c.agencies for c in progress.cycle_list(hackney) if c.cycle.id == joint.cycle.id] == [3]
    with as_seen_by(engine, joint.camden.qa) as camden:
        assert _returns_visible(camden, joint.cycle.id) == {"Camden Health Trust", "Metropolitan Police"}
    with as_seen_by(engine, joint.joint_coordinator) as both:
        assert len(_returns_visible(both, joint.cycle.id)) == 4
    with as_seen_by(engine, joint.islington_coordinator) as islington:
        assert islington.get(Cycle, joint.cycle.id) is None
        assert _returns_visible(islington, joint.cycle.id) == set()


def test_qa_of_the_shared_return_is_one_challenge_thread_seen_by_both_partnerships_qa(engine, session, joint, partnership):
    submit_all(engine, session, joint, partnership)
    police = joint.returns["Metropolitan Police"]
    act(engine, qa.pick_by_hand, partnership["qa"], police.id, reason="Serves both areas")
    raised = act(engine, qa.raise_challenge, partnership["qa"], police.id, text="Show the joint training plan.")
    act(engine, qa.answer_challenge, joint.police_user, raised.id, response="Attached to standard 2.")
    for reviewer in (partnership["qa"], joint.camden.qa):
        with as_seen_by(engine, reviewer) as seen:
            thread = seen.exec(select(Challenge).where(Challenge.return_id == police.id)).all()
            assert [(c.text, c.response) for c in thread] == [("Show the joint training plan.", "Attached to standard 2.")]
    with as_seen_by(engine, joint.camden.qa) as camden:  # Hackney's own agency's return stays Hackney's
        assert camden.get(AuditReturn, joint.returns["Hackney Health Trust"].id) is None


# --- Each partnership's figures --------------------------------------------------------------------


def test_each_partnerships_figures_count_only_its_own_area(engine, session, joint, partnership):
    submit_all(engine, session, joint, partnership)
    with as_seen_by(engine, partnership["coordinator"]) as hackney:
        heatmap = reports.compliance_heatmap(hackney, joint.cycle.id)
        assert [r.agency_name for r in heatmap.rows] == ["Hackney Health Trust", "Hackney Youth Club", "Metropolitan Police"]
        assert heatmap.overall.overall.self_assessed.mean == 3.0
        assert [g.group for g in heatmap.by_sector] == ["Health", "Police", "Voluntary"]
        assert reports.cycle_progress(hackney, joint.cycle.id).total == 3
        assert progress.cycle_progress(hackney, joint.cycle.id).total == 3
        year_on_year = reports.year_on_year(hackney, joint.cycle.id)
        assert [r.agency_name for r in year_on_year.rows] == [r.agency_name for r in heatmap.rows]
        assert year_on_year.overall[-1].self_assessed.mean == 3.0  # the cycle's measures, of its area alone
        figures = exports.cycle_figures_json(hackney, joint.cycle.id)
        assert "Camden Health Trust" not in figures and "Metropolitan Police" in figures
    with as_seen_by(engine, joint.camden.coordinator) as camden:
        heatmap = reports.compliance_heatmap(camden, joint.cycle.id)
        assert [r.agency_name for r in heatmap.rows] == ["Camden Health Trust", "Metropolitan Police"]
        assert heatmap.overall.overall.self_assessed.mean == 1.5


def test_a_coordinator_of_both_partnerships_filters_the_figures_to_one_area(engine, session, joint, partnership):
    submit_all(engine, session, joint, partnership)
    with as_seen_by(engine, joint.joint_coordinator) as both:
        areas = joint_cycles.areas_for_reports(both, both.get(Cycle, joint.cycle.id))
        assert [a.name for a in areas] == [joint.hackney.name, joint.camden.partnership.name]
        assert len(reports.compliance_heatmap(both, joint.cycle.id).rows) == 4
    with as_seen_by(engine, joint.joint_coordinator) as both:
        assert partnerships.narrow_to(both, joint.camden.partnership.id)
        heatmap = reports.compliance_heatmap(both, joint.cycle.id)
        assert [r.agency_name for r in heatmap.rows] == ["Camden Health Trust", "Metropolitan Police"]
        assert heatmap.overall.overall.self_assessed.mean == 1.5
    with as_seen_by(engine, partnership["coordinator"]) as hackney:  # an area not one's own is no filter
        assert not partnerships.narrow_to(hackney, joint.camden.partnership.id)
        assert partnerships.scope(hackney) == frozenset({joint.hackney.id})


def test_the_staff_survey_report_of_a_joint_cycle_counts_one_area_when_asked(engine, session, joint, partnership):
    survey = settings.SurveySettings(opens_on=today(), closes_on=today() + timedelta(days=28), minimum_responses=1,
                                     low_agreement=50, confident_agreement=80)
    act(engine, settings.set_up_survey, joint.joint_coordinator, joint.cycle.id, survey)
    links = session.exec(select(SurveyLink).where(SurveyLink.cycle_id == joint.cycle.id)).all()
    for link in links:  # one member of staff of every agency answers
        page = act(engine, responding.survey_page, link.token)
        act(engine, responding.record_response, link.token, {q.id: "agree" for q in page.questions}, uuid.uuid4().hex)
    with as_seen_by(engine, joint.joint_coordinator) as both:
        assert joint_cycles.report_area(both, joint.cycle.id, joint.camden.partnership.slug).chosen is not None
        picture = triangulation(both, joint.cycle.id)
        assert [r.agency_name for r in picture.agencies] == ["Camden Health Trust", "Metropolitan Police"]
        assert sum(s.responses for s in picture.sectors) == 2
    with as_seen_by(engine, joint.joint_coordinator) as both:
        assert len(triangulation(both, joint.cycle.id).agencies) == 4
    with as_seen_by(engine, partnership["coordinator"]) as hackney:  # Camden's staff answers are not Hackney's
        picture = triangulation(hackney, joint.cycle.id)
        assert [r.agency_name for r in picture.agencies] == ["Hackney Health Trust", "Hackney Youth Club", "Metropolitan Police"]
        assert sum(s.responses for s in picture.sectors) == 3


# --- Who is told ----------------------------------------------------------------------------------


def coordinators_in(session: Session, partnership_id: int) -> set[str]:
    """The e-mail addresses of a partnership's coordinators."""
    return set(session.exec(
        select(User.email).join(UserRole, UserRole.user_id == User.id)
        .join(PartnershipMember, PartnershipMember.user_id == User.id)
        .where(UserRole.role == Role.COORDINATOR.value, PartnershipMember.partnership_id == partnership_id)
    ))


def told(session: Session, kind: str, ret: AuditReturn) -> set[str]:
    return set(session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == kind,
                                                                  OutboxMessage.return_id == ret.id)))


def answer_and_submit(engine, session, person: User, ret: AuditReturn, *, scoped: bool = False) -> None:
    """The agency answers every question well and submits; `scoped` as a signed-in person's request does."""
    questions = session.exec(select(Question).join(Cycle, Cycle.template_id == Question.template_id)
                             .where(Cycle.id == ret.cycle_id)).all()
    for question in questions:
        act(engine, returns.save_answer, person, ret.id, question.id, rating="outstanding", evidence_description="Policy")
    with Session(engine, expire_on_commit=False) as request:
        if scoped:
            partnerships.limit_to(request, person)
        returns.submit(request, person, ret.id, declaration_confirmed=True)
        request.commit()


def test_the_schedulers_escalation_tells_only_the_coordinators_of_the_returns_partnerships(engine, session, joint):
    hackney = coordinators_in(session, joint.hackney.id)
    camden = coordinators_in(session, joint.camden.partnership.id)
    assert hackney - camden and camden - hackney  # each partnership has a coordinator of its own
    on = joint.cycle.submission_deadline + timedelta(days=joint.cycle.escalation_days)
    act(engine, reminders.queue_submission_reminders, on)
    # Hackney's trust is in Hackney alone: Camden's and Islington's coordinators hear nothing of it.
    trust = told(session, "submission_escalation", joint.returns["Hackney Health Trust"])
    assert hackney <= trust and not trust & (camden - hackney) and joint.islington_coordinator.email not in trust
    # The police are in both partnerships of the joint cycle: both hear.
    police = told(session, "submission_escalation", joint.returns["Metropolitan Police"])
    assert hackney | camden <= police and joint.islington_coordinator.email not in police


def test_a_submit_tells_the_coordinators_of_the_partnerships_the_return_belongs_to(engine, session, joint, partnership):
    hackney = coordinators_in(session, joint.hackney.id)
    camden = coordinators_in(session, joint.camden.partnership.id)
    answer_and_submit(engine, session, partnership["agency_user"], joint.returns["Hackney Health Trust"])
    trust = told(session, "submission_receipt", joint.returns["Hackney Health Trust"])
    assert hackney <= trust and not trust & (camden - hackney)
    answer_and_submit(engine, session, joint.police_user, joint.returns["Metropolitan Police"])
    police = told(session, "submission_receipt", joint.returns["Metropolitan Police"])
    assert hackney | camden <= police and joint.islington_coordinator.email not in police
    # Camden's own cycle: the police (in both partnerships, signed in) tell Camden's coordinators only.
    own = session.exec(select(AuditReturn).where(AuditReturn.cycle_id == joint.camden.cycle.id,
                                                 AuditReturn.agency_id == joint.camden.police.id)).one()
    answer_and_submit(engine, session, joint.police_user, own, scoped=True)
    assert told(session, "submission_receipt", own) & (hackney | camden) == camden


# --- The command line ------------------------------------------------------------------------------


def test_the_command_line_launches_a_joint_cycle_for_every_agency_of_the_partnerships_once(
    engine, session, database_url, joint, monkeypatch, partnership
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    # Hackney launches (the deployment's first partnership), on its own copy of its template.
    args = ["cycle", "launch", "--name", "Pan-area audit 2027-28", "--template", partnership["template"].key,
            "--opens", "2027-04-01", "--deadline", "2027-06-01", "--qa-ends", "2027-07-01", "--review", "2027-10-01",
            "--statement-deadline", "2027-12-01",
            "--partnership", joint.hackney.name, "--partnership", joint.camden.partnership.slug]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "4 returns" in result.output
    made = session.exec(select(Cycle).where(Cycle.name == "Pan-area audit 2027-28")).one()
    assert len(session.exec(select(AuditReturn).where(AuditReturn.cycle_id == made.id)).all()) == 4
    unknown = CliRunner().invoke(main,
                                 [*args[:-4], "--partnership", "Nowhere"], catch_exceptions=False)
    assert unknown.exit_code != 0 and "There is no partnership “Nowhere”" in unknown.output
