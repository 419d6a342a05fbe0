"""The good-practice library: everyone signed in browses it by standard; QA and the coordinator
mark an answer of a submitted return as good practice, with the agency's consent."""

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from models.field_limits import is_whole_number
from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.forms import options
from web.common.identity import me, roles_required
from web.returns.page_helpers import content_of, done
from workflow.review import good_practice

bp = Blueprint("good_practice", __name__)


class MarkGoodPracticeForm(FlaskForm):
    question_id = SelectField("Question", widget=GovSelect(), choices=[], validate_choice=False)
    evidence_file_id = SelectField("Evidence file to share with it (optional)", widget=GovSelect(), choices=[],
                                   validate_choice=False)
    note = TextAreaField("Why it is good practice", widget=GovTextArea(), description="The agencies reading the library see this")
    consent_given_by = StringField("Consent given by", widget=GovTextInput(),
                                   description="The name and role of the person at the agency who agreed to share it")
    consent_confirmed = BooleanField("The agency agreed to share this with the partnership's agencies",
                                     widget=GovCheckboxInput())
    submit = SubmitField("Add to the good-practice library", widget=GovSubmitInput())


@bp.route("/good-practice")
@login_required
def library() -> ResponseReturnValue:
    standard = request.args.get("standard", "")
    session = db()
    return render_template(
        "qa/good_practice.html",
        items=good_practice.library(session, standard=standard),
        standards=good_practice.standards_in_library(session),
        standard=standard,
    )


def _id(value: str | None) -> int | None:
    return int(value) if value and is_whole_number(value) else None


@bp.route("/returns/<int:return_id>/good-practice", methods=["GET", "POST"])
@roles_required(Role.QA_REVIEWER, Role.COORDINATOR)
def mark(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    form = MarkGoodPracticeForm()
    answered = [q for q in content.questions if q.id in content.answers]
    form.question_id.choices = options([("", "Choose a question")] + [(str(q.id), f"{q.ref} {q.text[:80]}") for q in answered])
    refs = {q.id: q.ref for q in content.questions}
    form.evidence_file_id.choices = options(
        [("", "None")] + [(str(f.id), f"{f.filename} (question {refs.get(f.question_id, '')})") for f in content.evidence]
    )
    context = {"content": content, "form": form}
    if not form.validate_on_submit():
        return render_template("qa/mark_good_practice.html", **context), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        good_practice.mark,
        me(),
        return_id,
        question_id=_id(form.question_id.data),
        evidence_file_id=_id(form.evidence_file_id.data),
        note=form.note.data or "",
        consent_given_by=form.consent_given_by.data or "",
        consent_confirmed=bool(form.consent_confirmed.data),
        then=done("The answer is in the good-practice library; the agency was told.", "good_practice.library"),
        otherwise=lambda reasons: (render_template("qa/mark_good_practice.html", problems=reasons, **context), 422),
    )
