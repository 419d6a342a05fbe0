"""A partnership loads a standards template from a file; when the file is wrong, the message
names the file, the line, the place and the problem, so the author can fix it without help."""

import json
from pathlib import Path

import pytest
import yaml

from workflow.templates.files import TemplateFileError, load_template_file, load_template_text
from workflow.templates.spec import NOT_APPLICABLE, RatingScale
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH, TEMPLATE_DIR

# A small, valid template. Line numbers in the tests below refer to this text.
GOOD = """\
key: test-template
name: Test template
version: 1
scale:
  name: Not met / Partly met / Fully met
  not_applicable: true
  values:
    - {value: not_met, label: Not met, score: 0, needs_evidence: false, needs_action: true}
    - {value: partly_met, label: Partly met, score: 1, needs_evidence: false, needs_action: true}
    - {value: fully_met, label: Fully met, score: 2, needs_evidence: true, needs_action: false}
standards:
  - number: "1"
    title: Senior leadership commitment
    questions:
      - ref: "1.1"
        text: There is a named board-level lead for safeguarding children.
        guidance: A job description naming the lead.
      - ref: "1.2"
        text: The board receives a safeguarding report every year.
  - number: "2"
    title: Information sharing
    questions:
      - ref: "2.1"
        text: Staff know when to share information without consent.
        descriptors:
          not_met: Staff are unsure.
          fully_met: Staff share confidently and record why.
"""


def write(tmp_path: Path, text: str, name: str = "section11.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> TemplateFileError:
    with pytest.raises(TemplateFileError) as caught:
        load_template_file(path)
    return caught.value


def edited(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


# The shipped templates


@pytest.mark.parametrize("path", sorted(TEMPLATE_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_template_loads(path: Path) -> None:
    spec = load_template_file(path)
    assert spec.key == path.stem
    assert spec.version == 1


def test_there_are_three_shipped_templates() -> None:
    names = sorted(p.name for p in TEMPLATE_DIR.glob("*.yaml"))
    assert names == ["scored-0-3.yaml", "section11-default.yaml", "wirral-questions.yaml"]


def test_the_default_template_has_the_eight_section_11_standards() -> None:
    spec = load_template_file(DEFAULT_TEMPLATE_PATH)
    assert [s.number for s in spec.standards] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert [s.title.split()[0] for s in spec.standards] == [
        "Senior", "A", "A", "Service", "Training", "Safer", "Multi-agency", "Information",
    ]
    for standard in spec.standards:
        assert 4 <= len(standard.questions) <= 6, standard.number
        for question in standard.questions:
            assert question.ref.startswith(f"{standard.number}.")
            assert question.guidance, f"question {question.ref} has no guidance"
    statutory = {q.ref for _, q in spec.iter_questions() if q.statutory_only}
    assert {"1.4", "6.4"} <= statutory
    assert len(statutory) < 8


def test_the_default_scale_says_what_each_rating_needs() -> None:
    scale = load_template_file(DEFAULT_TEMPLATE_PATH).scale
    assert scale.labels == {
        "not_met": "Not met",
        "partly_met": "Partly met",
        "fully_met": "Fully met",
        NOT_APPLICABLE: "Not applicable",
    }
    assert scale.needs_evidence("fully_met") and not scale.needs_action("fully_met")
    assert scale.needs_action("not_met") and scale.needs_action("partly_met")
    assert not scale.needs_evidence("partly_met")
    assert scale.top_value.value == "fully_met"
    assert scale.allows(NOT_APPLICABLE)
    assert scale.label_for(NOT_APPLICABLE) == "Not applicable"
    assert not scale.is_scored(NOT_APPLICABLE) and scale.is_scored("not_met")
    assert not scale.needs_evidence(NOT_APPLICABLE) and not scale.needs_action(NOT_APPLICABLE)
    assert scale.get(NOT_APPLICABLE) is None


def test_a_value_not_on_the_scale_is_refused_with_the_values_it_could_be() -> None:
    scale = load_template_file(DEFAULT_TEMPLATE_PATH).scale
    assert not scale.allows("maybe")
    with pytest.raises(ValueError, match='"maybe" is not one of the scale values: not_met, partly_met'):
        scale.needs_action("maybe")


def test_the_scale_round_trips_through_a_json_column() -> None:
    scale = load_template_file(DEFAULT_TEMPLATE_PATH).scale
    stored = json.loads(json.dumps(scale.to_json()))
    assert RatingScale.from_json(stored) == scale


def test_wirral_yes_and_no_stay_text_and_no_needs_an_action() -> None:
    scale = load_template_file(TEMPLATE_DIR / "wirral-questions.yaml").scale
    assert scale.labels == {"no": "No", "yes": "Yes"}
    assert not scale.allows(NOT_APPLICABLE)
    assert scale.needs_action("no") and scale.needs_evidence("yes")


def test_the_scored_template_has_a_descriptor_for_every_score() -> None:
    spec = load_template_file(TEMPLATE_DIR / "scored-0-3.yaml")
    assert spec.scale.top_value.value == "outstanding"
    assert [spec.scale.get(v).score for v in ("inadequate", "outstanding")] == [0, 3]
    for _, question in spec.iter_questions():
        assert {"inadequate", "requires_improvement", "good", "outstanding"} <= set(question.descriptors)


def test_refs_keep_what_was_typed_so_1_10_is_not_1_1(tmp_path: Path) -> None:
    path = write(tmp_path, edited('ref: "1.2"', "ref: 1.10").replace('ref: "1.1"', "ref: 1.1"))
    refs = [q.ref for _, q in load_template_file(path).iter_questions()]
    assert refs == ["1.1", "1.10", "2.1"]


# Mistakes a template author makes, and what they are told


def test_a_missing_field_names_the_file_line_place_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, edited("        text: The board receives a safeguarding report every year.\n", ""))
    err = load_error(path)
    assert str(err) == f'{path}, line 18, standard 1, question 1.2: missing required field "text"'
    assert (err.filename, err.line, err.place, err.problem) == (
        str(path), 18, "standard 1, question 1.2", 'missing required field "text"'
    )


def test_an_unknown_field_is_an_error_and_suggests_the_right_name(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited("guidance:", "gudance:")))
    assert str(err).endswith(
        'section11.yaml, line 17, standard 1, question 1.1: '
        'unknown field "gudance" (did you mean "guidance"?)'
    )


def test_a_duplicate_ref_says_where_it_was_first_used(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited('ref: "2.1"', 'ref: "1.2"')))
    assert err.line == 23
    assert err.place == 'standard 2, question 1.2, field "ref"'
    assert err.problem == (
        'ref "1.2" is already used by question 2 of standard 1: refs must be unique across the template'
    )


def test_a_descriptor_for_a_value_not_on_the_scale(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited("not_met: Staff are unsure.", "maybe: Staff are unsure.")))
    assert str(err).endswith(
        'section11.yaml, line 26, standard 2, question 2.1, descriptor "maybe": '
        '"maybe" is not one of the scale values: not_met, partly_met, fully_met, not_applicable'
    )


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited("title: Information sharing", "title: Information: sharing")))
    assert err.line == 21
    assert str(err).endswith(
        'section11.yaml, line 21: YAML syntax error: this line has a second ": " inside its text. '
        'Put the text in quotes: title: "Information: sharing"'
    )


@pytest.mark.parametrize(
    ("old", "new", "line", "advice"),
    [
        # The issue's own mistake: a field one space short of its neighbours.
        ("    title: Information sharing", "   title: Information sharing", 21,
         "this field is not lined up with the ones before it. Indent it by exactly as many spaces"),
        ("  not_applicable: true", "      not_applicable: true", 6, "indented further than the line above"),
        ("      - ref: \"1.2\"", "     - ref: \"1.2\"", 18, "this list item is not lined up"),
        ("  not_applicable: true", "\tnot_applicable: true", 6, "indented with a tab. Indent with spaces only"),
        ("guidance: A job description", "guidance A job description", 17, 'this line has no ":" after its field name'),
    ],
)
def test_a_yaml_mistake_is_explained_in_plain_words(tmp_path: Path, old, new, line, advice) -> None:
    err = load_error(write(tmp_path, edited(old, new)))
    assert err.line == line, str(err)
    assert advice in err.problem and "<block end>" not in err.problem


def test_a_key_written_twice_is_not_silently_dropped(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited("        guidance:", "        text: Again.\n        guidance:")))
    assert str(err).endswith(
        'section11.yaml, line 17, standard 1, question 1.1: "text" is written twice (first on line 16)'
    )


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    err = load_error(path)
    assert str(err) == f"{path}: file not found"
    assert err.line is None


def test_an_empty_file(tmp_path: Path) -> None:
    assert load_error(write(tmp_path, "# nothing yet\n")).problem == "the file is empty"


def test_every_problem_is_listed_at_once_in_line_order(tmp_path: Path) -> None:
    text = edited("version: 1", "version: 0").replace("    title: Information sharing\n", "")
    err = load_error(write(tmp_path, text))
    assert str(err).splitlines() == [
        f'{tmp_path / "section11.yaml"}, line 3, field "version": must be 1 or more, not 0',
        f'{tmp_path / "section11.yaml"}, line 20, standard 2: missing required field "title"',
    ]
    assert len(err.errors) == 2


def test_a_scale_value_must_be_a_slug(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, edited("value: partly_met", "value: Partly met")))
    assert str(err).endswith(
        'section11.yaml, line 9, scale, value "Partly met", field "value": "Partly met" is not a valid '
        'scale value: use only lower-case letters, digits and underscores, e.g. "partly_met"'
    )


def test_a_scale_with_a_repeated_value_and_a_best_value_needing_action(tmp_path: Path) -> None:
    text = edited("value: not_met", "value: fully_met").replace(
        "needs_evidence: true, needs_action: false", "needs_evidence: true, needs_action: true"
    )
    err = load_error(write(tmp_path, text))
    assert [(e.line, e.place, e.problem) for e in err.errors] == [
        (10, 'scale, value "fully_met", field "value"', '"fully_met" is used by two scale values'),
        (
            10,
            'scale, value "fully_met", field "needs_action"',
            '"fully_met" is the highest-scoring value, so it must not need an action',
        ),
    ]


def test_a_json_template_loads_and_its_errors_have_lines_too(tmp_path: Path) -> None:
    data = yaml.safe_load(GOOD)
    good = write(tmp_path, json.dumps(data, indent=2), "section11.json")
    assert load_template_file(good).key == "test-template"

    del data["standards"][1]["questions"][0]["text"]
    text = json.dumps(data, indent=2)
    path = write(tmp_path, text, "section11.json")
    question_line = text.splitlines().index('          "ref": "2.1",')  # 0-based: the "{" above it
    err = load_error(path)
    assert str(err) == (
        f'{path}, line {question_line}, standard 2, question 2.1: missing required field "text"'
    )


def test_a_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = load_error(write(tmp_path, '{\n  "key": "x",\n}\n', "section11.json"))
    assert str(err).endswith(
        "section11.json, line 3: JSON syntax error: a field name must be in double quotes, "
        "and the last entry before a } has no comma after it."
    )
    err = load_error(write(tmp_path, '{\n  "key": "x"\n  "name": "y"\n}\n', "section11.json"))
    assert (err.line, err.problem) == (
        3, "JSON syntax error: a comma is missing between two entries (at the end of the line above, or before this point)."
    )


def test_text_loads_without_a_file_and_the_name_picks_the_format() -> None:
    assert load_template_text(GOOD, "pasted.yml").name == "Test template"
    with pytest.raises(TemplateFileError, match=r'pasted\.txt: unsupported file type "\.txt"'):
        load_template_text(GOOD, "pasted.txt")


PERCENTAGE = """\
key: enable
name: Percentage achieved
version: 1
scale:
  kind: percentage
  step: 5
  action_below: 80
  evidence_from: 80
  not_applicable: true
standards:
  - number: "1"
    title: Leadership
    questions:
      - ref: "1.1"
        text: A named lead oversees safeguarding.
"""


def test_a_percentage_scale_is_a_few_lines_and_keeps_its_21_values_when_stored(tmp_path: Path) -> None:
    spec = load_template_file(write(tmp_path, PERCENTAGE))

    assert [v.label for v in spec.scale.values[:3]] == ["0%", "5%", "10%"] and len(spec.scale.values) == 21
    assert [v.value for v in spec.scale.values if v.needs_action][-1] == "75"
    assert RatingScale.from_json(spec.scale.to_json()) == spec.scale
    assert "values" not in spec.scale.to_json()  # stored as written; the values follow from it


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("  step: 5\n", "  step: 7\n", 6,
         'scale, field "step": steps of 7 from 0 do not reach 100: choose a step that divides 100'),
        ("  kind: percentage", "  kind: percent", 5,
         'scale, field "kind": "percent" is not one of: listed, score, percentage, rag, yes_no (did you mean "percentage"?)'),
        ("  action_below: 80", "  action_below: 120", 7, 'scale, field "action_below": must be between 0 and 100, not 120'),
        ("  step: 5\n", "", 4, 'scale, field "step": a "percentage" scale needs "step", e.g. step: 5 for 0%, 5%, ... 100%'),
        ("  step: 5\n", "  step: 5\n  values: []\n", 7, 'a "percentage" scale gives its own values: remove "values"'),
        ("  kind: percentage\n  step: 5\n", "  kind: rag\n  step: 5\n", 6, 'is only for "score" and "percentage" scales'),
        ("  evidence_from: 80", "  evidence_form: 80", 8, 'unknown field "evidence_form" (did you mean "evidence_from"?)'),
    ],
)
def test_a_numeric_scale_mistake_names_the_line_and_what_to_change(tmp_path: Path, old, new, line, message) -> None:
    assert old in PERCENTAGE
    err = load_error(write(tmp_path, PERCENTAGE.replace(old, new, 1)))
    assert message in str(err) and err.line == line, str(err)
