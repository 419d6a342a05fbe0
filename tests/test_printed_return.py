"""The printable return of a submitted return is its frozen submission copy: what was submitted,
whatever changed in the rows afterwards; a return still with the agency prints as a draft."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import select

from models import SubmissionCopy
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from workflow.answering import returns
from workflow.reporting import pdfs
from workflow.review import qa


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def answered(engine, session):
    """A return with every question answered 'Fully met' and one action each, not yet submitted."""
    agency = add_agency(session, name="Riverside Police")
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    lead = add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=agency)
    template = install_template(session)
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    questions = questions_of(session, template)
    answer_everything(engine, agency_user, launched[0].id, questions, lead=lead)
    return {"id": launched[0].id, "user": agency_user, "questions": questions, "coordinator": coordinator}


def change_behind_the_product(engine, sql: str, **params) -> None:
    """Raw SQL, as someone with write access to the database might run it."""
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def test_a_submitted_return_prints_what_was_submitted_even_after_its_rows_change(engine, session, answered):
    act(engine, returns.submit, answered["user"], answered["id"], declaration_confirmed=True)
    first = answered["questions"][0]
    change_behind_the_product(
        engine,
        "UPDATE answer SET rating = 'not_met', narrative = 'Rewritten afterwards' WHERE return_id = :r AND question_id = :q",
        r=answered["id"],
        q=first.id,
    )
    change_behind_the_product(engine, "UPDATE action SET description = 'Quietly changed' WHERE return_id = :r", r=answered["id"])

    printed = pdf_text(pdfs.return_pdf(session, answered["id"]))

    assert "Rewritten afterwards" not in printed and "Not met" not in printed
    assert "Quietly changed" not in printed
    assert f"{first.ref} " in printed and "We have a named lead and a written policy." in printed
    assert "Review the policy" in printed and "Lee Lead" in printed
    assert "by Alex Agency" in printed and "DRAFT" not in printed


def test_evidence_files_print_by_name_and_hash_as_submitted(engine, session, answered):
    first = answered["questions"][0]
    act(
        engine, returns.record_evidence_file, answered["user"], answered["id"], filename="policy.pdf",
        content_type="application/pdf", size=1234, sha256="a" * 64, question_id=first.id,
    )
    act(engine, returns.submit, answered["user"], answered["id"], declaration_confirmed=True)
    change_behind_the_product(
        engine,
        "UPDATE evidence_file SET filename = 'swapped.pdf', sha256 = :h WHERE return_id = :r",
        h="b" * 64,
        r=answered["id"],
    )

    printed = pdf_text(pdfs.return_pdf(session, answered["id"]))

    assert f"policy.pdf (SHA-256 {'a' * 64})" in printed
    assert "swapped.pdf" not in printed and "b" * 64 not in printed


def test_the_printed_copy_states_the_sha256_the_history_sealed(engine, session, answered):
    act(engine, returns.submit, answered["user"], answered["id"], declaration_confirmed=True)
    copy = session.exec(select(SubmissionCopy).where(SubmissionCopy.return_id == answered["id"])).one()

    printed = pdf_text(pdfs.return_pdf(session, answered["id"]))

    assert f"Submission 1 as submitted. SHA-256 of the frozen copy: {copy.sha256}" in printed


def test_a_draft_prints_from_its_rows_marked_as_a_draft(engine, session, answered):
    change_behind_the_product(
        engine, "UPDATE answer SET narrative = 'Still being written' WHERE return_id = :r", r=answered["id"]
    )

    data = pdfs.return_pdf(session, answered["id"])
    printed = pdf_text(data)

    assert "Riverside Police: Section 11 return (DRAFT)" in printed
    assert "DRAFT: not submitted; printed from the return as it stands now." in printed
    assert "Still being written" in printed and "SHA-256 of the frozen copy" not in printed
    assert PdfReader(io.BytesIO(data)).metadata.title.endswith("(draft)")


def test_a_return_sent_back_for_amendment_prints_as_a_draft_again(engine, session, answered):
    act(engine, returns.submit, answered["user"], answered["id"], declaration_confirmed=True)
    reviewer = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    act(engine, qa.return_for_amendment, reviewer, answered["id"], reason="Say more about training")
    change_behind_the_product(engine, "UPDATE answer SET narrative = 'Amended draft' WHERE return_id = :r", r=answered["id"])

    printed = pdf_text(pdfs.return_pdf(session, answered["id"]))

    assert "DRAFT" in printed and "Amended draft" in printed


def test_submitted_on_is_the_frozen_copys_moment(engine, session, answered):
    act(engine, returns.submit, answered["user"], answered["id"], declaration_confirmed=True)
    change_behind_the_product(
        engine, "UPDATE audit_return SET submitted_at = '2020-01-01 09:00:00' WHERE id = :r", r=answered["id"]
    )

    printed = pdf_text(pdfs.return_pdf(session, answered["id"]))

    assert "1 January 2020" not in printed and "Submitted " in printed
