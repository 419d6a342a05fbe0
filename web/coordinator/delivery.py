"""The coordinator's view of e-mail delivery: what failed (and sending it again), which
contacts' addresses bounce, so the agency list can be corrected before the next reminder, and
which e-mails went out more than once."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from models.user import Role
from web.common.db import commit_or_show_errors, db
from web.common.identity import me, roles_required
from workflow.mail import bounces, delivery

bp = Blueprint("delivery", __name__)


@bp.before_request
@roles_required(Role.COORDINATOR)
def _coordinators_only() -> None:
    """Delivery problems name people's addresses: coordinators only."""


@bp.route("/email-delivery")
def index() -> ResponseReturnValue:
    session = db()
    return render_template(
        "coordinator/email_delivery.html",
        failed=delivery.failed_messages(session),
        bounced=bounces.bounced_contacts(session),
        duplicates=delivery.duplicate_sends(session),
    )


@bp.route("/email-delivery/<int:message_id>/retry", methods=["POST"])
def retry(message_id: int) -> ResponseReturnValue:
    def sent_again(message) -> ResponseReturnValue:
        flash(f"The e-mail to {message.to_email} will be sent again in a moment.", "success")
        return redirect(url_for("delivery.index"))

    def refused(reasons: list[str]) -> ResponseReturnValue:
        for reason in reasons:
            flash(reason, "error")
        return redirect(url_for("delivery.index"))

    return commit_or_show_errors(delivery.retry_failed, me(), message_id, then=sent_again, otherwise=refused)
