"""The survey's forms: they check the shape of what was typed; the rules are in workflow/survey/."""

import uuid

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovFileInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import DateField, HiddenField, IntegerField, RadioField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from models.survey import DEFAULT_CONFIDENT_AGREEMENT, DEFAULT_LOW_AGREEMENT, DEFAULT_MINIMUM_RESPONSES
from web.common.forms import DATE_FORMAT, options
from workflow.survey.importing import ColumnMapping
from workflow.survey.responding import SurveyPage
from workflow.survey.settings import SurveySettings


def _date(label: str) -> DateField:
    return DateField(
        label,
        format=DATE_FORMAT,
        widget=GovDateInput(),
        description="For example, 27 3 2027",
        validators=[InputRequired(message=f"Enter the {label.lower()} as a real date")],
    )


def _percent(label: str, hint: str, default: int) -> IntegerField:
    return IntegerField(
        label,
        widget=GovTextInput(),
        default=default,
        description=hint,
        validators=[
            InputRequired(message=f"Enter the {label.lower()} as a whole number"),
            NumberRange(min=0, max=100, message=f"The {label.lower()} must be from 0 to 100"),
        ],
    )


class SurveySettingsForm(FlaskForm):
    opens_on = _date("Opening date")
    closes_on = _date("Closing date")
    minimum_responses = IntegerField(
        "Minimum number of responses",
        widget=GovTextInput(),
        default=DEFAULT_MINIMUM_RESPONSES,
        description="No figure is shown or exported for an agency or a sector with fewer responses than this.",
        validators=[
            InputRequired(message="Enter the minimum number of responses as a whole number"),
            NumberRange(min=1, message="The minimum number of responses must be 1 or more"),
        ],
    )
    low_agreement = _percent(
        "Low agreement threshold",
        "Percent. A standard rated at the top of the scale is flagged when staff agreement is below this.",
        DEFAULT_LOW_AGREEMENT,
    )
    confident_agreement = _percent(
        "Confident agreement threshold",
        "Percent. A standard rated low is flagged when staff agreement is at or above this.",
        DEFAULT_CONFIDENT_AGREEMENT,
    )
    submit = SubmitField("Save the survey settings", widget=GovSubmitInput())

    def settings(self) -> SurveySettings:
        return SurveySettings(
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            minimum_responses=self.minimum_responses.data,
            low_agreement=self.low_agreement.data,
            confident_agreement=self.confident_agreement.data,
        )


def import_form(question_refs: list[tuple[str, str]]) -> FlaskForm:
    """The import form: the file, the agency's column, and a column for each survey question."""

    class ImportForm(FlaskForm):
        file = FileField(
            "File of responses",
            widget=GovFileInput(),
            description="A CSV file (.csv) or an Excel workbook (.xlsx), one response a row.",
            validators=[FileRequired(message="Choose the file of responses")],
        )
        agency_column = StringField(
            "Column that names the agency",
            widget=GovTextInput(),
            default="Agency",
            description="The heading of that column, as written in the file's first row.",
            validators=[InputRequired(message="Enter the heading of the column that names the agency")],
        )
        submit = SubmitField("Import the responses", widget=GovSubmitInput())

        def mapping(self) -> ColumnMapping:
            columns = {ref: (self[f"column_{ref}"].data or "").strip() for ref, _ in question_refs}
            return ColumnMapping((self.agency_column.data or "").strip(), columns)

    for ref, text in question_refs:
        setattr(
            ImportForm,
            f"column_{ref}",
            StringField(
                f"Column for {ref}: {text}",
                widget=GovTextInput(),
                validators=[Optional()],
                description="Leave empty if the other survey did not ask this.",
            ),
        )
    return ImportForm()


def answer_form(page: SurveyPage) -> FlaskForm:
    """One radio question per survey statement, and the submission's random key."""

    class AnswerForm(FlaskForm):
        submission_key = HiddenField(default=lambda: uuid.uuid4().hex)
        submit = SubmitField("Send my answers", widget=GovSubmitInput())

        def answers(self) -> dict[int, str]:
            return {q.id: self[f"q{q.id}"].data for q in page.questions if self[f"q{q.id}"].data}

    choices = options(list(page.scale.labels.items()))
    for question in page.questions:
        setattr(
            AnswerForm,
            f"q{question.id}",
            RadioField(
                f"{question.number}. {question.text}",
                widget=GovRadioInput(),
                choices=choices,
                validators=[InputRequired(message=f"Answer question {question.number}")],
            ),
        )
    return AnswerForm()
