"""The yearly dip sample of live action plans: draw it (with a seed anyone can repeat), then QA
writes a review of each plan drawn. Coordinators and QA reviewers."""

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from models.user import Role
from web.common.db import commit_or_show_errors, read_or_404
from web.common.identity import me, roles_required
from web.returns.page_helpers import done
from workflow.review import plan_samples

bp = Blueprint("plan_samples", __name__)


class DrawPlansForm(FlaskForm):
    count = IntegerField(
        "How many action plans to draw",
        widget=GovTextInput(),
        default=2,
        validators=[
            InputRequired(message="Enter how many action plans to draw as a whole number"),
            NumberRange(min=1, message="Draw at least one action plan"),
        ],
    )
    seed = StringField("Seed (optional)", widget=GovTextInput(), description="Leave empty for a new random draw")
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


@bp.before_request
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def _qa_group_only() -> None:
    """The QA sub-group's pages: its reviewers and the coordinators."""


def _render(cycle_id: int, form: DrawPlansForm, problems: list[str] | None = None, reviews: dict | None = None) -> str:
    view = read_or_404(plan_samples.sample_view, cycle_id)
    return render_template(
        "qa/plan_sample.html", view=view, form=form, problems=problems, reviews=reviews or {}, qa_role=Role.QA_REVIEWER
    )


@bp.route("/cycles/<int:cycle_id>/action-plan-sample", methods=["GET", "POST"])
def sample(cycle_id: int) -> ResponseReturnValue:
    form = DrawPlansForm()
    if not form.validate_on_submit():
        return _render(cycle_id, form), 422 if form.is_submitted() else 200
    return commit_or_show_errors(
        plan_samples.draw_plan_sample,
        me(),
        cycle_id,
        count=form.count.data,
        seed=form.seed.data or "",
        then=done("The action plans were drawn; the QA reviewers were e-mailed.", "plan_samples.sample", cycle_id=cycle_id),
        otherwise=lambda reasons: (_render(cycle_id, form, reasons), 422),
    )


@bp.route("/cycles/<int:cycle_id>/action-plan-sample/<int:sampled_id>", methods=["POST"])
def review(cycle_id: int, sampled_id: int) -> ResponseReturnValue:
    text = request.form.get(f"review-{sampled_id}", "")
    form = DrawPlansForm(formdata=None)
    return commit_or_show_errors(
        plan_samples.review_sampled_plan,
        me(),
        sampled_id,
        review=text,
        then=done("Your review of the action plan is recorded.", "plan_samples.sample", cycle_id=cycle_id),
        otherwise=lambda reasons: (_render(cycle_id, form, reasons, {sampled_id: text}), 422),
    )
