"""The peer review forms: the coordinator's pairing, the reviewer's view of each standard, the
agency's answer. They check only the shape of what was typed; the rules are the workflow's."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import Form, RadioField, SelectField, SubmitField, TextAreaField

from models.field_limits import is_whole_number
from web.common.forms import options
from web.returns.forms import GovDateField, PageForm, Radios
from workflow.review.peer_review_view import ArrangePage, StandardLine
from workflow.review.peer_reviews import StandardFinding


def _text(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint)


class ArrangePeerReviewForm(FlaskForm):
    return_id = SelectField("Return to review", widget=GovSelect(), choices=[], validate_choice=False)
    peer_agency_id = SelectField("Peer organisation", widget=GovSelect(), choices=[], validate_choice=False)
    reviewer_id = SelectField(
        "Reviewer", widget=GovSelect(), choices=[], validate_choice=False, description="A person at the peer organisation"
    )
    starts_on = GovDateField("Date the review starts")
    ends_on = GovDateField("Date the review ends", description="The reviewer can read the return until the end of this day")
    submit = SubmitField("Arrange the peer review", widget=GovSubmitInput())


def arrange_form(page: ArrangePage) -> ArrangePeerReviewForm:
    form = ArrangePeerReviewForm()
    form.return_id.choices = options([("", "Choose a return")] + [(str(c.value), c.text) for c in page.returns])
    form.peer_agency_id.choices = options([("", "Choose an organisation")] + [(str(c.value), c.text) for c in page.agencies])
    form.reviewer_id.choices = options([("", "Choose a person")] + [(str(c.value), c.text) for c in page.reviewers])
    return form


def chosen(value: str | None) -> int | None:
    """A select's value as an id; the empty choice is None, so the workflow asks for it."""
    return int(value) if value and is_whole_number(value) else None


class StandardReviewForm(Form):
    """The reviewer's view of one standard (one per standard on the page, each with a prefix)."""

    agrees = RadioField(
        "Do you agree with the agency's rating?",
        widget=Radios(),
        choices=options([("yes", "Yes, I agree"), ("no", "No, I do not agree")]),
        validate_choice=False,
    )
    findings = _text("Findings", "What you saw, and why you agree or not")
    recommendations = _text("Recommendations (optional)")


class ReviewSummaryForm(PageForm):
    summary = _text("Summary of the review", "The agency, the QA sub-group and the coordinator read this first")
    submit = SubmitField("Submit the peer review", widget=GovSubmitInput())


def standard_forms(lines: list[StandardLine], formdata=None) -> dict[str, StandardReviewForm]:
    forms = {}
    for index, line in enumerate(lines):
        form = StandardReviewForm(formdata=formdata, prefix=f"s{index}")
        form.agrees.label.text = f"Do you agree with the agency's rating of standard {line.number} ({line.agency_rating})?"
        forms[line.number] = form
    return forms


def findings_from(forms: dict[str, StandardReviewForm]) -> list[StandardFinding]:
    return [
        StandardFinding(
            number,
            {"yes": True, "no": False}.get(form.agrees.data or ""),
            findings=form.findings.data or "",
            recommendations=form.recommendations.data or "",
        )
        for number, form in forms.items()
    ]


class AnswerPeerReviewForm(PageForm):
    response = _text("Your answer to the peer review", "Say what you will do about each recommendation")
    submit = SubmitField("Send your answer", widget=GovSubmitInput())
