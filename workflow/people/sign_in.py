"""Signing in: the same words and the same time for every failure, and pauses no race can pass.

An attempt has two steps. `begin_attempt` counts it in the database before any password is
checked (one atomic UPDATE ... RETURNING for the account, one atomic upsert for the network
address), so forty parallel guesses get forty different numbers and only the first few are ever
checked. `finish_attempt` then checks the password, or a dummy hash when there is nothing to check,
so an unknown address, a paused account and a wrong password all take as long and read the same.
The web view commits between the two steps: the count is saved before the slow hash starts.

Five wrong passwords pause the account for a minute, then two, four, eight, at most fifteen, and
e-mail its owner a link that lifts the pause at once: a stranger can slow an account down but
cannot keep its owner out. Thirty wrong passwords from one address in fifteen minutes stop that
address trying any account until the window ends.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session

from models import User
from models.account_token import TokenPurpose
from workflow.clock import uk_time, utcnow
from workflow.mail import outbox
from workflow.people import accounts, throttles, users

MAX_FAILED_SIGN_INS = 5
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(minutes=15)
ADDRESS_WINDOW = timedelta(minutes=15)
FAILURES_PER_ADDRESS = 30

WRONG_DETAILS = (
    "Enter a correct e-mail address and password. After 5 wrong passwords, signing in to an account "
    "pauses for a few minutes and its owner is e-mailed a link to unlock it."
)


@dataclass(frozen=True)
class SignInOutcome:
    """Who signed in, or why not (the same words for every failure)."""

    user: User | None
    problem: str | None = None


@dataclass(frozen=True)
class Attempt:
    """A counted attempt: the account whose password may be checked (None: check a dummy)."""

    user_id: int | None
    address: str


def pause_after(failures: int) -> timedelta:
    """How long signing in pauses after this many wrong passwords in a row: doubling, capped."""
    if failures < MAX_FAILED_SIGN_INS:
        return timedelta(0)
    return min(FIRST_PAUSE * 2 ** (failures - MAX_FAILED_SIGN_INS), LONGEST_PAUSE)


def begin_attempt(session: Session, email: str, address: str) -> Attempt:
    """Count the attempt against the address and the account before the password is looked at."""
    if throttles.count(session, "sign_in_address", address, window=ADDRESS_WINDOW) > FAILURES_PER_ADDRESS:
        return Attempt(None, address)
    user = accounts.account_for_email(session, email)
    if user is None or not user.active or not user.password_hash:
        return Attempt(None, address)
    now = utcnow()
    table = User.__table__
    failures = session.execute(
        update(table)
        .where(table.c.id == user.id, or_(table.c.locked_until.is_(None), table.c.locked_until <= now))
        .values(failed_logins=table.c.failed_logins + 1)
        .returning(table.c.failed_logins)
    ).scalar_one_or_none()
    if failures is None:  # paused: no password is checked until the pause ends
        return Attempt(None, address)
    if failures >= MAX_FAILED_SIGN_INS:
        _pause(session, user, failures)
    return Attempt(user.id, address)


def _pause(session: Session, user: User, failures: int) -> None:
    """Start a pause (this attempt is still checked) and send the owner the link that lifts it."""
    table = User.__table__
    until = utcnow() + pause_after(failures)
    session.execute(update(table).where(table.c.id == user.id).values(locked_until=until))
    token, _row = accounts.issue_link(session, user, TokenPurpose.UNLOCK, accounts.UNLOCK_LIFETIME)
    outbox.queue(
        session,
        kind="sign_in_paused",
        to_email=user.email,
        to_name=user.name,
        context={"token": token, "failures": failures, "until": uk_time(until)},  # "2:05pm", in London
    )


def finish_attempt(session: Session, attempt: Attempt, password: str) -> SignInOutcome:
    """Check the password (or a dummy, taking as long); a right one clears the account's count."""
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None:
        users.check_against_nobody(password)
        return SignInOutcome(None, WRONG_DETAILS)
    if not users.password_matches(session, user, password):
        session.flush()
        return SignInOutcome(None, WRONG_DETAILS)
    throttles.count(session, "sign_in_address", attempt.address, window=ADDRESS_WINDOW, by=-1)
    table = User.__table__
    session.execute(update(table).where(table.c.id == user.id).values(failed_logins=0, locked_until=None))
    session.refresh(user, ["failed_logins", "locked_until"])
    if not user.session_token:
        user.session_token = accounts.new_session_token()
    session.add(user)
    session.flush()
    return SignInOutcome(user)


def attempt_sign_in(session: Session, email: str, password: str, address: str = "") -> SignInOutcome:
    """Both steps in one transaction, for callers that do not commit in between (tests, scripts)."""
    return finish_attempt(session, begin_attempt(session, email, address), password)
