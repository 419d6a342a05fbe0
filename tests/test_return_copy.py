"""'E-mail me a copy of our return': the message carries the printable return as a PDF."""

import email
import io
from email import policy

from pypdf import PdfReader

from models.user import Role
from notifications.backends import FolderBackend
from notifications.outbox_worker import deliver_pending
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from workflow.reporting.return_copy import email_me_a_copy


def test_the_copy_of_the_return_arrives_with_the_return_as_a_pdf(engine, session, tmp_path):
    agency = add_agency(session, name="Riverside Police")
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    agency_user = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency)
    template = install_template(session)
    _cycle, launched = launch_cycle(engine, coordinator, [agency], template=template)
    answer_everything(engine, agency_user, launched[0].id, questions_of(session, template)[:3])

    act(engine, email_me_a_copy, agency_user, launched[0].id)
    deliver_pending(engine, FolderBackend(tmp_path, "s11@example.org", "Section 11 audit"))

    copies = [
        message
        for message in (email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in tmp_path.glob("*.eml"))
        if message["To"].addresses[0].addr_spec == "alex.agency@example.org" and "copy" in message["Subject"].lower()
    ]
    assert len(copies) == 1
    (pdf,) = [part for part in copies[0].iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "Riverside_Police_Section_11_return.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "Riverside Police" in text
