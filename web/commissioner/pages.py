"""A commissioning agency oversees the services it commissions: its people read their returns,
action plans and progress (never change them) and comment; the coordinator sees the same pages,
comments included. Who may see what is `workflow.access.commissioner_may_see`."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField

from models.user import AGENCY_ROLES, Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.forms import put_reasons_on_fields
from web.common.identity import me, roles_required
from web.returns.forms import PageForm
from web.returns.page_helpers import done
from workflow.access import commissioned_return, commissioner_may_see
from workflow.answering import content as return_content
from workflow.answering import return_view
from workflow.calendar import commissioned
from workflow.review import commissioner_comments

bp = Blueprint("commissioner", __name__)
WHO = (Role.COORDINATOR, *sorted(AGENCY_ROLES))


class CommentForm(PageForm):
    comment = TextAreaField(
        "Your comment",
        widget=GovTextArea(),
        description="The provider's contacts are told by e-mail; the coordinator reads it too",
    )
    submit = SubmitField("Send the comment", widget=GovSubmitInput())


@bp.route("/commissioned")
@roles_required(*WHO)
def index() -> ResponseReturnValue:
    rows = read_or_404(commissioned.provider_returns, me())
    return render_template("commissioner/index.html", rows=rows, coordinator=current_user.has(Role.COORDINATOR))


def _return_page(return_id: int, form: CommentForm, problems: list[str] | None = None) -> str:
    session, user = db(), me()
    ret = read_or_404(commissioned_return, user, return_id)
    content = return_content.load(session, ret)
    names = return_view.people_named(session, {a.lead_user_id for a in content.actions if a.lead_user_id})
    return render_template(
        "commissioner/return.html",
        content=content,
        names=names,
        plan=return_view.action_plan(session, content),
        comments=commissioner_comments.comments_on(session, user, return_id),
        may_comment=commissioner_may_see(session, user, ret),
        form=form,
        problems=problems,
    )


@bp.route("/commissioned/returns/<int:return_id>")
@roles_required(*WHO)
def view(return_id: int) -> ResponseReturnValue:
    return _return_page(return_id, CommentForm(formdata=None))


@bp.route("/commissioned/returns/<int:return_id>", methods=["POST"])
@roles_required(*sorted(AGENCY_ROLES))
def comment(return_id: int) -> ResponseReturnValue:
    form = CommentForm()
    if not form.validate():  # too long, or a control character: said beside the box
        read_or_404(commissioned_return, me(), return_id)
        return _return_page(return_id, form), 422
    return commit_or_show_errors(
        commissioner_comments.comment,
        me(),
        return_id,
        text=form.comment.data or "",
        then=done("Your comment is sent: the provider's contacts were told.", "commissioner.view", return_id=return_id),
        otherwise=lambda reasons: (_return_page(return_id, form, put_reasons_on_fields(form, reasons)), 422),
    )
