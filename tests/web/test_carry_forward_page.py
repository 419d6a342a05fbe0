"""The agency's carry-forward page: the offer, accepting it, a refusal in the error summary, and
each standard confirmed before the return can be submitted."""

import re
from datetime import timedelta

from sqlmodel import select

from models import AuditReturn
from models.audit_return import ReturnState
from tests.factories import act, answer_everything, launch_cycle, questions_of
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.clock import today
from workflow.review import qa


def test_the_agency_accepts_its_last_return_and_confirms_each_standard(browser, partnership, session, sqlite_only_engine):
    p, engine = partnership, sqlite_only_engine

    year_one, (old,) = launch_cycle(engine, p.coordinator, [p.health], template=p.template, name="Section 11 audit 2025-26",
                                    opens_on=today() - timedelta(days=400))
    answer_everything(engine, p.agency_user, old.id, questions_of(session, p.template))
    act(engine, returns.submit, p.agency_user, old.id, declaration_confirmed=True)
    act(engine, qa.release_without_qa, p.coordinator, old.id)
    act(engine, cycles.close, p.coordinator, year_one.id)
    _, (ret,) = launch_cycle(engine, p.coordinator, [p.health], template=p.template)

    browser.sign_in(p.agency_user.email)
    browser.open(f"/returns/{ret.id}")
    assert "You can start from your last return's answers" in browser.text
    browser.open(f"/returns/{ret.id}/carry-forward")
    assert "What would be carried forward" in browser.text
    browser.submit(f"/returns/{ret.id}/carry-forward")
    assert "Your last return's answers were carried forward: confirm each standard." in browser.text
    assert "Standards to confirm" in browser.text
    standard_ids = re.findall(rf'/returns/{ret.id}/carry-forward/standards/(\d+)', browser.page.text)
    assert standard_ids

    browser.submit(f"/returns/{ret.id}/submit", {"confirm": "y"}, expect=422)
    assert "Confirm the answers carried forward from your last return for standards" in browser.text
    for standard_id in standard_ids:
        browser.submit(f"/returns/{ret.id}/carry-forward/standards/{standard_id}", form_page=f"/returns/{ret.id}/carry-forward")
        assert "The standard is confirmed." in browser.text
    browser.submit(f"/returns/{ret.id}/carry-forward/standards/{standard_ids[0]}", expect=422,
                   form_page=f"/returns/{ret.id}/carry-forward")
    assert "is already confirmed" in browser.text
    browser.submit(f"/returns/{ret.id}/submit", {"confirm": "y"})
    session.expire_all()
    assert session.get(AuditReturn, ret.id).status == ReturnState.SUBMITTED
    assert session.exec(select(AuditReturn.id).where(AuditReturn.status == ReturnState.SUBMITTED)).all() == [ret.id]
