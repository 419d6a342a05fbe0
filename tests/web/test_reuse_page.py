"""The agency's reuse page: it chooses its return to another cycle running now, sees which
questions match and which do not, is told when it chose nothing, reuses a standard, and the
standard's page says where the answers and the evidence file came from."""

from sqlmodel import select

from models import EvidenceFile, Question, Standard
from tests.factories import act, answer_everything, launch_cycle
from workflow.answering import returns


def test_the_agency_reuses_a_standard_from_its_return_to_another_cycle(browser, partnership, session, sqlite_only_engine):
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

    browser.sign_in(p.agency_user.email)
    browser.open(f"/returns/{east.id}")
    assert "you can reuse its answers here" in browser.text
    browser.open(f"/returns/{east.id}/reuse")
    assert "Westshire audit 2026-27 (in progress)" in browser.text
    browser.open(f"/returns/{east.id}/reuse?from={west.id}")
    assert "That return is a draft (in progress): you would reuse its latest answers" in browser.text
    assert f"{asked[1].ref} {asked[1].text} Not reused Already answered in this return: your answer stays." in browser.text
    assert "Not reused Not answered in the other return." in browser.text  # standard 2

    form_page = f"/returns/{east.id}/reuse?from={west.id}"
    browser.submit(f"/returns/{east.id}/reuse/{west.id}", expect=422, form_page=form_page)
    assert "There is a problem Choose at least one standard to reuse." in browser.text
    browser.submit(f"/returns/{east.id}/reuse/{west.id}", {"standards": str(standard.id)}, form_page=form_page)
    assert "Answers reused from your return for Westshire audit 2026-27." in browser.text

    browser.open(f"/returns/{east.id}/standards/{standard.id}")
    assert browser.text.count("Reused from your return for Westshire audit 2026-27.") == len(asked) - 1
    assert "Our own words" in browser.text
    assert "policy.pdf (1 KB" in browser.text and "reused from your return for Westshire audit 2026-27)" in browser.text
    browser.open(f"/returns/{east.id}/history")
    assert "Reuse answers from another cycle's return" in browser.text
    assert f"already answered here, kept: {asked[1].ref}" in browser.text


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
