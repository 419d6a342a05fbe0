"""What each e-mail says: a subject line and plain-text and HTML bodies rendered from templates."""

import functools
import os
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup, escape

from notifications.wording import possessive

SUBJECTS = {
    "invitation": "Section 11 audit {{ cycle_name }}: your agency's return is open",
    "statement_requested": "Section 11 {{ cycle_name }}: statement of compliance for {{ agency_name }}",
    "submission_receipt": "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} return was submitted",
    "challenge_raised": "Section 11 {{ cycle_name }}: the QA sub-group has a question about your return",
    "evidence_requested": "Section 11 {{ cycle_name }}: evidence requested by {{ due_date }}",
    "evidence_provided": "Section 11 {{ cycle_name }}: {{ agency_name }} provided the evidence requested",
    "challenge_answered": "Section 11 {{ cycle_name }}: {{ agency_name }} answered a challenge",
    "returned_for_amendment": "Section 11 {{ cycle_name }}: your return was sent back for amendment",
    "withdrawn": "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} return was withdrawn",
    "history_checkpoint": "Section 11: today's signed checkpoint of the history ({{ day }})",
    "action_plan_open": "Section 11 {{ cycle_name }}: your action plan is now live",
    "action_assigned": "Section 11: you are the lead person for an action",
    "action_changed": "Section 11: an action you lead in {{ agency_name | possessive }} plan has changed",
    "statement_signed": "Section 11 {{ cycle_name }}: {{ agency_name }} signed its statement of compliance",
    "peer_review_chosen": "Section 11 {{ cycle_name }}: {{ agency_name }} chose a re-audit by peer review",
    "peer_review_request": "Section 11 {{ cycle_name }}: please peer review {{ agency_name | possessive }} return",
    "peer_review_arranged": "Section 11 {{ cycle_name }}: {{ peer_agency_name }} will peer review your return",
    "peer_review_submitted": "Section 11 {{ cycle_name }}: the peer review of {{ agency_name | possessive }} return is in",
    "peer_review_answered": "Section 11 {{ cycle_name }}: {{ agency_name }} answered its peer review",
    "peer_review_cancelled": "Section 11 {{ cycle_name }}: the peer review of {{ agency_name | possessive }} return is cancelled",
    "qa_returns_picked": "Section 11 {{ cycle_name }}: {{ count }} {{ 'return' if count == 1 else 'returns' }} picked for QA",
    "qa_feedback": "Section 11 {{ cycle_name }}: the QA sub-group's feedback on {{ agency_name | possessive }} return",
    "qa_meeting_planned": "Section 11 {{ cycle_name }}: QA meeting on {{ held_on }}, agenda pack ready",
    "qa_meeting_recorded": "Section 11 {{ cycle_name }}: decisions of the QA meeting on {{ held_on }}",
    "commissioner_comment": "Section 11 {{ cycle_name }}: {{ commissioner_name }} commented on your return",
    "good_practice_marked": "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} answer is shared as good practice",
    "action_plan_review_due": (
        "Section 11 {{ cycle_name }}: please update {{ agency_name | possessive }}"
        " actions before {{ review_date }}"
    ),
    "deadline_extended": "Section 11 {{ cycle_name }}: your deadline is now {{ new_deadline }}",
    "cycle_dates_changed": "Section 11 {{ cycle_name }}: the audit's dates have changed",
    "submission_reminder": (
        "Section 11 {{ cycle_name }}: reminder, {{ agency_name | possessive }}"
        " return is due by {{ deadline }}"
    ),
    "submission_overdue": "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} return is overdue",
    "submission_escalation": (
        "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} return is"
        " {{ days_overdue }} days overdue"
    ),
    "evidence_reminder": "Section 11 {{ cycle_name }}: evidence for QA is due by {{ due_date }}",
    "evidence_overdue": "Section 11 {{ cycle_name }}: the evidence for QA is overdue",
    "action_reminder": "Section 11: an action in {{ agency_name | possessive }} plan is due by {{ target_date }}",
    "action_overdue": "Section 11: an action in {{ agency_name | possessive }} plan is overdue",
    "action_escalation": "Section 11: an action in {{ agency_name | possessive }} plan is {{ days_overdue }} days overdue",
    "statement_reminder": (
        "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} statement of compliance is due by {{ deadline }}"
    ),
    "key_themes_written": "Section 11 {{ cycle_name }}: the key themes were written",
    "answers_carried_forward": (
        "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} answers were carried forward from {{ previous_cycle_name }}"
    ),
    "carried_standards_confirmed": (
        "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} answers carried forward are all confirmed"
    ),
    "statement_due": (
        "Section 11 {{ cycle_name }}: please sign {{ agency_name | possessive }} statement of compliance by {{ deadline }}"
    ),
    "statement_overdue": "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} statement of compliance is overdue",
    "statement_escalation": (
        "Section 11 {{ cycle_name }}: {{ agency_name | possessive }} statement of compliance is {{ days_overdue }} days overdue"
    ),
    "cycle_not_opened": "Section 11 {{ cycle_name }}: the cycle could not open on {{ opens_on }}",
    "user_invitation": "Section 11 audit: set your password to start using the service",
    "password_reset": "Section 11 audit: reset your password",
    "sign_in_paused": "Section 11 audit: signing in to your account is paused",
    "return_copy": "Section 11 {{ cycle_name }}: a copy of {{ agency_name | possessive }} return",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str


def paragraphs(body: str) -> Markup:
    """The plain-text body as HTML paragraphs, a paragraph that is only an address made a link.

    A filter rather than a loop in the layout: a sweep queues hundreds of messages, and a Jinja
    loop over each message's paragraphs cost several times the rest of its rendering."""
    html = []
    for paragraph in body.strip().split("\n\n"):
        if paragraph.startswith(("http://", "https://")):
            address = escape(paragraph)
            html.append(f'<p><a href="{address}" style="color: #1d70b8;">{address}</a></p>')
        else:
            html.append(f"<p>{escape(paragraph.replace(chr(10), ' '))}</p>")
    return Markup("\n".join(html))


_env = Environment(
    loader=PackageLoader("notifications", "templates/email"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    auto_reload=False,  # the templates ship with the code: compiled once, never looked for on disk again
)
_subject_env = Environment(undefined=StrictUndefined, autoescape=False)
for _environment in (_env, _subject_env):
    _environment.filters["possessive"] = possessive  # "Riverside Services' return", never "Services's"
_env.filters["paragraphs"] = paragraphs


def base_url() -> str:
    """Where links in e-mails point: the product's public address."""
    return os.environ.get("S11_BASE_URL", "http://127.0.0.1:5000").rstrip("/")


def render(kind: str, context: dict[str, Any]) -> RenderedEmail:
    """Render one kind of message; an unknown kind or a missing value is a programming error."""
    full = {"base_url": base_url(), **context}
    subject = _subject_template(kind).render(full)
    text = _env.get_template(f"{kind}.txt").render(full)
    html = _env.get_template("layout.html").render({**full, "subject": subject, "body": text})
    return RenderedEmail(subject=subject, text_body=text, html_body=html)


@functools.cache
def _subject_template(kind: str) -> Template:
    """Each subject line compiled once per process, not once per message."""
    return _subject_env.from_string(SUBJECTS[kind])
