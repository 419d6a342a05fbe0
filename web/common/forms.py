"""The forms, rendered with GOV.UK Frontend widgets.

Forms check only the shape of what was typed (a date is a date, a file was chosen); whether the
change is allowed is the workflow's business, and its reasons come back through the error summary.
"""

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from models.cycle import CycleKind
from models.user import Role
from web.common.form_checks import CheckedForm
from workflow.calendar.cycles import CycleDates
from workflow.people.agencies import AgencyDetails

DATE_FORMAT = "%d %m %Y"


def options(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """Choices for a select, radios or checkboxes (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _date(label: str, hint: str = "For example, 27 3 2026") -> DateField:
    return DateField(
        label,
        format=DATE_FORMAT,
        widget=GovDateInput(),
        description=hint,
        validators=[InputRequired(message=f"Enter {label.lower()} as a real date")],
    )


# --- Signing in -------------------------------------------------------------------------------


class SignInForm(CheckedForm):
    email = StringField("E-mail address", widget=GovTextInput(), validators=[DataRequired(message="Enter your e-mail address")])
    password = PasswordField("Password", widget=GovPasswordInput(), validators=[DataRequired(message="Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgottenPasswordForm(CheckedForm):
    email = StringField(
        "E-mail address",
        widget=GovTextInput(),
        description="We will send a link to reset your password to this address.",
        validators=[DataRequired(message="Enter your e-mail address")],
    )
    submit = SubmitField("Send the link", widget=GovSubmitInput())


class SetPasswordForm(CheckedForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="At least 12 characters. A few unrelated words make a good one.",
        validators=[DataRequired(message="Enter a new password")],
    )
    confirmation = PasswordField(
        "Type the password again", widget=GovPasswordInput(), validators=[DataRequired(message="Type the password again")]
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ConfirmForm(CheckedForm):
    """A button and its CSRF token, for moves that need no typing (sign out, launch, release)."""


# --- Agencies -------------------------------------------------------------------------------


class AgencyForm(CheckedForm):
    name = StringField("Name", widget=GovTextInput())
    sector = StringField("Sector", widget=GovTextInput(), description="For example Health, Police, Local authority or Voluntary")
    statutory = RadioField(
        "Is it a statutory agency?",
        widget=GovRadioInput(),
        choices=options([("yes", "Yes"), ("no", "No")]),
        description="Statutory agencies answer every question; some apply to them only.",
        validators=[InputRequired(message="Say whether the agency is statutory")],
    )
    commissioned_by = SelectField(
        "Commissioned by",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="For a voluntary body: the agency that commissions it",
    )
    contact_name = StringField("Contact's name", widget=GovTextInput())
    contact_email = StringField(
        "Contact's e-mail address",
        widget=GovTextInput(),
        description="Invitations and reminders go here until the agency has users",
    )
    executive_name = StringField(
        "Executive's name",
        widget=GovTextInput(),
        description="The chief executive or leader who signs the statement of compliance",
    )
    executive_email = StringField("Executive's e-mail address", widget=GovTextInput())
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def details(self) -> AgencyDetails:
        return AgencyDetails(
            name=self.name.data or "",
            sector=self.sector.data or "",
            statutory=self.statutory.data == "yes",
            commissioned_by=self.commissioned_by.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            executive_name=self.executive_name.data or "",
            executive_email=self.executive_email.data or "",
        )


class UploadForm(CheckedForm):
    """One file: an agency list (CSV) or a standards template (YAML or JSON)."""

    file = FileField("Choose a file", widget=GovFileInput(), validators=[FileRequired(message="Choose a file to upload")])
    submit = SubmitField("Upload", widget=GovSubmitInput())


# --- People ---------------------------------------------------------------------------------


class InviteForm(CheckedForm):
    name = StringField("Full name", widget=GovTextInput())
    email = StringField("E-mail address", widget=GovTextInput(), description="The invitation to set a password goes here")
    job_title = StringField("Job title (optional)", widget=GovTextInput())
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=options([(r.value, r.title) for r in Role]),
        description="Select all that apply. Agency user, lead person and executive belong to one agency.",
    )
    agency_id = SelectField(
        "Agency", widget=GovSelect(), choices=[], validate_choice=False, description="Leave as “None” for partnership staff"
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def chosen_roles(self) -> set[Role]:
        return {Role(r) for r in self.roles.data or [] if r in Role._value2member_map_}

    def chosen_agency(self) -> int | None:
        value = self.agency_id.data or ""
        return int(value) if value.isdigit() else None


# --- Cycles ---------------------------------------------------------------------------------


class CycleForm(CheckedForm):
    name = StringField("Name", widget=GovTextInput(), description="For example, Section 11 audit 2026-27")
    kind = RadioField(
        "Kind of year",
        widget=GovRadioInput(),
        choices=options([(k.value, k.title) for k in CycleKind]),
        default=CycleKind.FULL_AUDIT.value,
        validators=[InputRequired(message="Choose the kind of year")],
    )
    template_id = SelectField("Standards template", widget=GovSelect(), choices=[], validate_choice=False)
    previous_cycle_id = SelectField(
        "Previous cycle",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="Needed for a statement of compliance year: the full audit it follows",
    )
    opens_on = _date("Opening date")
    submission_deadline = _date("Submission deadline")
    qa_window_ends = _date("End of the QA window")
    action_plan_review = _date("Action plan review")
    statement_deadline = _date("Statement of compliance deadline")
    agency_ids = SelectMultipleField("Agencies taking part", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    submit = SubmitField("Create cycle", widget=GovSubmitInput())

    def dates(self) -> CycleDates:
        return CycleDates(
            opens_on=self.opens_on.data,
            submission_deadline=self.submission_deadline.data,
            qa_window_ends=self.qa_window_ends.data,
            action_plan_review=self.action_plan_review.data,
            statement_deadline=self.statement_deadline.data,
        )

    def chosen_template(self) -> int:
        value = self.template_id.data or ""
        return int(value) if value.isdigit() else 0

    def chosen_previous(self) -> int | None:
        value = self.previous_cycle_id.data or ""
        return int(value) if value.isdigit() else None

    def chosen_agencies(self) -> list[int]:
        return [int(v) for v in self.agency_ids.data or [] if str(v).isdigit()]


class ExtendDeadlineForm(CheckedForm):
    new_deadline = _date("New deadline")
    reason = TextAreaField("Reason", widget=GovTextArea(), description="The agency sees this in the e-mail telling them")
    submit = SubmitField("Extend the deadline", widget=GovSubmitInput())


class DipSampleForm(CheckedForm):
    count = IntegerField(
        "How many returns to draw",
        widget=GovTextInput(),
        default=2,
        validators=[
            InputRequired(message="Enter how many returns to draw as a whole number"),
            NumberRange(min=1, message="Draw at least one return"),
        ],
    )
    seed = StringField(
        "Seed (optional)",
        widget=GovTextInput(),
        validators=[Optional()],
        description="Leave empty for a new random draw. To repeat a draw, give the seed it showed.",
    )
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class ReasonForm(CheckedForm):
    """A move that must say why: pick by hand, return for amendment, withdraw, close."""

    reason = TextAreaField("Reason", widget=GovTextArea())
    submit = SubmitField("Continue", widget=GovSubmitInput())
