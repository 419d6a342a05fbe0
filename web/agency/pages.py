"""The agency's return: the task list, a standard's questions, check your answers, submit.

Each view finds the return (404 for another agency's), calls one workflow operation, commits and
redirects; a refusal shows the same page with the engine's reasons and everything typed kept.
Who may see a page is the engine's `visible_return`; who may change it is the operation's check.
"""

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from models.user import Role
from web.agency import standard_page
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.identity import me, roles_required
from web.returns.forms import EmailCopyForm, SubmitReturnForm
from web.returns.page_helpers import again, content_of, done, evidence_store, page, the_return
from workflow.answering import carry_forward, return_view, returns, reuse
from workflow.answering.standard_answers import StandardSaved, save_standard
from workflow.calendar import progress
from workflow.reporting import return_copy
from workflow.review import commissioner_comments, feedback, statement_view

bp = Blueprint("returns", __name__)


@bp.route("/returns")
@roles_required(Role.AGENCY_USER, Role.EXECUTIVE, Role.LEAD_PERSON)
def index() -> ResponseReturnValue:
    user = me()
    rows = progress.returns_of_agency(db(), user.agency_id) if user.agency_id else []
    return page("agency/index.html", rows=rows)()


@bp.route("/returns/<int:return_id>")
@login_required
def view(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    session, user = db(), me()
    return page(
        "agency/return.html",
        content=content,
        tasks=return_view.task_list(content),
        editing=return_view.editing_refusal(session, user, content.ret) is None,
        can_submit=not return_view.submit_refusals(session, user, content),
        statement_offered=statement_view.may_sign(session, user, content.ret)
        or statement_view.may_choose_peer_review(session, user, content.ret),
        copy_form=EmailCopyForm(),
        feedback_ready=feedback.acceptance_of(session, content.ret.id) is not None,
        commissioner_comments=commissioner_comments.comments_on(session, user, content.ret.id),
        carry_forward=carry_forward.standing(session, user, content.ret),
        reuse_offered=reuse.standing(session, user, content.ret),
    )()


@bp.route("/returns/<int:return_id>/standards/<int:standard_id>", methods=["GET", "POST"])
@login_required
def standard(return_id: int, standard_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    session, user = db(), me()
    the_standard = read_or_404(lambda _s: return_view.standard_of(content, standard_id))
    refusal = return_view.editing_refusal(session, user, content.ret)
    people = return_view.agency_people(session, content.ret.agency_id)
    formdata = standard_page.posted(request.form, request.files) if request.method == "POST" else None
    blocks = standard_page.blocks(content, the_standard, people, formdata)
    render = page(
        "agency/standard.html",
        content=content,
        standard=the_standard,
        blocks=blocks,
        refusal=refusal,
        names=return_view.people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id}),
        reused=reuse.reused_from(session, content.ret.id),
    )
    if request.method == "GET":
        return render()
    shape_errors = standard_page.validate(blocks)
    if shape_errors:
        return render(problems=shape_errors), 422
    answers, actions, uploads = standard_page.inputs(blocks, request.files)
    stay = request.form.get("next") == "stay"

    def saved(result: StandardSaved) -> ResponseReturnValue:
        if not result.conflicts and not result.refused_files:
            return done(
                f"Standard {the_standard.number} is saved.",
                "returns.standard" if stay else "returns.view",
                return_id=content.ret.id,
                **({"standard_id": the_standard.id} if stay else {}),
            )(result)
        # The rest was saved; the page comes back with both versions of what someone else changed,
        # and each refused file named beside its question's file field.
        fresh = content_of(return_id)
        page_blocks = standard_page.blocks(fresh, the_standard, people, formdata, conflicts=result.conflicts)
        standard_page.mark_refused_files(page_blocks, result.refused_files)
        return render_template(
            "agency/standard.html",
            content=fresh,
            standard=the_standard,
            blocks=page_blocks,
            refusal=None,
            names=return_view.people_named(session, {a.lead_user_id for a in fresh.actions if a.lead_user_id}),
            problems=standard_page.conflict_problems(result.conflicts) + standard_page.file_problems(result.refused_files),
        ), 409 if result.conflicts else 422

    return commit_or_show_errors(
        save_standard,
        user,
        content.ret.id,
        the_standard.id,
        answers=answers,
        actions=actions,
        uploads=uploads,
        store=evidence_store(),
        then=saved,
        otherwise=again(render),
    )


@bp.route("/returns/<int:return_id>/check")
@login_required
def check(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    session, user = db(), me()
    reasons = return_view.submit_refusals(session, user, content)
    return page(
        "agency/check.html",
        content=content,
        located=return_view.located_problems(content, reasons),
        can_submit=not reasons,
        editing=return_view.editing_refusal(session, user, content.ret) is None,
        names=return_view.people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id}),
        reused=reuse.reused_from(session, content.ret.id),
    )()


@bp.route("/returns/<int:return_id>/submit", methods=["GET", "POST"])
@roles_required(Role.AGENCY_USER)
def submit(return_id: int) -> ResponseReturnValue:
    content = content_of(return_id)
    form = SubmitReturnForm()
    render = page(
        "agency/submit.html", content=content, form=form, declaration=returns.DECLARATION,
        located=lambda reasons: return_view.located_problems(content, reasons),
    )
    if request.method == "GET":
        return render()
    return commit_or_show_errors(
        returns.submit,
        me(),
        content.ret.id,
        declaration_confirmed=bool(form.confirm.data),
        then=lambda _ret: redirect(url_for("returns.submitted", return_id=content.ret.id)),
        otherwise=again(render),
    )


@bp.route("/returns/<int:return_id>/submitted")
@login_required
def submitted(return_id: int) -> ResponseReturnValue:
    ret = the_return(return_id)
    names = return_view.people_named(db(), {ret.submitted_by_id} if ret.submitted_by_id else set())
    return page("agency/submitted.html", ret=ret, submitted_by=names.get(ret.submitted_by_id, ""), copy_form=EmailCopyForm())()


@bp.route("/returns/<int:return_id>/email-copy", methods=["POST"])
@login_required
def email_copy(return_id: int) -> ResponseReturnValue:
    user = me()
    return commit_or_show_errors(
        return_copy.email_me_a_copy,
        user,
        return_id,
        then=done(f"A copy of the return is on its way to {user.email}.", "returns.view", return_id=return_id),
        otherwise=lambda reasons: (page("agency/refused.html", return_id=return_id)(problems=reasons), 422),
    )
