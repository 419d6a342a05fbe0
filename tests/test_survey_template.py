"""The staff survey in a template file: each shipped template has one of 10-15 questions mapped to
its standards, and a wrong survey section is named by line and place like any other mistake."""

from pathlib import Path

import pytest

from tests.test_template_files import GOOD, load_error, write
from workflow.templates.files import load_template_text
from workflow.templates.standard import TEMPLATE_DIR

SURVEY = """\
survey:
  scale:
    name: Yes / No / Don't know
    values:
      - {value: "yes", label: "Yes", agrees: true}
      - {value: "no", label: "No", agrees: false}
      - {value: dont_know, label: Don't know, agrees: false, counted: false}
  questions:
    - ref: S1
      text: I know who my organisation's safeguarding lead is.
      standards: ["1"]
    - ref: S2
      text: I know when I may share information without consent.
      standards: ["2", "9"]
"""


@pytest.mark.parametrize("path", sorted(TEMPLATE_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_template_has_a_staff_survey_of_10_to_15_questions(path: Path) -> None:
    spec = load_template_text(path.read_text(), path.name)
    assert spec.survey is not None
    assert 10 <= len(spec.survey.questions) <= 15
    numbers = {s.number for s in spec.standards}
    covered = {n for q in spec.survey.questions for n in q.standards}
    assert covered == numbers, "every standard has at least one survey question"


def test_a_survey_question_for_a_standard_the_template_lacks_is_named(tmp_path: Path) -> None:
    error = load_error(write(tmp_path, GOOD + SURVEY))
    [problem] = error.errors
    assert problem.line == GOOD.count("\n") + 14
    assert 'there is no standard "9" in this template: use one of 1, 2' in str(problem)


def test_a_survey_scale_where_nothing_agrees_is_refused(tmp_path: Path) -> None:
    text = GOOD + SURVEY.replace('standards: ["2", "9"]', 'standards: ["2"]').replace(
        '{value: "yes", label: "Yes", agrees: true}', '{value: "yes", label: "Yes", agrees: false}'
    )
    error = load_error(write(tmp_path, text))
    assert "at least one counted answer that agrees and one that does not" in str(error)


def test_a_template_without_a_survey_still_loads() -> None:
    assert load_template_text(GOOD, "t.yaml").survey is None
