"""Reuse across cycles: an agency in two cycles running at the same time starts one return from its
latest answers to the other, choosing the source and the standards; matching questions come across
with their evidence (the same stored file), answers it already gave stay, and refusals say why."""

from pathlib import Path

import pytest
from sqlmodel import func, select

from models import Answer, AuditReturn, EvidenceFile, HistoryRecord, OutboxMessage, Question, ReusedEvidence, Standard
from models.audit_return import ReturnState
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from tests.test_exports import pdf_text
from workflow.answering import returns, reuse
from workflow.errors import DomainError, NotPermitted
from workflow.reporting import pdfs
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH


def _eastshire_template(folder: Path) -> Path:
    """The default template as another partnership adapted it: question 1.2 renumbered 1.2a."""
    text = DEFAULT_TEMPLATE_PATH.read_text()
    text = text.replace("key: section11-default", "key: eastshire-section11").replace('ref: "1.2"', 'ref: "1.2a"', 1)
    path = folder / "eastshire.yaml"
    path.write_text(text)
    return path


def _question(session, template_id: int, ref: str) -> Question:
    return session.exec(select(Question).where(Question.template_id == template_id, Question.ref == ref)).one()


def _standard(session, template_id: int, number: str) -> int:
    return session.exec(select(Standard.id).where(Standard.template_id == template_id, Standard.number == number)).one()


@pytest.fixture
def two_cycles(engine, session, tmp_path):
    """Westshire's and Eastshire's cycles open at once; the trust has answered standards 1 and 2 of
    Westshire's (a file for 1.1) and, in Eastshire's, question 1.3 in its own words."""
    trust = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    nurse = add_person(session, name="Nia Nurse", roles={Role.AGENCY_USER}, agency=trust)
    west_template = install_template(session)
    east_template = install_template(session, str(_eastshire_template(tmp_path)))
    _, (west,) = launch_cycle(engine, coordinator, [trust], template=west_template, name="Westshire audit 2026-27")
    _, (east,) = launch_cycle(engine, coordinator, [trust], template=east_template, name="Eastshire audit 2026-27")
    answered = session.exec(
        select(Question).join(Standard).where(Question.template_id == west_template.id, Standard.number.in_(["1", "2"]))
    ).all()
    answer_everything(engine, nurse, west.id, answered)
    first = _question(session, west_template.id, "1.1")
    session.add(EvidenceFile(return_id=west.id, question_id=first.id, filename="policy.pdf", content_type="application/pdf",
                             size=10, sha256="b" * 64, uploaded_by_id=nurse.id))
    session.commit()
    own = _question(session, east_template.id, "1.3")
    act(engine, returns.save_answer, nurse, east.id, own.id, rating="partly_met", narrative="Our own words")
    return {"west": west, "east": east, "nurse": nurse, "coordinator": coordinator, "east_template": east_template,
            "trust": trust}


def test_the_agency_reuses_the_standards_it_chooses_and_keeps_what_it_already_answered(engine, session, two_cycles):
    w = two_cycles
    west, east, nurse, template = w["west"], w["east"], w["nurse"], w["east_template"]
    assert [(c.return_id, c.cycle_name, c.state) for c in reuse.sources(session, nurse, east.id)] == [
        (west.id, "Westshire audit 2026-27", "In progress")
    ]
    offer = reuse.offer(session, nurse, east.id, west.id)
    assert offer.available and offer.source_state == "In progress" and not offer.source_submitted
    one = next(s for s in offer.standards if s.number == "1")
    lines = {line.ref: line for line in one.lines}
    assert lines["1.1"].reusable and lines["1.1"].files == 1
    assert lines["1.2a"].reason == "The other template has no question with this reference."
    assert lines["1.3"].reason == "Already answered in this return: your answer stays."
    three = next(s for s in offer.standards if s.number == "3")
    assert three.reusable == 0 and three.lines[0].reason == "Not answered in the other return."

    outbox_before = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    details = act(engine, reuse.reuse, nurse, east.id, west.id, [one.standard_id])
    session.expire_all()
    assert session.get(AuditReturn, east.id).status == ReturnState.IN_PROGRESS
    reused = {line.ref for line in one.lines if line.reusable}
    assert set(details["questions"]) == reused and details["kept"] == ["1.3"] and details["files"] == 1
    narratives = dict(session.exec(select(Question.ref, Answer.narrative).join(Answer).where(Answer.return_id == east.id)).all())
    assert narratives["1.3"] == "Our own words"  # not overwritten
    assert {ref for ref, text in narratives.items() if text == "We have a named lead and a written policy."} == reused
    copy = session.exec(select(EvidenceFile).where(EvidenceFile.return_id == east.id)).one()
    assert copy.sha256 == "b" * 64 and copy.question_id == _question(session, template.id, "1.1").id
    assert session.get(ReusedEvidence, copy.id).from_return_id == west.id
    words = reuse.reused_from(session, east.id)
    assert words["files"] == {copy.id: "reused from your return for Westshire audit 2026-27"}
    assert len(words["questions"]) == len(reused)
    record = session.exec(select(HistoryRecord).where(HistoryRecord.return_id == east.id,
                                                      HistoryRecord.trigger == "reuse_answers")).one()
    assert record.reason == "Reused from Westshire audit 2026-27" and record.details["standards"] == ["1"]
    assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == outbox_before  # no e-mail per click

    with pytest.raises(DomainError, match="Standard 1 has nothing left to reuse"):
        act(engine, reuse.reuse, nurse, east.id, west.id, [one.standard_id])
    with pytest.raises(DomainError, match="Choose at least one standard"):
        act(engine, reuse.reuse, nurse, east.id, west.id, [])
    with pytest.raises(NotPermitted):
        act(engine, reuse.reuse, w["coordinator"], east.id, west.id, [one.standard_id])


def test_reuse_is_refused_with_its_reasons(engine, session, two_cycles):
    w = two_cycles
    west, east, nurse = w["west"], w["east"], w["nurse"]
    two = _standard(session, w["east_template"].id, "2")

    other = add_agency(session, name="Eastshire Police")
    _, (police,) = launch_cycle(engine, w["coordinator"], [other], template=install_template(session, "wirral-questions.yaml"),
                                name="Police audit")
    assert reuse.offer(session, nurse, east.id, police.id).refusals == [
        "The return to reuse from belongs to another agency: only your agency's own answers can be reused."
    ]

    scored = install_template(session, "scored-0-3.yaml")
    _, (third,) = launch_cycle(engine, w["coordinator"], [w["trust"]], template=scored, name="Scored audit")
    assert "Westshire audit 2026-27 uses a different rating scale from Scored audit: no answer can be reused." in (
        reuse.offer(session, nurse, third.id, west.id).refusals
    )

    # The source may be submitted (the offer says so); the target may not.
    west_row, east_row = session.get(AuditReturn, west.id), session.get(AuditReturn, east.id)
    west_row.status, east_row.status = ReturnState.SUBMITTED, ReturnState.SUBMITTED
    session.commit()
    offer = reuse.offer(session, nurse, east.id, west.id)
    assert offer.source_state == "Submitted" and offer.source_submitted
    with pytest.raises(DomainError) as refused:
        act(engine, reuse.reuse, nurse, east.id, west.id, [two])
    assert refused.value.reasons == ["The return is submitted: nothing can be reused into it now."]
    assert session.exec(select(func.count()).select_from(Answer).where(Answer.return_id == east.id)).one() == 1


def test_the_printed_return_says_which_answers_and_files_were_reused_before_and_after_submission(
    engine, session, two_cycles
):
    w = two_cycles
    west, east, nurse, template = w["west"], w["east"], w["nurse"], w["east_template"]
    details = act(engine, reuse.reuse, nurse, east.id, west.id, [_standard(session, template.id, "1")])
    reused = "This answer was reused from the agency's return for Westshire audit 2026-27."
    file = f"policy.pdf (SHA-256 {'b' * 64}, reused from the agency's return for Westshire audit 2026-27)"

    draft = pdf_text(pdfs.return_pdf(session, east.id))
    assert "(DRAFT)" in draft
    assert draft.count(reused) == len(details["questions"]) and file in draft
    assert "Our own words Evidence Reused" not in draft  # 1.3 is the agency's own answer

    rest = [q for q in questions_of(session, template) if q.ref not in details["questions"]]
    answer_everything(engine, nurse, east.id, rest)  # 1.3 Fully met now, so the return can go
    act(engine, returns.submit, nurse, east.id, declaration_confirmed=True)
    printed = pdf_text(pdfs.return_pdf(session, east.id))
    assert "Submission 1 as submitted" in printed  # from the frozen copy, the marks read beside it
    assert printed.count(reused) == len(details["questions"]) and file in printed
