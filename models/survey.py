"""The staff survey: its questions (from the template), each cycle's settings, the anonymous links
and the responses.

Anonymity is kept by what is not stored: a response holds no name, e-mail, IP address, user
agent or time of day, only the day it arrived, the agency's link and the answers.
"""

from datetime import date, datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import MutableJSONDict, utcnow

DEFAULT_MINIMUM_RESPONSES = 5
DEFAULT_LOW_AGREEMENT = 50
DEFAULT_CONFIDENT_AGREEMENT = 80


class SurveyScaleRow(SQLModel, table=True):
    """A template's survey scale as SurveyScale's JSON; one per template that has a survey."""

    __tablename__ = "survey_scale"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="template.id", unique=True)
    introduction: str = ""
    scale: dict = Field(default_factory=dict, sa_column=Column(MutableJSONDict, nullable=False))


class SurveyQuestion(SQLModel, table=True):
    """A statement staff answer; it speaks to the standards listed in SurveyQuestionStandard."""

    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("template_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="template.id", index=True)
    ref: str = Field(max_length=20)
    text: str
    position: int


class SurveyQuestionStandard(SQLModel, table=True):
    """Which standard a survey question speaks to (a question may speak to several)."""

    __tablename__ = "survey_question_standard"
    __table_args__ = (UniqueConstraint("survey_question_id", "standard_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_question_id: int = Field(foreign_key="survey_question.id", index=True)
    standard_id: int = Field(foreign_key="standard.id", index=True)


class CycleSurvey(SQLModel, table=True):
    """A cycle's survey: when it is open, the anonymity minimum, and the thresholds for flags."""

    __tablename__ = "cycle_survey"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", unique=True)
    opens_on: date
    closes_on: date
    minimum_responses: int = DEFAULT_MINIMUM_RESPONSES
    # Percent of staff agreeing: below `low_agreement` a top self-rating is flagged; at or above
    # `confident_agreement` a low self-rating is.
    low_agreement: int = DEFAULT_LOW_AGREEMENT
    confident_agreement: int = DEFAULT_CONFIDENT_AGREEMENT
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class SurveyLink(SQLModel, table=True):
    """The anonymous link one agency shares with its staff for one cycle."""

    __tablename__ = "survey_link"
    __table_args__ = (UniqueConstraint("cycle_id", "agency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    token: str = Field(max_length=64, unique=True, index=True)


class SurveyResponse(SQLModel, table=True):
    """One member of staff's answers (or one row of an imported file); nothing says who."""

    __tablename__ = "survey_response"

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="survey_link.id", index=True)
    received_on: date
    # A random key the form carried: the same submission sent twice is stored once.
    submission_key: str = Field(max_length=64, unique=True)
    source: str = Field(default="link", max_length=20)
    import_id: int | None = Field(default=None, foreign_key="survey_import.id", index=True)


class SurveyResponseAnswer(SQLModel, table=True):
    """One answer of a response; `agrees` is None for answers left out of agreement ("Don't know")."""

    __tablename__ = "survey_response_answer"
    __table_args__ = (UniqueConstraint("response_id", "survey_question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True)
    survey_question_id: int = Field(foreign_key="survey_question.id", index=True)
    value: str = Field(max_length=40)
    agrees: bool | None = None


class SurveyImport(SQLModel, table=True):
    """A file of responses from another survey tool, imported whole by a coordinator."""

    __tablename__ = "survey_import"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id", index=True)
    filename: str = Field(max_length=255)
    # The file's SHA-256: the same file imported twice would count every response twice.
    digest: str = Field(max_length=64)
    rows: int
    # None: imported from the command line by whoever runs the product.
    imported_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    imported_at: datetime = Field(default_factory=utcnow)


class SurveyRateWindow(SQLModel, table=True):
    """How many responses a link took in one minute: a guard against flooding that keeps no address."""

    __tablename__ = "survey_rate_window"
    __table_args__ = (UniqueConstraint("link_id", "minute"),)

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(foreign_key="survey_link.id", index=True)
    minute: int
    count: int = 0
