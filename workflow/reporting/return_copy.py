"""'E-mail me a copy of our return': the answers as plain text, with the printable return as a PDF.

Wirral's online form offers the same before its 'done' button; here it works at any time, to the
signed-in person's own address only, so a copy never goes to someone who could not see the return.
"""

from sqlmodel import Session

from models import AuditReturn, OutboxMessage, User
from models.audit_return import ReturnState
from notifications.backends import Attachment
from workflow.access import visible_return
from workflow.answering import content as return_content
from workflow.answering.content import ReturnContent
from workflow.answering.return_view import people_named
from workflow.clock import uk_date
from workflow.errors import DomainError
from workflow.mail import outbox
from workflow.mail.notify import return_context
from workflow.reporting.pdfs import return_pdf


def as_text(content: ReturnContent, names: dict[int, str]) -> str:
    """Every standard, question, rating, narrative, evidence and action, one paragraph each."""
    scale = content.scale
    parts = []
    for standard in content.standards:
        parts.append(f"Standard {standard.number}: {standard.title}")
        for question in content.questions_of(standard):
            answer = content.answers.get(question.id)
            lines = [f"{question.ref} {' '.join(question.text.split())}"]
            if answer is None or not answer.rating:
                lines.append("Rating: not answered")
            else:
                lines.append(f"Rating: {scale.label_for(answer.rating) if scale.allows(answer.rating) else answer.rating}")
                if answer.not_applicable_reason:
                    lines.append(f"Why it does not apply: {answer.not_applicable_reason}")
            if answer is not None and answer.narrative:
                lines.append(f"Narrative: {answer.narrative}")
            if answer is not None and answer.evidence_description:
                lines.append(f"Evidence: {answer.evidence_description}")
            for file in content.files_for(question):
                lines.append(f"Evidence file: {file.filename}")
            for action in content.actions_for(question):
                lead = names.get(action.lead_user_id, "no lead person yet") if action.lead_user_id else "no lead person yet"
                due = uk_date(action.target_date) if action.target_date else "no target date yet"
                lines.append(f"Action: {action.description or '(not described yet)'}; lead: {lead}; by {due}")
            parts.append("\n".join(lines))
    return "\n\n".join(parts)


def email_me_a_copy(session: Session, actor: User, return_id: int) -> OutboxMessage:
    """Queue a copy of the return, as it stands now, to the person asking."""
    ret = visible_return(session, actor, return_id)
    if not actor.email:
        raise DomainError("Your account has no e-mail address to send the copy to.")
    content = return_content.load(session, ret)
    names = people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id})
    context = return_context(
        session, ret, state=ReturnState(ret.status).title, deadline=uk_date(content.deadline),
        answers=as_text(content, names),
    )
    return outbox.queue(session, kind="return_copy", to_email=actor.email, to_name=actor.name, context=context, return_id=ret.id)


def attachments_for(session: Session, message: OutboxMessage) -> tuple[Attachment, ...]:
    """The printable return (the Board's PDF of it), made when the copy is sent so the row stays small;
    once submitted it is the frozen submission copy, so the attachment is what was submitted."""
    if message.kind != "return_copy" or message.return_id is None:
        return ()
    agency = return_content.load_agency(session, session.get(AuditReturn, message.return_id))
    filename = "".join(c if c.isalnum() else "_" for c in agency.name) + "_Section_11_return.pdf"
    return (Attachment(filename, "application/pdf", return_pdf(session, message.return_id)),)
