"""Accounts: sessions, invitation, password-reset and unlock links, sign-out, deactivation.

The rules live here, not in the web views, so the command line and tests use the same ones.
Signing in itself, with its pauses and throttles, is in `sign_in`.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, func, select

from models import AccountToken, Agency, User, UserRole
from models.account_token import TokenPurpose
from models.field_limits import is_whole_number
from models.user import Role
from workflow.access import require_role
from workflow.clock import uk_date, uk_time, utcnow
from workflow.errors import DomainError, NotFound
from workflow.mail import outbox
from workflow.people import throttles, users

INVITATION_LIFETIME = timedelta(days=14)
RESET_LIFETIME = timedelta(hours=2)
UNLOCK_LIFETIME = timedelta(hours=1)
# Reset links: enough for someone who lost the first e-mail, too few to flood a mailbox.
RESET_WINDOW = timedelta(hours=1)
RESETS_PER_ACCOUNT = 3
RESETS_PER_ADDRESS = 10

EXPIRED_LINK = "This link has expired or has already been used. Ask for a new one."
TOO_MANY_RESETS = (
    "Too many reset links have been asked for from this network in the last hour. "
    "Wait an hour, then try again, or ask the partnership's business unit for help."
)


def account_for_email(session: Session, email: str) -> User | None:
    """Addresses are matched without regard to case: people type them both ways."""
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def user_for_session(session: Session, session_id: str) -> User | None:
    """The person a session cookie names, if the cookie's token is still the account's current one."""
    user_id, _, token = session_id.partition(":")
    if not is_whole_number(user_id) or not token:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or not user.session_token:
        return None
    return user if secrets.compare_digest(user.session_token, token) else None


def new_session_token() -> str:
    return secrets.token_hex(16)


def sign_out(session: Session, user: User) -> None:
    """End every session of this person: a copied cookie stops working too."""
    user.session_token = secrets.token_hex(16)
    session.add(user)
    session.flush()


# --- Links sent by e-mail -------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(session: Session, user: User, purpose: TokenPurpose, lifetime: timedelta) -> tuple[str, AccountToken]:
    """A new link; earlier unused links for the same purpose stop working, so only the latest counts."""
    now = utcnow()
    for old in session.exec(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at == None,  # noqa: E711
        )
    ):
        old.used_at = now
        session.add(old)
    token = secrets.token_urlsafe(32)
    row = AccountToken(user_id=user.id, purpose=purpose.value, token_hash=_hash(token), expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return token, row


def _valid_token(session: Session, token: str, purpose: TokenPurpose) -> AccountToken:
    row = session.exec(select(AccountToken).where(AccountToken.token_hash == _hash(token))).first()
    if row is None or row.purpose != purpose.value or row.used_at is not None or row.expires_at <= utcnow():
        raise DomainError(EXPIRED_LINK)
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise DomainError(EXPIRED_LINK)
    return row


def holder_of_link(session: Session, token: str, purpose: TokenPurpose) -> User:
    """The person a link was sent to, so the page can greet them; refuses a spent or old link."""
    return session.get(User, _valid_token(session, token, purpose).user_id)


def set_password_from_link(session: Session, token: str, purpose: TokenPurpose, *, password: str, confirmation: str) -> User:
    """Use the link once to set a password; it also lifts a lock-out and ends other sessions."""
    row = _valid_token(session, token, purpose)
    if password != confirmation:
        raise DomainError("The two passwords are not the same.")
    user = session.get(User, row.user_id)
    users.set_password(session, user, password)
    user.failed_logins = 0
    user.locked_until = None
    row.used_at = utcnow()
    session.add_all([user, row])
    session.flush()
    return user


def invite_user(
    session: Session,
    actor: User,
    *,
    email: str,
    name: str,
    roles: set[Role],
    agency_id: int | None = None,
    job_title: str = "",
) -> User:
    """Add a person and e-mail them a link to set their password (valid for 14 days)."""
    user = users.add_user(session, actor, email=email, name=name, roles=roles, agency_id=agency_id, job_title=job_title)
    _send_invitation(session, actor, user, roles)
    return user


def resend_invitation(session: Session, actor: User, user_id: int) -> User:
    """A fresh invitation link for someone who has not set a password yet; the old link stops working."""
    require_role(session, actor, {Role.COORDINATOR}, "send invitations")
    user = _user(session, user_id)
    if user.password_hash:
        raise DomainError(f"{user.name} has already set a password: they can reset it from the sign-in page.")
    if not user.active:
        raise DomainError(f"{user.name}'s account is deactivated.")
    roles = {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user.id))}
    _send_invitation(session, actor, user, roles)
    return user


def _send_invitation(session: Session, actor: User, user: User, roles: set[Role]) -> None:
    token, row = issue_link(session, user, TokenPurpose.INVITATION, INVITATION_LIFETIME)
    agency = session.get(Agency, user.agency_id) if user.agency_id else None
    outbox.queue(
        session,
        kind="user_invitation",
        to_email=user.email,
        to_name=user.name,
        context={
            "token": token,
            "invited_by": actor.name,
            "roles": " and ".join(r.title.lower() if not r.title.startswith("QA") else r.title for r in sorted(roles)),
            "agency_name": agency.name if agency else "",
            "expires_on": uk_date(row.expires_at),
        },
    )


def request_password_reset(session: Session, email: str, address: str | None = None) -> None:
    """E-mail a reset link if the address has an active account; say nothing either way.

    Limited per network address (a refusal in words: it says nothing about any account) and per
    account (silently: saying so would tell a stranger the account exists).
    """
    if address is not None:
        if throttles.count(session, "reset_address", address, window=RESET_WINDOW) > RESETS_PER_ADDRESS:
            raise DomainError(TOO_MANY_RESETS)
    user = account_for_email(session, email)
    if user is None or not user.active:
        return
    if throttles.count(session, "reset_account", str(user.id), window=RESET_WINDOW) > RESETS_PER_ACCOUNT:
        return
    token, row = issue_link(session, user, TokenPurpose.PASSWORD_RESET, RESET_LIFETIME)
    outbox.queue(
        session,
        kind="password_reset",
        to_email=user.email,
        to_name=user.name,
        context={"token": token, "expires_at": f"{uk_time(row.expires_at)} on {uk_date(row.expires_at)}"},
    )


def unlock_from_link(session: Session, token: str) -> User:
    """The owner lifts a sign-in pause with the link e-mailed when it began; the link works once."""
    row = _valid_token(session, token, TokenPurpose.UNLOCK)
    user = session.get(User, row.user_id)
    user.failed_logins = 0
    user.locked_until = None
    row.used_at = utcnow()
    session.add_all([user, row])
    session.flush()
    return user


# --- People administration ------------------------------------------------------------------


def deactivate_user(session: Session, actor: User, user_id: int) -> User:
    """Stop someone signing in (their history stays); a coordinator cannot lock themselves out."""
    require_role(session, actor, {Role.COORDINATOR}, "deactivate users")
    user = _user(session, user_id)
    if user.id == actor.id:
        raise DomainError("You cannot deactivate your own account: ask another coordinator.")
    if not user.active:
        raise DomainError(f"{user.name}'s account is already deactivated.")
    user.active = False
    user.session_token = secrets.token_hex(16)
    session.add(user)
    session.flush()
    return user


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such person.")
    return user


@dataclass(frozen=True)
class PersonRow:
    """One line of the people list."""

    user: User
    roles: list[Role]
    agency_name: str

    @property
    def invited_only(self) -> bool:
        return self.user.password_hash is None


def directory(session: Session) -> list[PersonRow]:
    """Everyone, with roles and agency, in three queries whatever the number of people."""
    people = list(session.exec(select(User).order_by(User.active.desc(), User.name)))
    roles: dict[int, list[Role]] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role)):
        roles.setdefault(user_id, []).append(Role(role))
    agency_names = dict(session.exec(select(Agency.id, Agency.name)).all())
    return [PersonRow(u, sorted(roles.get(u.id, [])), agency_names.get(u.agency_id, "")) for u in people]
