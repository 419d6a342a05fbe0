"""A parsed standards template: its rating scale, standards and questions, checked for consistency.

Partnerships rate in different ways (Not/Partly/Fully met, 0-3 scores, yes/no, ...), so the scale
is part of the template and the engine asks it what a value means instead of hard-coding ratings.
Field lengths match the database columns in models/template.py, so a template that loads also saves.
"""

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Annotated, Any, Literal, Self

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


ScaleKind = Literal["listed", "score", "percentage", "rag", "yes_no"]
NUMERIC_KINDS = frozenset({"score", "percentage"})
MAX_VALUES = 101

# The presets: RAG and yes/no, written out once here so a template says only `kind: rag`.
_PRESETS: dict[str, tuple[str, list[tuple[str, str, float, bool, bool]]]] = {
    "rag": ("Red / Amber / Green", [
        ("red", "Red", 0, False, True), ("amber", "Amber", 1, False, True), ("green", "Green", 2, True, False),
    ]),
    "yes_no": ("Yes / No", [("no", "No", 0, False, True), ("yes", "Yes", 1, True, False)]),
}


class RatingScale(_Spec):
    """The ratings a template allows; stored as JSON beside the template (see to_json).

    `kind` says how the values are written: `listed` lists them one by one; `score` (a whole-number
    range, `min` to `max`, each score with an optional label) and `percentage` (`min` to `max` in
    `step`s) are numeric and give their values from the range, with thresholds saying which values
    need evidence (`evidence_from`), an action (`action_below`) and count as met (`met_from`);
    `rag` and `yes_no` are presets of listed values. `moderation` says whether QA records its own
    rating beside the agency's; `not_applicable_needs_reason` whether Not applicable needs a reason.
    """

    kind: ScaleKind = "listed"
    name: str = ""
    values: list[ScaleValue] = Field(default_factory=list)
    not_applicable: bool = False
    not_applicable_needs_reason: bool = True
    moderation: bool = True
    min: int | None = None
    max: int | None = None
    step: int | None = Field(default=None, ge=1)
    score_labels: dict[int, Text] = Field(default_factory=dict)
    evidence_from: float | None = None
    action_below: float | None = None
    met_from: float | None = None
    bands: list[float] = Field(default_factory=list)

    @property
    def numeric(self) -> bool:
        """Whether the values are numbers, so the figures give means, medians and bands."""
        return self.kind in NUMERIC_KINDS

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems: list[tuple[Loc, str]] = []
        if self.kind != "listed":
            problems += self._generate()
        elif len(self.values) < 2:
            problems.append((("values",), f"must have at least 2 entries, but has {len(self.values)}"))
        if not self.name:
            object.__setattr__(self, "name", self._default_name())
        if problems:
            _raise_problems(type(self).__name__, problems)
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
        if top.needs_action and self.kind == "listed":
            where = "highest-scoring" if top.score is not None else "last"
            problems.append(
                (
                    ("values", self.values.index(top), "needs_action"),
                    f'"{top.value}" is the {where} value, so it must not need an action',
                )
            )
        _raise_problems(type(self).__name__, problems)
        return self

    def _default_name(self) -> str:
        if self.kind in _PRESETS:
            return _PRESETS[self.kind][0]
        if self.kind == "score":
            low, high, _ = self._range()
            return f"Scored {low}-{high}"
        if self.kind == "percentage":
            return "Percentage achieved"
        return "Rating scale"

    def _generate(self) -> list[tuple[Loc, str]]:
        """Write out the values of a numeric or preset kind; the problems with its settings, if any."""
        if "values" in self.model_fields_set:
            return [(("values",), f'a "{self.kind}" scale gives its own values: remove "values"'
                     + (', and set min, max and the thresholds instead' if self.numeric else ""))]
        numeric_only = ("min", "max", "step", "score_labels", "evidence_from", "action_below", "met_from", "bands")
        if not self.numeric:
            written = [name for name in numeric_only if getattr(self, name) not in (None, {}, [])]
            if written:
                return [((name,), f'is only for "score" and "percentage" scales, not "{self.kind}"') for name in written]
            items = [ScaleValue(value=v, label=label, score=score, needs_evidence=ev, needs_action=act)
                     for v, label, score, ev, act in _PRESETS[self.kind][1]]
            object.__setattr__(self, "values", items)
            return []
        problems = self._numeric_problems()
        if problems:
            return problems
        low, high, step = self._range()
        items = []
        for n in range(low, high + 1, step):
            label = f"{n}%" if self.kind == "percentage" else str(n)
            if n in self.score_labels:
                label = f"{label} - {self.score_labels[n]}"
            items.append(
                ScaleValue(
                    value=str(n),
                    label=label,
                    score=float(n),
                    needs_evidence=self.evidence_from is not None and n >= self.evidence_from,
                    needs_action=self.action_below is not None and n < self.action_below,
                )
            )
        object.__setattr__(self, "values", items)
        return []

    def _range(self) -> tuple[int, int, int]:
        low = self.min if self.min is not None else 0
        high = self.max if self.max is not None else 100
        return low, high, self.step or 1

    def _numeric_problems(self) -> list[tuple[Loc, str]]:
        problems: list[tuple[Loc, str]] = []
        if self.kind == "score" and self.max is None:
            problems.append((("max",), 'a "score" scale needs "max", the highest score (e.g. max: 3)'))
        if self.kind == "score" and self.step not in (None, 1):
            problems.append((("step",), 'a "score" scale goes up in ones: remove "step", or use kind: percentage'))
        if self.kind == "percentage" and self.step is None:
            problems.append((("step",), 'a "percentage" scale needs "step", e.g. step: 5 for 0%, 5%, ... 100%'))
        if problems:
            return problems
        low, high, step = self._range()
        if low < 0 or (self.kind == "percentage" and high > 100):
            problems.append((
                ("max",) if low >= 0 else ("min",),
                "a percentage runs from 0 to 100" if self.kind == "percentage" else "scores start at 0 or more",
            ))
        if high <= low:
            problems.append((("max",), f"must be more than min ({low})"))
        elif (high - low) % step:
            problems.append(
                (("step",), f"steps of {step} from {low} do not reach {high}: choose a step that divides {high - low}")
            )
        elif (high - low) // step + 1 > MAX_VALUES:
            problems.append((("step",), f"gives {(high - low) // step + 1} values; at most {MAX_VALUES}: use a bigger step"))
        for name in ("evidence_from", "action_below", "met_from"):
            threshold = getattr(self, name)
            if threshold is not None and not low <= threshold <= high:
                problems.append(((name,), f"must be between {low} and {high}, not {threshold:g}"))
        for score in self.score_labels:
            if not (low <= score <= high and (score - low) % step == 0):
                problems.append((("score_labels", score), f"{score} is not one of the scores ({low} to {high})"))
        for i, bound in enumerate(self.bands):
            if not low <= bound <= high:
                problems.append((("bands", i), f"a band starts between {low} and {high}, not {bound:g}"))
        if self.bands and sorted(set(self.bands)) != list(self.bands):
            problems.append((("bands",), "list each band's lowest value once, lowest first"))
        return problems

    @property
    def met_threshold(self) -> float | None:
        """The lowest value that counts as met on a numeric scale: `met_from`, else the first value
        needing no action, else the top."""
        if not self.numeric:
            return None
        if self.met_from is not None:
            return self.met_from
        if self.action_below is not None:
            return self.action_below
        return self._range()[1]

    def band_starts(self) -> list[float]:
        """The lowest value of each band of the distribution: as written, else each score its own
        band (score) or quarters (percentage)."""
        low, high, step = self._range()
        if self.bands:
            starts = list(self.bands)
        elif self.kind == "score":
            starts = [float(n) for n in range(low, high + 1)]
        else:
            starts = [low + (high - low) * q / 4 for q in range(4)]
        return starts if starts[0] == low else [float(low), *starts]

    def band_labels(self) -> list[str]:
        """Words for each band: "0-24%", "25-49%", ..., "75-100%" (or the score itself)."""
        starts, (_low, high, step) = self.band_starts(), self._range()
        unit = "%" if self.kind == "percentage" else ""
        words = []
        for i, start in enumerate(starts):
            end = starts[i + 1] - step if i + 1 < len(starts) else high
            words.append(f"{start:g}{unit}" if end <= start else f"{start:g}-{end:g}{unit}")
        return words

    def band_of(self, score: float, starts: list[float] | None = None) -> int:
        """The index of the band holding `score` (`starts`: the band starts, if already worked out)."""
        return max(i for i, start in enumerate(starts or self.band_starts()) if score >= start or i == 0)

    def comparable_with(self, other: "RatingScale") -> bool:
        """Whether ratings on the two scales mean the same (moderation and N/A rules aside)."""
        return self.kind == other.kind and [(v.value, v.score) for v in self.values] == [
            (v.value, v.score) for v in other.values
        ]

    @property
    def top_value(self) -> ScaleValue:
        """The best rating: the highest score, or the last value listed on an unscored scale."""
        if any(item.score is None for item in self.values):
            return self.values[-1]
        return max(self.values, key=lambda item: item.score or 0.0)

    @property
    def labels(self) -> dict[str, str]:
        """Value -> label, in the order to offer them, with "Not applicable" last if allowed."""
        return dict(self._labels)  # the caller's own copy

    @cached_property
    def _labels(self) -> dict[str, str]:
        """Worked out once per scale (it is frozen): a submission asks for labels several times a question."""
        labels = {item.value: item.label for item in self.values}
        if self.not_applicable:
            labels[NOT_APPLICABLE] = NOT_APPLICABLE_LABEL
        return labels

    @cached_property
    def _by_value(self) -> dict[str, ScaleValue]:
        return {item.value: item for item in reversed(self.values)}  # the first of a value, as before

    def get(self, value: str) -> ScaleValue | None:
        return self._by_value.get(value)

    def allows(self, value: str) -> bool:
        return value in self._labels

    def unknown_value_message(self, value: object) -> str:
        """The words for refusing a value, listing the ones that would do."""
        return f'"{value}" is not one of the scale values: ' + ", ".join(self.labels)

    def label_for(self, value: str) -> str:
        if not self.allows(value):
            raise ValueError(self.unknown_value_message(value))
        return self._labels[value]

    def is_scored(self, value: str) -> bool:
        """Whether an answer counts in scores: Not applicable never does."""
        return self._rated(value, lambda item: item.score is not None)

    def is_met(self, value: str) -> bool:
        """Whether a rating counts as met: at or above the threshold on a numeric scale, needing
        no action on a listed one; Not applicable is neither."""
        return self._rated(value, self.meets)

    def meets(self, item: ScaleValue) -> bool:
        """`is_met` for one of this scale's own values, with no lookup (the figures ask it for every
        cell of a heatmap)."""
        threshold = self.met_threshold
        if threshold is None:
            return not item.needs_action
        return item.score is not None and item.score >= threshold

    def needs_evidence(self, value: str) -> bool:
        return self._rated(value, lambda item: item.needs_evidence)

    def needs_action(self, value: str) -> bool:
        return self._rated(value, lambda item: item.needs_action)

    def to_json(self) -> dict[str, Any]:
        """What is stored: a numeric or preset kind is stored as written, its values follow from it."""
        exclude = {"values"} if self.kind != "listed" else set()
        return self.model_dump(mode="json", exclude=exclude)

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
