"""The staff survey part of a template: its own answer scale and its questions, each mapped to standards.

Staff answer on a scale of agreement (or yes / no / don't know), not on the agency's rating scale,
so the survey carries a scale of its own; each answer either agrees, disagrees, or (like "Don't
know") is left out of the agreement figure. A question may speak to more than one standard.
"""

import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

# spec.py imports this module for TemplateSpec.survey, so these few pieces are not imported from it.
Loc = tuple[str | int, ...]
_VALUE_RE = re.compile(r"[a-z0-9_]+")


def _answer_value(value: str) -> str:
    if not _VALUE_RE.fullmatch(value):
        raise PydanticCustomError(
            "survey_value",
            '"{value}" is not a valid answer value: use only lower-case letters, digits and underscores, e.g. "strongly_agree"',
            {"value": value},
        )
    return value


ValueSlug = Annotated[str, AfterValidator(_answer_value)]
Text = Annotated[str, Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _raise_problems(title: str, problems: list[tuple[Loc, str]]) -> None:
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [InitErrorDetails(type=PydanticCustomError("survey", m), loc=loc, input=None) for loc, m in problems],
        )


class SurveyAnswer(_Spec):
    """One answer staff can give, and what it says about the standard."""

    value: ValueSlug
    label: Text
    agrees: bool
    # "Don't know" is an honest answer, but says nothing either way: it is left out of agreement.
    counted: bool = True


class SurveyScale(_Spec):
    name: Text
    values: list[SurveyAnswer] = Field(min_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        labels: set[str] = set()
        for i, item in enumerate(self.values):
            if item.value in seen:
                problems.append((("values", i, "value"), f'"{item.value}" is used by two survey answers'))
            if item.label.casefold() in labels:
                problems.append((("values", i, "label"), f'the label "{item.label}" is used twice'))
            seen.add(item.value)
            labels.add(item.label.casefold())
        counted = [item for item in self.values if item.counted]
        if not any(item.agrees for item in counted) or all(item.agrees for item in counted):
            problems.append((("values",), "the survey scale needs at least one counted answer that agrees and one that does not"))
        _raise_problems(type(self).__name__, problems)
        return self

    @property
    def labels(self) -> dict[str, str]:
        return {item.value: item.label for item in self.values}

    def get(self, value: str) -> SurveyAnswer | None:
        return next((item for item in self.values if item.value == value), None)

    def find(self, typed: str) -> SurveyAnswer | None:
        """The answer a value or label stands for, whatever its case (for imported files)."""
        wanted = typed.strip().casefold()
        return next((i for i in self.values if wanted in (i.value.casefold(), i.label.casefold())), None)


class SurveyQuestionSpec(_Spec):
    """A statement staff answer, e.g. "I know who my organisation's safeguarding lead is" -> standard 3."""

    ref: Annotated[str, Field(min_length=1, max_length=20)]
    text: Text
    standards: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(min_length=1)


class SurveySpec(_Spec):
    """The staff survey of a template."""

    introduction: str = ""
    scale: SurveyScale
    questions: list[SurveyQuestionSpec] = Field(min_length=1, max_length=60)

    def problems(self, standard_numbers: set[str]) -> list[tuple[Loc, str]]:
        """Refs used twice, and standards the template does not have (located under "survey")."""
        problems: list[tuple[Loc, str]] = []
        refs: set[str] = set()
        for q, question in enumerate(self.questions):
            loc: Loc = ("survey", "questions", q)
            if question.ref in refs:
                problems.append(((*loc, "ref"), f'survey ref "{question.ref}" is used twice'))
            refs.add(question.ref)
            for s, number in enumerate(question.standards):
                if number not in standard_numbers:
                    problems.append(
                        (
                            (*loc, "standards", s),
                            f'there is no standard "{number}" in this template: use one of '
                            + ", ".join(sorted(standard_numbers)),
                        )
                    )
        return problems
