"""The agency's reuse page: it chooses its return to another cycle running now, sees which
questions match and which do not, is told when it chose nothing, reuses a standard, and the
standard's page says where the answers and the evidence file came from."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from models import EvidenceFile, Question, Standard
from tests.factories import act, answer_everything, launch_cycle
from tests.web import return_world
from tests.web.browser_helpers import Journey, words
from tests.web.return_world import signed_in, submitted
from workflow.answering import returns, reuse
from workflow.people import users

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


@pytest.mark.browser
def test_the_agency_reuses_a_standard_from_its_return_to_another_cycle(
    chromium, live_server, monkeypatch, partnership, session, sqlite_only_engine, tmp_path
):
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    p, engine = partnership, sqlite_only_engine
    _, (west,) = launch_cycle(engine, p.coordinator, [p.health], template=p.template, name="Westshire audit 2026-27")
    _, (east,) = launch_cycle(engine, p.coordinator, [p.health], template=p.template, name="Eastshire audit 2026-27")
    standard = session.exec(select(Standard).where(Standard.template_id == p.template.id, Standard.number == "1")).one()
    asked = session.exec(select(Question).where(Question.standard_id == standard.id).order_by(Question.position)).all()
    answer_everything(engine, p.agency_user, west.id, asked)
    session.add(EvidenceFile(return_id=west.id, question_id=asked[0].id, filename="policy.pdf", content_type="application/pdf",
                             size=10, sha256="c" * 64, uploaded_by_id=p.agency_user.id))
    session.commit()
    act(engine, returns.save_answer, p.agency_user, east.id, asked[1].id, rating="partly_met", narrative="Our own words")
    journey = Journey(chromium, live_server, tmp_path)

    page = journey.sign_in(p.agency_user.email, p.agency_user.name)
    journey.goto(page, f"/returns/{east.id}")
    assert "you can reuse its answers here" in words(page)
    journey.click(page, page.get_by_role("link", name="Reuse answers from another cycle"))
    journey.click(page, page.get_by_role("link", name="Westshire audit 2026-27 (in progress)"))
    assert "That return is a draft (in progress): you would reuse its latest answers" in words(page)
    for summary in page.locator(".govuk-details__summary").all()[:2]:  # which questions of standards 1 and 2 match
        summary.click()
    assert "Already answered in this return: your answer stays." in words(page)
    assert "Not answered in the other return." in words(page)  # standard 2

    journey.click(page, page.get_by_role("button", name="Reuse these standards"), expect=422)
    assert "Choose at least one standard to reuse." in words(page, ".govuk-error-summary")
    page.get_by_label(f"1. {standard.title}").check()
    journey.click(page, page.get_by_role("button", name="Reuse these standards"))
    assert "Answers reused from your return for Westshire audit 2026-27." in words(page)

    journey.goto(page, f"/returns/{east.id}/standards/{standard.id}")
    assert words(page).count("Reused from your return for Westshire audit 2026-27.") == len(asked) - 1
    assert page.get_by_label("Narrative").nth(1).input_value() == "Our own words"  # not overwritten
    assert "reused from your return for Westshire audit 2026-27)" in words(page)
    journey.click(page, page.get_by_role("link", name="Back to your return"))
    journey.click(page, page.get_by_role("link", name="History"))
    assert f"already answered here, kept: {asked[1].ref}" in words(page)
    assert journey.violations == [], journey.report()


def youth_club_in_another_cycle(w, engine) -> int:
    """For the accessibility and 320 px checks: the youth club also answers a second cycle running
    now (one question), so its return's reuse page shows an offer. Returns that return's id."""
    _, (other,) = launch_cycle(engine, w.p.coordinator, [w.p.youth], template=w.p.template, name="Eastshire audit 2026-27")
    question = next(q for q in w.questions if not q.statutory_only)
    act(engine, returns.save_answer, w.youth_user, other.id, question.id, rating="fully_met", narrative="Named lead",
        evidence_description="Minutes")
    second = next(q for q in w.questions if not q.statutory_only and q.standard_id != question.standard_id)
    act(engine, returns.save_answer, w.youth_user, other.id, second.id, rating="fully_met", narrative="Trained",
        evidence_description="Records")
    return other.id


def test_qa_sees_which_evidence_file_was_reused_and_from_where(browser, world, session, sqlite_only_engine):
    w, engine = world, sqlite_only_engine
    _, (west,) = launch_cycle(engine, w.p.coordinator, [w.p.health], template=w.p.template, name="Westshire audit 2026-27")
    question = w.questions[1]
    act(engine, returns.save_answer, w.agency_user, west.id, question.id, rating="fully_met", narrative="Named lead",
        evidence_description="Minutes")
    session.add(EvidenceFile(return_id=west.id, question_id=question.id, filename="minutes.pdf", content_type="application/pdf",
                             size=10, sha256="d" * 64, uploaded_by_id=w.agency_user.id))
    session.commit()
    act(engine, reuse.reuse, w.agency_user, w.ret.id, west.id, [question.standard_id])
    submitted(w, engine)

    signed_in(browser, w.qa)
    browser.open(f"/qa/returns/{w.ret.id}")
    assert "minutes.pdf (1 KB" in browser.text and "reused from your return for Westshire audit 2026-27)" in browser.text


def test_check_your_answers_says_which_answers_and_files_were_reused(browser, world, session, sqlite_only_engine):
    w, engine = world, sqlite_only_engine
    _, (west,) = launch_cycle(engine, w.p.coordinator, [w.p.health], template=w.p.template, name="Westshire audit 2026-27")
    question = w.questions[1]
    act(engine, returns.save_answer, w.agency_user, west.id, question.id, rating="fully_met", narrative="Named lead",
        evidence_description="Minutes")
    session.add(EvidenceFile(return_id=west.id, question_id=question.id, filename="minutes.pdf", content_type="application/pdf",
                             size=10, sha256="d" * 64, uploaded_by_id=w.agency_user.id))
    session.commit()
    act(engine, reuse.reuse, w.agency_user, w.ret.id, west.id, [question.standard_id])

    signed_in(browser, w.agency_user)
    browser.open(f"/returns/{w.ret.id}/check")
    assert browser.text.count("Reused from your return for Westshire audit 2026-27.") == 1  # the one answer given there
    assert "minutes.pdf (1 KB" in browser.text and "reused from your return for Westshire audit 2026-27)" in browser.text
