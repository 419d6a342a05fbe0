"""Choosing which partnership to work in, for a coordinator or QA reviewer in several: at sign-in
and from the header (workflow/people/partnership_choice.py says why one at a time)."""

from flask import Blueprint, redirect, url_for
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from models.user import Role
from web.accounts.choosing import choose_one
from web.common.db import db
from web.common.form_checks import CheckedForm
from web.common.identity import CHOSEN_PARTNERSHIP, me
from workflow import partnerships
from workflow.people import partnership_choice

bp = Blueprint("partnership_switch", __name__)


class ChoosePartnershipForm(CheckedForm):
    partnership = RadioField("Which partnership are you working in?", widget=GovRadioInput(), coerce=int,
                             validators=[InputRequired(message="Choose the partnership you are working in")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


def works_in_several() -> bool:
    """Whether the signed-in member of staff has a choice to make (one short query, staff only)."""
    if not current_user.is_authenticated or not current_user.has(Role.COORDINATOR, Role.QA_REVIEWER):
        return False
    return partnership_choice.works_in_several(db(), me())


def needs_choosing(target: str) -> ResponseReturnValue | None:
    """At sign-in: the choice first for staff in several partnerships (None: nothing to choose)."""
    cookie.pop(CHOSEN_PARTNERSHIP, None)  # a choice left by whoever signed in before does not carry over
    if works_in_several():
        return redirect(url_for("partnership_switch.choose", next=target))
    return None


@bp.route("/choose-partnership", methods=["GET", "POST"])
@login_required
def choose() -> ResponseReturnValue:
    session = db()
    return choose_one(
        choices=[(p.id, p.name) for p in partnership_choice.partnerships_for(session, me())],
        make_form=lambda: ChoosePartnershipForm(partnership=session.info.get(partnerships.HOME_KEY)),
        field="partnership",
        pick=lambda chosen: partnership_choice.chosen_partnership(session, me(), chosen).id,
        remember_as=CHOSEN_PARTNERSHIP,
        refused="Choose one of the partnerships you work in",
        template="auth/choose_partnership.html",
    )


@bp.app_context_processor
def partnership_switcher() -> dict:
    return {"works_in_several_partnerships": works_in_several}
