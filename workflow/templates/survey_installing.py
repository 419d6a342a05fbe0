"""Saving a template's staff survey beside its standards, when the template is installed."""

from sqlmodel import Session

from models import Standard, SurveyQuestion, SurveyQuestionStandard, SurveyScaleRow
from workflow.templates.survey_spec import SurveySpec


def install_survey(session: Session, template_id: int, survey: SurveySpec, standards: dict[str, Standard]) -> None:
    """The survey's scale, its questions and the standards each one speaks to; only flushes."""
    session.add(
        SurveyScaleRow(template_id=template_id, introduction=survey.introduction, scale=survey.scale.model_dump(mode="json"))
    )
    for position, spec in enumerate(survey.questions):
        question = SurveyQuestion(template_id=template_id, ref=spec.ref, text=spec.text, position=position)
        session.add(question)
        session.flush()
        for number in dict.fromkeys(spec.standards):
            session.add(SurveyQuestionStandard(survey_question_id=question.id, standard_id=standards[number].id))
    session.flush()
