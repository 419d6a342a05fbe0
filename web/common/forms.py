"""The forms, rendered with GOV.UK Frontend widgets.

Forms check only the shape of what was typed (a date is a date, a file was chosen); whether the
change is allowed is the workflow's business, and its reasons come back through the error summary.
"""

from datetime import date

from flask_wtf import FlaskForm
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
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from models.cycle import CycleKind
from models.field_limits import is_whole_number
from models.user import Role
from web.common.form_checks import CheckedForm
from workflow.calendar.cycles import CycleDates, CycleSettings
from workflow.people.agencies import AgencyDetails
from workflow.people.sectors import SECTOR_NAMES

DATE_FORMAT = "%d %m %Y"


def options(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """Choices for a select, radios or checkboxes (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def put_reasons_on_fields(form: FlaskForm | None, reasons: list[str]) -> list[str]:
    """A workflow reason that names one of this form's fields is shown beside that field and linked
    from the error summary; the others stay in the summary. Returns the others."""
    rest = []
    for reason in reasons:
        name = getattr(reason, "field", None)
        if form is not None and name in form._fields:
            field = form[name]
            field.errors = [*field.errors, str(reason)]
        else:
            rest.append(reason)
    return rest


def _date(label: str, hint: str = "For example, 27 3 2026") -> DateField:
    return DateField(
        label,
        format=DATE_FORMAT,
        widget=GovDateInput(),
        description=hint,
        validators=[InputRequired(message=f"Enter {label.lower()} as a real date")],
    )


class UKDateField(DateField):
    """Day, month and year boxes; an empty date is None (the workflow says it is needed, beside
    the other reasons), one that is not a real date says so in words."""

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:  # noqa: ANN001
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None and len(self.raw_data) != 3:
            self.raw_data = None  # not posted as day, month, year: show the boxes empty

    def process_formdata(self, valuelist: list[str]) -> None:
        if not any((v or "").strip() for v in valuelist):
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(f"Enter {self.label.text.lower()} as a real date, for example 27 3 2027") from None


def _uk_date(label: str, hint: str = "For example, 27 3 2027") -> UKDateField:
    return UKDateField(label, format=DATE_FORMAT, widget=GovDateInput(), description=hint, validators=[Optional()])


def whole_days(text: str | None) -> list[int] | None:
    """'14, 7, 1' as days; None when nothing was typed, and [] when it is not a list of whole
    numbers (the workflow says what to type)."""
    parts = [p.strip() for p in (text or "").replace(";", ",").replace(" and ", ",").split(",") if p.strip()]
    if not parts:
        return None
    return [int(p) for p in parts] if all(is_whole_number(p) for p in parts) else []


def whole_number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if is_whole_number(text) else None


def _reminder_days() -> StringField:
    return StringField(
        "Reminder days",
        widget=GovTextInput(),
        default="14, 7, 1",
        description="Days before a deadline that reminders go, separated by commas, for example 14, 7, 1",
    )


def _escalation_days() -> StringField:
    return StringField(
        "Escalation delay in days",
        widget=GovTextInput(),
        default="7",
        description="Days after the submission deadline that the executive and coordinators are told of an overdue return",
    )


class RemindersFields:
    """Reading the reminder days and escalation delay, for the cycle form and the reminders page
    (each declares the two fields where they sit on its page, so errors are listed in page order)."""

    reminder_days: StringField
    escalation_days: StringField

    def chosen_reminders(self) -> tuple[list[int] | None, int | None]:
        return whole_days(self.reminder_days.data), whole_number(self.escalation_days.data)


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
    sector = SelectField(
        "Sector",
        widget=GovSelect(),
        choices=options([("", "Choose a sector")] + [(name, name) for name in SECTOR_NAMES]),
        validate_choice=False,  # the workflow says what is wrong with a sector, with every other reason
        description="The bodies Section 11 applies to, or the voluntary, faith and commissioned services",
    )
    statutory = RadioField(
        "Is it a statutory agency?",
        widget=GovRadioInput(),
        choices=options([("yes", "Yes"), ("no", "No")]),
        description="Statutory agencies answer every question; some apply to them only.",
        validate_choice=False,
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
            statutory={"yes": True, "no": False}.get(self.statutory.data or ""),
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
        return int(value) if is_whole_number(value) else None


class PersonForm(CheckedForm):
    """A person's details as the coordinator changes them (the e-mail address is their sign-in)."""

    name = StringField("Full name", widget=GovTextInput())
    job_title = StringField("Job title (optional)", widget=GovTextInput())
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=options([(r.value, r.title) for r in Role]),
        validate_choice=False,
        description="Select all that apply. Agency user, lead person and executive belong to one agency.",
    )
    agency_id = SelectField(
        "Agency", widget=GovSelect(), choices=[], validate_choice=False, description="Leave as “None” for partnership staff"
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def chosen_roles(self) -> set[Role]:
        return {Role(r) for r in self.roles.data or [] if r in Role._value2member_map_}

    def chosen_agency(self) -> int | None:
        return whole_number(self.agency_id.data)


# --- Cycles ---------------------------------------------------------------------------------


class CycleForm(CheckedForm, RemindersFields):
    name = StringField("Name", widget=GovTextInput(), description="For example, Section 11 audit 2026-27")
    kind = RadioField(
        "Kind of year",
        widget=GovRadioInput(),
        choices=options([(k.value, k.title) for k in CycleKind]),
        default=CycleKind.FULL_AUDIT.value,
        validate_choice=False,
    )
    template_id = SelectField("Standards template", widget=GovSelect(), choices=[], validate_choice=False)
    previous_cycle_id = SelectField(
        "Previous cycle",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="Needed for a statement of compliance year: the full audit it follows",
    )
    opens_on = _uk_date("Opening date")
    submission_deadline = _uk_date("Submission deadline")
    qa_window_ends = _uk_date("End of the QA window")
    action_plan_review = _uk_date("Action plan review")
    statement_deadline = _uk_date("Statement of compliance deadline")
    reminder_days = _reminder_days()
    escalation_days = _escalation_days()
    agency_ids = SelectMultipleField("Agencies taking part", widget=GovCheckboxesInput(), choices=[], validate_choice=False)
    # Offered only to a coordinator of more than one partnership, when a cycle is made.
    partnership_ids = SelectMultipleField(
        "Partnerships taking part",
        widget=GovCheckboxesInput(),
        choices=[],
        validate_choice=False,
        description="Tick two or more for a joint cycle. Each agency answers once, however many of them it is in. "
        "Leave all unticked for a cycle of the first one listed alone.",
    )
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
        return int(value) if is_whole_number(value) else 0

    def chosen_previous(self) -> int | None:
        value = self.previous_cycle_id.data or ""
        return int(value) if is_whole_number(value) else None

    def chosen_agencies(self) -> list[int]:
        return [int(v) for v in self.agency_ids.data or [] if is_whole_number(str(v))]

    def chosen_partnerships(self) -> list[int] | None:
        return [int(v) for v in self.partnership_ids.data or [] if is_whole_number(str(v))] or None

    def settings(self) -> CycleSettings:
        reminder_days, escalation_days = self.chosen_reminders()
        kind = self.kind.data if self.kind.data in CycleKind._value2member_map_ else CycleKind.FULL_AUDIT.value
        return CycleSettings(
            name=self.name.data or "",
            kind=CycleKind(kind),
            template_id=self.chosen_template(),
            dates=self.dates(),
            agency_ids=self.chosen_agencies(),
            previous_cycle_id=self.chosen_previous(),
            reminder_days=reminder_days,
            escalation_days=escalation_days,
            partnership_ids=self.chosen_partnerships(),
        )


class CycleDatesForm(CheckedForm):
    """A launched cycle's dates, moved with a reason the agencies are told."""

    submission_deadline = _uk_date("Submission deadline")
    qa_window_ends = _uk_date("End of the QA window")
    action_plan_review = _uk_date("Action plan review")
    statement_deadline = _uk_date("Statement of compliance deadline")
    reason = TextAreaField("Reason", widget=GovTextArea(), description="Each agency taking part is told this by e-mail")
    submit = SubmitField("Change the dates", widget=GovSubmitInput())

    def dates(self, opens_on: date) -> CycleDates:
        return CycleDates(
            opens_on=opens_on,
            submission_deadline=self.submission_deadline.data,
            qa_window_ends=self.qa_window_ends.data,
            action_plan_review=self.action_plan_review.data,
            statement_deadline=self.statement_deadline.data,
        )


class RemindersForm(CheckedForm, RemindersFields):
    reminder_days = _reminder_days()
    escalation_days = _escalation_days()
    submit = SubmitField("Save the reminders", widget=GovSubmitInput())


class AddAgencyToCycleForm(CheckedForm):
    agency_id = SelectField("Agency", widget=GovSelect(), choices=[], validate_choice=False)
    submit = SubmitField("Invite the agency", widget=GovSubmitInput())

    def chosen(self) -> int:
        return whole_number(self.agency_id.data) or 0


class ReopenCycleForm(CheckedForm):
    reason = TextAreaField("Reason", widget=GovTextArea())
    statement_deadline = _uk_date(
        "New statement of compliance deadline", "Needed if the old one has passed. For example, 27 3 2027"
    )
    submit = SubmitField("Reopen the cycle", widget=GovSubmitInput())


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
