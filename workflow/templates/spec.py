"""A parsed standards template: its rating scale, standards and questions, checked for consistency.

Partnerships rate in different ways (Not/Partly/Fully met, 0-3 scores, yes/no, ...), so the scale
is part of the template and the engine asks it what a value means instead of hard-coding ratings.
Field lengths match the database columns in models/template.py, so a template that loads also saves.
"""

import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from workflow.templates.survey_spec import SurveySpec

NOT_APPLICABLE = "not_applicable"
NOT_APPLICABLE_LABEL = "Not applicable"

_VALUE_RE = re.compile(r"[a-z0-9_]+")
_KEY_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")

Loc = tuple[str | int, ...]


def _scale_value(value: str) -> str:
    if not _VALUE_RE.fullmatch(value):
        raise PydanticCustomError(
            "scale_value",
            '"{value}" is not a valid scale value: use only lower-case letters, digits and '
            'underscores, e.g. "partly_met"',
            {"value": value},
        )
    if value == NOT_APPLICABLE:
        raise PydanticCustomError(
            "reserved_value",
            '"not_applicable" is reserved: to allow it, set "not_applicable: true" on the scale',
        )
    return value


def _template_key(key: str) -> str:
    if not _KEY_RE.fullmatch(key):
        raise PydanticCustomError(
            "template_key",
            '"{key}" is not a valid template key: use lower-case letters, digits, "-" and "_", '
            'e.g. "section11-default"',
            {"key": key},
        )
    return key


ValueSlug = Annotated[str, AfterValidator(_scale_value)]
TemplateKey = Annotated[str, Field(max_length=80), AfterValidator(_template_key)]
Text = Annotated[str, Field(min_length=1)]


def _raise_problems(title: str, problems: list[tuple[Loc, str]]) -> None:
    """Raise every cross-field problem at once, each at its own location, so a file loader can
    point at the line; pydantic keeps a ValidationError raised in a validator as it is."""
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(type=PydanticCustomError("template", message), loc=loc, input=None)
                for loc, message in problems
            ],
        )


class _Spec(BaseModel):
    """Typos must not be silently ignored, and a parsed template is never edited in place."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False
    )


class ScaleValue(_Spec):
    """One rating an agency can give, and what the rating obliges it to provide."""

    value: ValueSlug
    label: Text
    score: float | None
    needs_evidence: bool
    needs_action: bool
    description: str = ""


class RatingScale(_Spec):
    """The ratings a template allows; stored as JSON beside the template (see to_json)."""

    name: Text
    values: list[ScaleValue] = Field(min_length=2)
    not_applicable: bool

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        seen_values: set[str] = set()
        seen_labels = {NOT_APPLICABLE_LABEL.casefold()} if self.not_applicable else set()
        seen_scores: set[float] = set()
        for i, item in enumerate(self.values):
            if item.value in seen_values:
                problems.append((("values", i, "value"), f'"{item.value}" is used by two scale values'))
            if item.label.casefold() in seen_labels:
                problems.append((("values", i, "label"), f'the label "{item.label}" is used twice'))
            if item.score is not None and item.score in seen_scores:
                message = f"the score {item.score:g} is used twice: scores rank the values"
                problems.append((("values", i, "score"), message))
            seen_values.add(item.value)
            seen_labels.add(item.label.casefold())
            if item.score is not None:
                seen_scores.add(item.score)
        if seen_scores and len(seen_scores) < len(self.values):
            for i, item in enumerate(self.values):
                if item.score is None:
                    problems.append(
                        (("values", i, "score"), "needs a score: give every value a score, or none")
                    )
        top = self.top_value
        if top.needs_action:
            where = "highest-scoring" if top.score is not None else "last"
            problems.append(
                (
                    ("values", self.values.index(top), "needs_action"),
                    f'"{top.value}" is the {where} value, so it must not need an action',
                )
            )
        _raise_problems(type(self).__name__, problems)
        return self

    @property
    def top_value(self) -> ScaleValue:
        """The best rating: the highest score, or the last value listed on an unscored scale."""
        if any(item.score is None for item in self.values):
            return self.values[-1]
        return max(self.values, key=lambda item: item.score or 0.0)

    @property
    def labels(self) -> dict[str, str]:
        """Value -> label, in the order to offer them, with "Not applicable" last if allowed."""
        labels = {item.value: item.label for item in self.values}
        if self.not_applicable:
            labels[NOT_APPLICABLE] = NOT_APPLICABLE_LABEL
        return labels

    def get(self, value: str) -> ScaleValue | None:
        return next((item for item in self.values if item.value == value), None)

    def allows(self, value: str) -> bool:
        return value in self.labels

    def unknown_value_message(self, value: object) -> str:
        """The words for refusing a value, listing the ones that would do."""
        return f'"{value}" is not one of the scale values: ' + ", ".join(self.labels)

    def label_for(self, value: str) -> str:
        if not self.allows(value):
            raise ValueError(self.unknown_value_message(value))
        return self.labels[value]

    def is_scored(self, value: str) -> bool:
        """Whether an answer counts in scores: Not applicable never does."""
        return self._rated(value, lambda item: item.score is not None)

    def needs_evidence(self, value: str) -> bool:
        return self._rated(value, lambda item: item.needs_evidence)

    def needs_action(self, value: str) -> bool:
        return self._rated(value, lambda item: item.needs_action)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "RatingScale":
        return cls.model_validate(data)

    def _rated(self, value: str, test: Callable[[ScaleValue], bool]) -> bool:
        """Ask `test` about a rating; Not applicable obliges nothing and counts in no score."""
        if not self.allows(value):
            raise ValueError(self.unknown_value_message(value))
        item = self.get(value)
        return item is not None and test(item)


class QuestionSpec(_Spec):
    """An element of a standard; descriptors, keyed by scale value, say what each rating looks
    like for this question (e.g. written score descriptors)."""

    ref: Annotated[str, Field(min_length=1, max_length=20)]
    text: Text
    guidance: str = ""
    statutory_only: bool = False
    descriptors: dict[str, Text] = Field(default_factory=dict)


class StandardSpec(_Spec):
    """A standard (key feature); its questions are what agencies actually rate."""

    number: Annotated[str, Field(min_length=1, max_length=20)]
    title: Annotated[str, Field(min_length=1, max_length=300)]
    description: str = ""
    questions: list[QuestionSpec] = Field(min_length=1)


class TemplateSpec(_Spec):
    """A whole template as read from a file, before it is stored as a versioned Template."""

    key: TemplateKey
    name: Annotated[str, Field(min_length=1, max_length=200)]
    version: int = Field(ge=1)
    description: str = ""
    scale: RatingScale
    standards: list[StandardSpec] = Field(min_length=1)
    # The staff survey set against the self-assessment (optional: older templates have none).
    survey: SurveySpec | None = None

    def iter_questions(self) -> Iterator[tuple[StandardSpec, QuestionSpec]]:
        for standard in self.standards:
            for question in standard.questions:
                yield standard, question

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        titles: dict[str, str] = {}
        refs: dict[str, str] = {}
        for s, standard in enumerate(self.standards):
            if standard.number in titles:
                problems.append(
                    (
                        ("standards", s, "number"),
                        f'number "{standard.number}" is already used by an earlier standard, '
                        f'"{titles[standard.number]}"',
                    )
                )
            titles.setdefault(standard.number, standard.title)
            for q, question in enumerate(standard.questions):
                loc: Loc = ("standards", s, "questions", q)
                if question.ref in refs:
                    problems.append(
                        (
                            (*loc, "ref"),
                            f'ref "{question.ref}" is already used by {refs[question.ref]}: '
                            "refs must be unique across the template",
                        )
                    )
                refs.setdefault(question.ref, f"question {q + 1} of standard {standard.number}")
                for key in question.descriptors:
                    if not self.scale.allows(key):
                        problems.append(
                            ((*loc, "descriptors", key), self.scale.unknown_value_message(key))
                        )
        if self.survey is not None:
            problems += self.survey.problems(set(titles))
        _raise_problems(type(self).__name__, problems)
        return self
