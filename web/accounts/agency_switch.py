"""Choosing which agency to act for, for a person who acts for several: at sign-in and from the header."""

from flask import Blueprint, redirect, url_for
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from models.user import AGENCY_ROLES
from web.accounts.choosing import choose_one
from web.accounts.partnership_switch import needs_choosing
from web.common.db import db
from web.common.form_checks import CheckedForm
from web.common.identity import CHOSEN_AGENCY, me
from workflow import partnerships
from workflow.people import agency_choice

bp = Blueprint("agency_switch", __name__)


class ChooseAgencyForm(CheckedForm):
    agency = RadioField("Which agency are you acting for?", widget=GovRadioInput(), coerce=int,
                        validators=[InputRequired(message="Choose the agency you are acting for")])
    submit = SubmitField("Continue", widget=GovSubmitInput())


def acts_for_several() -> bool:
    """Whether the signed-in person has a choice to make (one short query, for agency people only)."""
    if not current_user.is_authenticated or not current_user.has(*AGENCY_ROLES):
        return False
    return len(agency_choice.agencies_for(db(), me())) > 1


def after_sign_in(target: str) -> ResponseReturnValue:
    """Where sign-in leads: the choice first for a person acting for several agencies."""
    cookie.pop(CHOSEN_AGENCY, None)  # a choice left by whoever signed in before does not carry over
    partnerships.limit_to(db(), me())  # the person was not loaded by the user loader in this request
    choosing = needs_choosing(target)  # staff in several partnerships choose one first
    if choosing is not None:
        return choosing
    if acts_for_several():
        return redirect(url_for("agency_switch.choose", next=target))
    return redirect(target)


@bp.route("/choose-agency", methods=["GET", "POST"])
@login_required
def choose() -> ResponseReturnValue:
    session = db()
    return choose_one(
        choices=[(a.id, a.name) for a in agency_choice.agencies_for(session, me())],
        make_form=lambda: ChooseAgencyForm(agency=me().agency_id),
        field="agency",
        pick=lambda chosen: agency_choice.chosen_agency(session, me(), chosen).id,
        remember_as=CHOSEN_AGENCY,
        refused="Choose one of the agencies you act for",
        template="auth/choose_agency.html",
    )


@bp.app_context_processor
def agency_switcher() -> dict:
    return {"acts_for_several_agencies": acts_for_several}
