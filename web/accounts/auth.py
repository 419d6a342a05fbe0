"""Signing in and out, and the e-mailed links that set a password (invitation, reset)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from models.account_token import TokenPurpose
from web.accounts.agency_switch import after_sign_in
from web.accounts.choosing import safe_next
from web.common.db import commit_or_show_errors, db
from web.common.forms import ConfirmForm, ForgottenPasswordForm, SetPasswordForm, SignInForm
from web.common.identity import SignedIn, me
from workflow.access import roles_of
from workflow.errors import DomainError
from workflow.people import accounts
from workflow.people import sign_in as sign_in_rules

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    problems: list[str] = []
    if form.validate_on_submit():
        session = db()
        attempt = sign_in_rules.begin_attempt(session, form.email.data, _address())
        session.commit()  # counted before the slow hash starts, so parallel guesses see the count
        outcome = sign_in_rules.finish_attempt(session, attempt, form.password.data)
        session.commit()
        if outcome.user is not None:
            login_user(SignedIn(outcome.user, roles_of(session, outcome.user)))
            return after_sign_in(safe_next(request.args.get("next")))
        problems.append(outcome.problem)
    return render_template("auth/sign_in.html", form=form, problems=problems)


def _address() -> str:
    """The network address the request came from (what throttles count per address)."""
    return request.remote_addr or ""


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out() -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    session = db()
    accounts.sign_out(session, me())
    session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password() -> ResponseReturnValue:
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        return commit_or_show_errors(
            accounts.request_password_reset,
            form.email.data,
            _address(),
            then=lambda _: render_template("auth/check_email.html", email=form.email.data.strip()),
            otherwise=lambda reasons: (render_template("auth/forgotten_password.html", form=form, problems=reasons), 429),
        )
    return render_template("auth/forgotten_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    return _set_password(token, TokenPurpose.INVITATION, "Set your password")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    return _set_password(token, TokenPurpose.PASSWORD_RESET, "Choose a new password")


def _set_password(token: str, purpose: TokenPurpose, heading: str) -> ResponseReturnValue:
    """Both links work the same way; the person then signs in with the new password."""
    try:
        holder = accounts.holder_of_link(db(), token, purpose)
    except DomainError:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()

    def done(_user) -> ResponseReturnValue:
        if current_user.is_authenticated:
            logout_user()  # the password change ended every session, this browser's included
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.sign_in"))

    if form.validate_on_submit():
        return commit_or_show_errors(
            accounts.set_password_from_link,
            token,
            purpose,
            password=form.password.data,
            confirmation=form.confirmation.data,
            then=done,
            otherwise=lambda reasons: (
                render_template("auth/set_password.html", form=form, problems=reasons, holder=holder, heading=heading),
                422,
            ),
        )
    return render_template("auth/set_password.html", form=form, holder=holder, heading=heading)


@bp.route("/unlock/<token>", methods=["GET", "POST"])
def unlock(token: str) -> ResponseReturnValue:
    """The link e-mailed when signing in pauses: a button, so a mail scanner's visit changes nothing."""
    try:
        holder = accounts.holder_of_link(db(), token, TokenPurpose.UNLOCK)
    except DomainError:
        return render_template("auth/link_expired.html"), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        return commit_or_show_errors(
            accounts.unlock_from_link,
            token,
            then=lambda _user: _unlocked(),
            otherwise=lambda _reasons: (render_template("auth/link_expired.html"), 404),
        )
    return render_template("auth/unlock.html", form=form, holder=holder)


def _unlocked() -> ResponseReturnValue:
    flash("Your account is unlocked. Sign in now.", "success")
    return redirect(url_for("auth.sign_in"))
