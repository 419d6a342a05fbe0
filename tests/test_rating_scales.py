"""The rules come from the template's scale: yes/no and 0-3 templates work like Not/Partly/Fully met."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import AuditReturn, Template
from models.audit_return import ReturnState
from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle, questions_of
from workflow.answering import returns
from workflow.clock import today
from workflow.errors import DomainError
from workflow.templates import installing as templates
from workflow.templates.files import TemplateFileError


@pytest.fixture
def people(session):
    agency = add_agency(session)
    return {
        "agency": agency,
        "coordinator": add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        "agency_user": add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency),
        "lead": add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=agency),
    }


def test_a_yes_no_template_needs_evidence_for_yes_and_an_action_for_no(engine, session, people):
    template = install_template(session, "wirral-questions.yaml")
    _cycle, launched = launch_cycle(engine, people["coordinator"], [people["agency"]], template=template)
    ret = launched[0]
    first, second, *rest = questions_of(session, template)
    act(engine, returns.save_answer, people["agency_user"], ret.id, first.id, rating="yes")
    act(engine, returns.save_answer, people["agency_user"], ret.id, second.id, rating="no")
    with pytest.raises(DomainError, match="Choose one of No, Yes for question"):
        act(engine, returns.save_answer, people["agency_user"], ret.id, second.id, rating="partly_met")
    with pytest.raises(DomainError, match="cannot be marked Not applicable in this template"):
        act(engine, returns.save_answer, people["agency_user"], ret.id, second.id, rating="not_applicable")
    for question in rest:
        act(engine, returns.save_answer, people["agency_user"], ret.id, question.id, rating="yes", evidence_description="Policy")
    with pytest.raises(DomainError) as refused:
        act(engine, returns.submit, people["agency_user"], ret.id, declaration_confirmed=True)
    assert refused.value.reasons == [
        f"Question {first.ref} is rated Yes but has no evidence: upload a file or describe the evidence.",
        f"Question {second.ref} is rated No but has no action in the plan.",
    ]


def test_a_0_to_3_template_with_not_applicable_and_an_incomplete_action(engine, session, people):
    template = install_template(session, "scored-0-3.yaml")
    _cycle, launched = launch_cycle(engine, people["coordinator"], [people["agency"]], template=template)
    ret = launched[0]
    first, second, third, *rest = questions_of(session, template)
    user = people["agency_user"]
    act(engine, returns.save_answer, user, ret.id, first.id, rating="requires_improvement")
    act(
        engine,
        returns.add_action,
        user,
        ret.id,
        first.id,
        description="",
        lead_user_id=None,
        target_date=today() - timedelta(days=1),
    )
    act(engine, returns.save_answer, user, ret.id, second.id, rating="not_applicable")
    act(
        engine,
        returns.save_answer,
        user,
        ret.id,
        third.id,
        rating="not_applicable",
        not_applicable_reason="We run no residential services",
    )
    for question in rest:
        act(engine, returns.save_answer, user, ret.id, question.id, rating="outstanding", evidence_description="Audit report")
    with pytest.raises(DomainError) as refused:
        act(engine, returns.submit, user, ret.id, declaration_confirmed=True)
    assert refused.value.reasons == [
        f"An action for question {first.ref} is missing a description of what will be done and a lead person.",
        f"Question {second.ref} is marked Not applicable but gives no reason.",
    ]
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.IN_PROGRESS


def test_a_bad_template_file_saves_nothing(session, tmp_path):
    bad = tmp_path / "ours.yaml"
    bad.write_text("key: ours\nname: Ours\nversion: 1\nscale:\n  name: x\n  not_applicable: false\n  values: []\nstandards: []\n")
    with pytest.raises(TemplateFileError, match="ours.yaml"):
        templates.install_file(session, None, bad)
    session.rollback()
    assert session.exec(select(Template)).all() == []


def test_the_same_template_version_cannot_be_loaded_twice(session):
    install_template(session)
    with pytest.raises(DomainError, match="version 1 is already loaded. To load a changed template, raise the version number"):
        install_template(session)
