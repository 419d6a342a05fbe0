"""Staff answer the survey through their agency's link: no sign-in, nothing kept that says who.

A cookie in the browser that answered ("this link was answered here") is the simple guard against
sending twice; it holds no identifier. The form's random key makes a resent form count once.
"""

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from web.common.db import commit_or_show_errors, read_or_404
from web.survey.forms import answer_form
from workflow.survey import responding
from workflow.survey.responding import SurveyPage

bp = Blueprint("survey", __name__)

GUARD_DAYS = 120


def _guard(page: SurveyPage) -> str:
    return f"s11_survey_{page.link_id}"


def _answered_here(page: SurveyPage) -> bool:
    return request.cookies.get(_guard(page)) == "sent"


@bp.route("/survey/<token>", methods=["GET", "POST"])
def answer(token: str) -> ResponseReturnValue:
    page = read_or_404(responding.survey_page, token)
    if _answered_here(page):
        return render_template("survey/already.html", page=page)
    if page.state != "open":
        return render_template("survey/not_open.html", page=page)
    form = answer_form(page)
    questions = [(q, form[f"q{q.id}"]) for q in page.questions]
    context = {"page": page, "form": form, "questions": questions, "choices": list(page.scale.labels.items())}
    if request.method == "POST" and form.validate_on_submit():
        return commit_or_show_errors(
            responding.record_response,
            token,
            form.answers(),
            form.submission_key.data or "",
            per_minute=current_app.config.get("S11_SURVEY_PER_MINUTE", responding.DEFAULT_PER_MINUTE),
            then=lambda _stored: _thank(token, page),
            otherwise=lambda reasons: (render_template("survey/answer.html", problems=reasons, **context), _status(reasons)),
        )
    return render_template("survey/answer.html", **context), 422 if request.method == "POST" else 200


def _status(reasons: list[str]) -> int:
    return 429 if reasons and reasons[0] == responding.TooManyResponses().reasons[0] else 422


def _thank(token: str, page: SurveyPage) -> ResponseReturnValue:
    response = make_response(redirect(url_for("survey.thanks", token=token)))
    response.set_cookie(
        _guard(page),
        "sent",
        max_age=GUARD_DAYS * 24 * 3600,
        path=f"/survey/{token}",
        secure=bool(current_app.config["S11_HTTPS"]),
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.route("/survey/<token>/thank-you")
def thanks(token: str) -> ResponseReturnValue:
    return render_template("survey/thanks.html", page=read_or_404(responding.survey_page, token))
