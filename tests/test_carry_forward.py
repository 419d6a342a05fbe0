"""The next full audit starts from the agency's last return: the agency accepts the offer, its
answers, evidence and open actions come across where the questions match, evidence older than a
year is checked, and nothing is submitted until each standard carried is confirmed."""

from datetime import timedelta

import pytest
from sqlmodel import select

from models import (
    Action,
    Agency,
    Answer,
    AuditReturn,
    EvidenceFile,
    HistoryRecord,
    OutboxMessage,
    Question,
    Standard,
    Template,
)
from models.audit_return import ReturnState
from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle
from tests.test_statement_year import year_one_done  # noqa: F401  (the fixture: year one submitted)
from workflow.answering import carry_forward, returns
from workflow.calendar import cycles
from workflow.clock import today, utcnow
from workflow.errors import DomainError


@pytest.fixture
def next_audit(engine, session, year_one_done):  # noqa: F811
    """Year one's return has an evidence file for standard 1 uploaded 400 days ago; the statement
    year is closed, and the next full audit is launched with the same template."""
    coordinator, agency_user = year_one_done["coordinator"], year_one_done["agency_user"]
    act(engine, cycles.close, coordinator, year_one_done["return"].cycle_id)
    year_one = session.exec(select(AuditReturn).where(AuditReturn.status == ReturnState.ACTION_PLAN_OPEN)).one()
    first = session.exec(select(Question).join(Standard).where(Standard.number == "1").order_by(Question.position)).first()
    session.add(EvidenceFile(return_id=year_one.id, question_id=first.id, filename="policy.pdf", content_type="application/pdf",
                             size=10, sha256="a" * 64, uploaded_by_id=agency_user.id, uploaded_at=utcnow() - timedelta(days=400)))
    session.commit()
    agency, template = session.get(Agency, agency_user.agency_id), session.get(Template, first.template_id)
    _, launched = launch_cycle(engine, coordinator, [agency], template=template, name="Section 11 audit 2027-28")
    return {"return": launched[0], "year_one": year_one, "agency_user": agency_user}


def test_the_agency_carries_its_last_return_forward_and_confirms_each_standard(engine, session, next_audit):
    ret, agency_user = next_audit["return"], next_audit["agency_user"]
    offer = carry_forward.offer(session, agency_user, ret.id)
    assert offer.available and offer.previous.id == next_audit["year_one"].id
    one = next(s for s in offer.standards if s.number == "1")
    assert one.files == 1 and one.old_evidence[0]["file"] == "policy.pdf"
    assert next(s for s in offer.standards if s.number == "2").actions == 1

    act(engine, carry_forward.accept, agency_user, ret.id)
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.IN_PROGRESS
    ratings = session.exec(select(Answer.rating).where(Answer.return_id == ret.id)).all()
    assert sorted(set(ratings)) == ["fully_met", "partly_met"]
    assert session.exec(select(EvidenceFile.filename).where(EvidenceFile.return_id == ret.id)).all() == ["policy.pdf"]
    assert session.exec(select(Action.description).where(Action.return_id == ret.id)).all() == ["Publish the statement"]
    record = session.exec(select(HistoryRecord).where(HistoryRecord.return_id == ret.id,
                                                      HistoryRecord.trigger == "carry_forward")).one()
    assert record.details["files"] == 1 and record.details["actions"] == 1
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "answers_carried_forward")).one()
    assert "1 evidence file is more than a year old" in mail.text_body

    with pytest.raises(DomainError, match="already carried into this return"):
        act(engine, carry_forward.accept, agency_user, ret.id)
    numbers = [v.number for v in carry_forward.carried_standards(session, agency_user, ret.id)]
    with pytest.raises(DomainError) as refused:
        act(engine, returns.submit, agency_user, ret.id, declaration_confirmed=True)
    named = ", ".join(numbers[:-1]) + " and " + numbers[-1]
    assert refused.value.reasons == [
        f"Confirm the answers carried forward from your last return for standards {named}: check they are still true."
    ]
    standard_one = session.exec(select(Standard.id).where(Standard.number == "1")).first()
    with pytest.raises(DomainError, match=r"evidence older than a year is still current \(policy.pdf"):
        act(engine, carry_forward.confirm_standard, agency_user, ret.id, standard_one, evidence_still_current=False)
    for view in carry_forward.carried_standards(session, agency_user, ret.id):
        act(engine, carry_forward.confirm_standard, agency_user, ret.id, view.carried.standard_id, evidence_still_current=True)
    told = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "carried_standards_confirmed")).all()
    assert len({m.to_email for m in told}) == len(told) == 1  # once, when the last standard was confirmed
    act(engine, returns.submit, agency_user, ret.id, declaration_confirmed=True)
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.SUBMITTED


def test_nothing_is_offered_without_an_earlier_return_or_outside_a_full_audit(engine, session):
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    _, launched = launch_cycle(engine, coordinator, [agency], template=install_template(session), opens_on=today())
    assert carry_forward.offer(session, agency_user, launched[0].id).refusals == [
        "Your agency has no earlier submitted return to carry forward."
    ]
    with pytest.raises(DomainError, match="no earlier submitted return"):
        act(engine, carry_forward.accept, agency_user, launched[0].id)
