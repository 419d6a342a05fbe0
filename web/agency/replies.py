"""The agency's answers to QA: each challenge answered in writing, each evidence request met with
text and/or files. One operation per answer; a refusal keeps what was typed."""

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue
from flask_login import login_required
from flask_wtf import FlaskForm

from web.common.db import commit_or_show_errors, db
from web.common.identity import me
from web.returns.forms import AnswerChallengeForm, ProvideEvidenceForm
from web.returns.page_helpers import again, content_of, done, evidence_store, page, uploads_from
from workflow.answering import return_view
from workflow.review import qa
from workflow.review.evidence_replies import provide_evidence_with_files

bp = Blueprint("replies", __name__)


def _form(form_class: type[FlaskForm], prefix: str, posted: bool) -> FlaskForm:
    """The posted form reads the request (text and files); the others start empty."""
    return form_class(prefix=prefix) if posted else form_class(prefix=prefix, formdata=None)


def _challenges_page(return_id: int, posted: int | None = None):
    content = content_of(return_id)
    session, user = db(), me()
    challenges = return_view.challenges_of(session, content.ret.id)
    if posted is not None and posted not in {c.id for c in challenges}:
        abort(404)
    forms = {c.id: _form(AnswerChallengeForm, f"c{c.id}", c.id == posted) for c in challenges}
    refs = {q.id: q.ref for q in content.questions}
    render = page(
        "agency/challenges.html", content=content, challenges=challenges, forms=forms, refs=refs,
        may_reply=return_view.may_reply(session, user, content.ret),
        names=return_view.people_named(session, {c.raised_by_id for c in challenges}),
        form=forms.get(posted),
    )
    return render, forms.get(posted)


@bp.route("/returns/<int:return_id>/challenges")
@login_required
def challenges(return_id: int) -> ResponseReturnValue:
    return _challenges_page(return_id)[0]()


@bp.route("/returns/<int:return_id>/challenges/<int:challenge_id>", methods=["POST"])
@login_required
def answer(return_id: int, challenge_id: int) -> ResponseReturnValue:
    render, form = _challenges_page(return_id, posted=challenge_id)
    return commit_or_show_errors(
        qa.answer_challenge,
        me(),
        challenge_id,
        response=form.response.data or "",
        then=done("Your answer was sent to the QA sub-group.", "replies.challenges", return_id=return_id),
        otherwise=again(render),
    )


def _requests_page(return_id: int, posted: int | None = None):
    content = content_of(return_id)
    session, user = db(), me()
    requests = return_view.evidence_requests_of(session, content.ret.id)
    if posted is not None and posted not in {r.id for r in requests}:
        abort(404)
    forms = {r.id: _form(ProvideEvidenceForm, f"e{r.id}", r.id == posted) for r in requests}
    render = page(
        "agency/evidence_requests.html", content=content, requests=requests, forms=forms,
        refs={q.id: q.ref for q in content.questions},
        files={r.id: return_view.files_of_request(session, r.id) for r in requests},
        may_reply=return_view.may_reply(session, user, content.ret),
        form=forms.get(posted),
    )
    return render, forms.get(posted)


@bp.route("/returns/<int:return_id>/evidence-requests")
@login_required
def evidence_requests(return_id: int) -> ResponseReturnValue:
    return _requests_page(return_id)[0]()


@bp.route("/returns/<int:return_id>/evidence-requests/<int:request_id>", methods=["POST"])
@login_required
def provide(return_id: int, request_id: int) -> ResponseReturnValue:
    render, form = _requests_page(return_id, posted=request_id)
    return commit_or_show_errors(
        provide_evidence_with_files,
        me(),
        request_id,
        response=form.response.data or "",
        uploads=uploads_from(request.files.getlist(form.files.name)),
        store=evidence_store(),
        then=done("The evidence was sent to the QA sub-group.", "replies.evidence_requests", return_id=return_id),
        otherwise=again(render),
    )
