"""The QA sub-group's pages: the queue, and one return standard by standard with the QA moves
(challenge, request evidence, moderate, accept, return for amendment), each one operation."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from models.cycle import CycleState
from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.identity import me, roles_required
from web.returns.forms import (
    AcceptForm,
    AmendForm,
    ModerateForm,
    RaiseChallengeForm,
    RequestEvidenceForm,
    chosen_id,
    question_choices,
)
from web.returns.page_helpers import again, content_of, done, page
from workflow.answering import return_view, reuse, submission_copies
from workflow.calendar import progress
from workflow.review import intelligence, peer_review_view, qa, qa_queue

bp = Blueprint("qa", __name__)

MOVES = ("challenge", "request_evidence", "accept", "return_for_amendment")


@bp.before_request
@roles_required(Role.QA_REVIEWER)
def _qa_reviewers_only() -> None:
    """Every page here is the QA sub-group's: others get 403, anonymous people the sign-in page."""


@bp.route("/qa")
def index() -> ResponseReturnValue:
    session = db()
    open_cycles = [s.cycle for s in progress.cycle_list(session) if s.cycle.status == CycleState.OPEN]
    return page("qa/index.html", rows=qa_queue.qa_queue(session), open_cycles=open_cycles)()


def _form(form_class: type[FlaskForm], prefix: str, posted: str | None) -> FlaskForm:
    return form_class(prefix=prefix) if prefix == posted else form_class(prefix=prefix, formdata=None)


def _review_page(return_id: int, posted: str | None = None) -> tuple[Callable[..., str], dict[str, Any]]:
    """The review page's renderer and its forms; the posted form reads the request, the others start empty."""
    content = content_of(return_id)
    session, user = db(), me()
    choices = question_choices(content)
    forms: dict[str, Any] = {
        "challenge": _form(RaiseChallengeForm, "challenge", posted),
        "evidence": _form(RequestEvidenceForm, "evidence", posted),
        "accept": _form(AcceptForm, "accept", posted),
        "amend": _form(AmendForm, "amend", posted),
    }
    forms["challenge"].question_id.choices = choices
    forms["evidence"].question_id.choices = choices
    if posted is None and request.args.get("question"):
        forms["challenge"].question_id.data = request.args["question"]
        forms["evidence"].question_id.data = request.args["question"]
    moderate = {}
    for question in content.questions:
        form = _form(ModerateForm, f"m{question.id}", posted)
        form.rating.choices = list(content.scale.labels.items())
        if posted != f"m{question.id}" and question.id in content.answers:
            form.rating.data = content.answers[question.id].moderated_rating
        moderate[question.id] = form
    ret = content.ret
    every_form = {**forms, **{f"m{qid}": f for qid, f in moderate.items()}}
    render = page(
        "qa/return.html",
        content=content,
        forms=forms,
        moderate=moderate,
        may={m: return_view.may_move(session, user, ret, m) for m in MOVES},
        accept_waits_for=qa.accept_waits_for(ret),
        may_moderate=return_view.may_moderate(session, user, ret),
        challenges=return_view.challenges_of(session, ret.id),
        requests=return_view.evidence_requests_of(session, ret.id),
        selection=qa.selection_of(session, ret.id),
        peer_reviews=peer_review_view.reviews_of_return(session, content),
        intelligence=intelligence.for_return(session, user, ret),
        names=return_view.people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id}),
        refs={q.id: q.ref for q in content.questions},
        reused=reuse.reused_from(session, ret.id),
        changed=submission_copies.changes_since_last_submission(session, ret.id, content.scale.labels),
        form=every_form.get(posted or ""),
    )
    return render, every_form


@bp.route("/qa/returns/<int:return_id>")
def review(return_id: int) -> ResponseReturnValue:
    return _review_page(return_id)[0]()


def _act(
    return_id: int, prefix: str, operation: Callable[..., Any], message: str, **kwargs: Callable[[Any], Any]
) -> ResponseReturnValue:
    """Run one QA move with the posted form's values; refused: the page again, typing kept."""
    render, forms = _review_page(return_id, posted=prefix)
    form = forms[prefix]
    if not form.validate():
        return render(), 422
    values = {name: read(form) for name, read in kwargs.items()}
    return commit_or_show_errors(
        operation, me(), return_id, **values,
        then=done(message, "qa.review", return_id=return_id), otherwise=again(render),
    )


@bp.route("/qa/returns/<int:return_id>/challenge", methods=["POST"])
def challenge(return_id: int) -> ResponseReturnValue:
    return _act(
        return_id, "challenge", qa.raise_challenge, "The challenge was sent to the agency.",
        text=lambda f: f.text.data or "", question_id=lambda f: chosen_id(f.question_id.data),
    )


@bp.route("/qa/returns/<int:return_id>/request-evidence", methods=["POST"])
def request_evidence(return_id: int) -> ResponseReturnValue:
    return _act(
        return_id, "evidence", qa.request_evidence, "The evidence request was sent to the agency.",
        description=lambda f: f.description.data or "", due_date=lambda f: f.due_date.data,
        question_id=lambda f: chosen_id(f.question_id.data),
    )


@bp.route("/qa/returns/<int:return_id>/questions/<int:question_id>/moderate", methods=["POST"])
def moderate(return_id: int, question_id: int) -> ResponseReturnValue:
    render, forms = _review_page(return_id, posted=f"m{question_id}")
    form = forms.get(f"m{question_id}")
    if form is None:
        abort(404)
    return commit_or_show_errors(
        qa.moderate, me(), return_id, question_id, rating=form.rating.data or "",
        then=done("The moderated rating is recorded.", "qa.review", return_id=return_id), otherwise=again(render),
    )


@bp.route("/qa/returns/<int:return_id>/accept", methods=["POST"])
def accept(return_id: int) -> ResponseReturnValue:
    return _act(
        return_id, "accept", qa.accept, "The return is accepted: its action plan is now live.", note=lambda f: f.note.data or ""
    )


@bp.route("/qa/returns/<int:return_id>/return-for-amendment", methods=["POST"])
def return_for_amendment(return_id: int) -> ResponseReturnValue:
    return _act(
        return_id, "amend", qa.return_for_amendment, "The return was sent back to the agency for amendment.",
        reason=lambda f: f.reason.data or "",
    )
