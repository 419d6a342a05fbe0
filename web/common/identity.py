"""Who is signed in: Flask-Login's user, built from the session cookie's "id:token".

The token is the account's current `session_token`; signing out rotates it, so a copied cookie
stops working (Flask-Login alone cannot invalidate one: ECOSYSTEM.md).
"""

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask import session as cookie
from flask_login import UserMixin, current_user
from sqlalchemy.orm.attributes import set_committed_value

from models import User
from models.user import Role
from web.common.db import db
from web.common.extensions import login_manager
from workflow import partnerships
from workflow.access import roles_of
from workflow.people import accounts, agency_choice, partnership_choice

P = ParamSpec("P")
R = TypeVar("R")


class SignedIn(UserMixin):
    """The person behind this request: their account row and the roles they hold now."""

    def __init__(self, user: User, roles: set[Role]) -> None:
        self.user = user
        self.roles = roles

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_token}"

    @property
    def is_active(self) -> bool:
        return self.user.active

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))


@login_manager.user_loader
def load_signed_in(session_id: str) -> SignedIn | None:
    session = db()
    user = accounts.user_for_session(session, session_id)
    if user is None:
        return None
    _act_for_chosen_agency(session, user)
    partnerships.limit_to(session, user)  # from here on, this request reads only the person's partnerships
    if CHOSEN_PARTNERSHIP in cookie:  # ...or only the one of them they chose to work in
        partnership_choice.work_in_chosen(session, user, cookie.get(CHOSEN_PARTNERSHIP))
    return SignedIn(user, roles_of(session, user))


CHOSEN_AGENCY = "agency_id"
CHOSEN_PARTNERSHIP = "partnership_id"


def _act_for_chosen_agency(session, user: User) -> None:
    """The agency chosen in this session (of the several the person acts for) is their agency for
    this request; the account row is not changed (set_committed_value), so nothing is saved."""
    chosen = cookie.get(CHOSEN_AGENCY)
    if isinstance(chosen, int) and chosen != user.agency_id and agency_choice.acts_for(session, user, chosen):
        set_committed_value(user, "agency_id", chosen)


def me() -> User:
    """The signed-in person's account row, for workflow operations (views are behind login_required)."""
    return current_user.user


def roles_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Refuse with 403 a signed-in person holding none of these roles (anonymous: sign in first)."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
