"""The forms of the return pages (agency, QA, lead person, executive), with GOV.UK widgets.

They check only the shape of what was typed (a date is a real date); every rule about the return
is the workflow's, and its reasons come back through the page's error summary. A page with one
block per question uses plain WTForms forms with a prefix each; the page carries one CSRF token.
"""

from datetime import date

from flask_wtf.file import FileField, MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from models.field_limits import is_whole_number
from web.common.form_checks import CheckedForm, CheckedSubForm
from workflow.answering.content import ReturnContent
from workflow.review.statements import RaisableStandard
from workflow.templates.spec import RatingScale

DATE_HINT = "For example, 27 3 2026"
FILE_HINT = "DOCX, DOC, PDF, JPG, PNG or GIF, smaller than 20 MB"


class Radios(GovRadioInput):
    """GOV.UK radios without an empty hint (the package always adds one, which a screen reader
    would announce as nothing)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if params.get("hint") and not (params["hint"].get("text") or params["hint"].get("html")):
            params.pop("hint")
        return params


class PageForm(CheckedForm):
    """A form on a page that may hold several: CSRFProtect checks every POST's one `csrf_token`
    (the page's), so the forms do not each carry a prefixed token of their own."""

    class Meta:
        csrf = False


class GovDateField(DateField):
    """A GOV.UK date input (day, month, year boxes sharing one name); all three empty means no date.

    WTForms' Optional() looks only at the day box, so a month and year typed without a day would
    be dropped silently; here anything typed must make a real date or the field says so.
    """

    def __init__(self, label: str, *, required: bool = False, **kwargs) -> None:
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("description", DATE_HINT)
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        if len(valuelist) != 3:
            # Not sent (or not as three boxes): the widget shows the saved date, if any.
            self.raw_data = None
            valuelist = []
        parts = [v.strip() for v in valuelist]
        if not any(parts):
            self.data = None
            if self.required:
                raise ValueError(f"Enter the {self.label.text.lower()}")
            return
        try:
            day, month, year = (int(p) for p in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"The {self.label.text.lower()} must be a real date, for example 27 3 2026") from None


def _text(label: str, hint: str = "") -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), description=hint)


# --- The agency's standard page ----------------------------------------------------------------


class QuestionForm(CheckedSubForm):
    """One question of a standard: rating, reason for N/A, narrative, evidence and a file."""

    rating = RadioField("Rating", widget=Radios(), choices=[], validate_choice=False)
    not_applicable_reason = _text("Why does this not apply to your organisation?")
    narrative = _text("What you do (narrative)", "Say how your organisation meets this, or what is missing.")
    evidence_description = _text("Evidence", "Describe the evidence and where it can be seen, or upload a file below.")
    file = FileField("Upload a file of evidence (optional)", widget=GovFileInput(), description=FILE_HINT)

    def offer(self, scale: RatingScale) -> "QuestionForm":
        """The template's scale values, and Not applicable where the template allows it."""
        self.rating.choices = list(scale.labels.items())
        return self


class ActionForm(CheckedSubForm):
    """One action of the plan: what will be done, who leads it, by when (or its removal)."""

    description = _text("What will be done")
    lead_user_id = SelectField("Lead person", widget=GovSelect(), choices=[], validate_choice=False)
    target_date = GovDateField("Target date")
    remove = BooleanField("Remove this action from the plan", widget=GovCheckboxInput())

    def offer(self, people: list[tuple[str, str]]) -> "ActionForm":
        self.lead_user_id.choices = [("", "Choose the lead person")] + people
        return self

    def is_blank(self) -> bool:
        typed_date = any(v.strip() for v in self.target_date.raw_data or [])
        return not ((self.description.data or "").strip() or self.lead_user_id.data or typed_date)

    def lead(self) -> int | None:
        value = self.lead_user_id.data or ""
        return int(value) if is_whole_number(value) else None


def question_data(content: ReturnContent, question_id: int) -> dict:
    """A question form's values from the saved answer."""
    answer = content.answers.get(question_id)
    if answer is None:
        return {}
    return {
        "rating": answer.rating,
        "not_applicable_reason": answer.not_applicable_reason,
        "narrative": answer.narrative,
        "evidence_description": answer.evidence_description,
    }


# --- Submitting, challenges, evidence requests -------------------------------------------------


class SubmitReturnForm(PageForm):
    confirm = BooleanField("", widget=GovCheckboxInput())
    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class EmailCopyForm(PageForm):
    submit = SubmitField("E-mail me a copy of our return", widget=GovSubmitInput())


class AnswerChallengeForm(PageForm):
    response = _text("Your answer", "Explain, and say where the evidence can be seen.")
    submit = SubmitField("Send your answer", widget=GovSubmitInput())


class ProvideEvidenceForm(PageForm):
    response = _text("Describe the evidence", "Say what it shows, or where it can be seen. You can also upload files.")
    files = MultipleFileField("Upload files (optional)", widget=GovFileInput(multiple=True), description=FILE_HINT)
    submit = SubmitField("Send the evidence", widget=GovSubmitInput())


# --- QA ---------------------------------------------------------------------------------------


def question_choices(content: ReturnContent) -> list[tuple[str, str]]:
    return [("", "The return as a whole")] + [(str(q.id), f"Question {q.ref}") for q in content.questions]


class RaiseChallengeForm(PageForm):
    question_id = SelectField("About", widget=GovSelect(), choices=[], validate_choice=False)
    text = _text("Challenge", "What the agency needs to explain.")
    submit = SubmitField("Raise the challenge", widget=GovSubmitInput())


class RequestEvidenceForm(PageForm):
    question_id = SelectField("About", widget=GovSelect(), choices=[], validate_choice=False)
    description = _text("Evidence wanted", "Say exactly what the agency must provide.")
    due_date = GovDateField("Due date")
    submit = SubmitField("Request the evidence", widget=GovSubmitInput())


class ModerateForm(PageForm):
    rating = RadioField("Moderated rating", widget=Radios(), choices=[], validate_choice=False)
    submit = SubmitField("Record the moderated rating", widget=GovSubmitInput())


class AcceptForm(PageForm):
    note = _text(
        "Summary for the agency (optional)",
        "Recorded in the return's history and sent to the agency in QA's feedback letter.",
    )
    submit = SubmitField("Accept the return", widget=GovSubmitInput())


class AmendForm(PageForm):
    reason = _text("What must the agency change?", "The agency sees this in the e-mail telling them.")
    submit = SubmitField("Return for amendment", widget=GovSubmitInput())


def chosen_id(value: str | None) -> int | None:
    value = value or ""
    return int(value) if is_whole_number(value) else None


# --- Lead person -------------------------------------------------------------------------------


class ProgressForm(PageForm):
    note = _text("What has been done", "Recorded in the action's history and seen by the partnership.")
    trigger = RadioField("Change the action's status", widget=Radios(), choices=[], validate_choice=False, default="")
    file = FileField("Upload evidence (optional)", widget=GovFileInput(), description=FILE_HINT)
    submit = SubmitField("Save progress", widget=GovSubmitInput())

    def offer(self, moves: list[tuple[str, str]]) -> "ProgressForm":
        self.trigger.choices = [("", "No change")] + moves
        return self


# --- Executive ---------------------------------------------------------------------------------


class SignStatementForm(PageForm):
    signed_name = StringField("Your full name", widget=GovTextInput(), description="Typing your name signs the statement.")
    confirm = BooleanField("", widget=GovCheckboxInput())
    submit = SubmitField("Sign the statement", widget=GovSubmitInput())

    def improvement_fields(self) -> list[tuple[RaisableStandard, TextAreaField]]:
        return [(standard, getattr(self, f"evidence_{i}")) for i, standard in enumerate(self.raisable)]


def sign_statement_form(raisable: list[RaisableStandard], **kwargs) -> SignStatementForm:
    """The signing form with an evidence box for each standard that may now be said to be fully met."""

    class Form(SignStatementForm):
        pass

    for i, standard in enumerate(raisable):
        setattr(
            Form,
            f"evidence_{i}",
            _text(
                f"Standard {standard.number}: {standard.title}",
                f"Self-assessed {standard.last_rating} last time. "
                "If it is now fully met, give the evidence; otherwise leave this empty.",
            ),
        )
    form = Form(**kwargs)
    form.raisable = raisable
    return form


class PeerReviewForm(PageForm):
    reason = _text("Why a re-audit by peer review (optional)")
    submit = SubmitField("Choose a re-audit by peer review", widget=GovSubmitInput())
