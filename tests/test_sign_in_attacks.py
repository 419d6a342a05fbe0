"""Someone guessing passwords: in parallel, and timing the answers to learn who has an account."""

import statistics
import threading
import time

from argon2 import PasswordHasher
from sqlmodel import Session, select

from models import OutboxMessage, User
from models.user import Role
from tests.factories import add_person
from workflow.people import sign_in, users

PASSWORD = "correct horse battery staple"


def _person(session: Session) -> User:
    user = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    users.set_password(session, user, PASSWORD)
    session.commit()
    return user


def _attempt_as_a_request_does(engine, email: str, password: str, address: str) -> sign_in.SignInOutcome:
    """Count, commit, then check and commit: the two steps of the sign-in page."""
    with Session(engine, expire_on_commit=False) as session:
        attempt = sign_in.begin_attempt(session, email, address)
        session.commit()
        outcome = sign_in.finish_attempt(session, attempt, password)
        session.commit()
        return outcome


def test_forty_guesses_at_once_get_only_five_passwords_checked_and_then_not_even_the_right_one(
    engine, session, monkeypatch
):
    # Argon2 at its cheapest keeps the hashes quick on a busy machine; the race is in the database.
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    monkeypatch.setattr(users, "_DUMMY_HASH", None)
    cora = _person(session)
    checked: list[str] = []
    real_check = users.password_matches

    def counting_check(s, user, password):
        checked.append(password)
        return real_check(s, user, password)

    monkeypatch.setattr(users, "password_matches", counting_check)
    guesses = [f"guess number {n}" for n in range(40)]
    start = threading.Barrier(len(guesses))
    outcomes: dict[str, sign_in.SignInOutcome] = {}
    failures: list[BaseException] = []

    def guess(password: str, n: int) -> None:
        try:
            start.wait()
            outcomes[password] = _attempt_as_a_request_does(engine, cora.email, password, f"192.0.2.{n}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=guess, args=(p, n)) for n, p in enumerate(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    assert len(outcomes) == len(guesses)
    assert len(checked) == sign_in.MAX_FAILED_SIGN_INS
    assert {o.problem for o in outcomes.values()} == {sign_in.WRONG_DETAILS}
    session.expire_all()
    assert session.get(User, cora.id).locked_until is not None
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "sign_in_paused")).all()) == 1

    # Now the right password, from yet another address: not even checked while the pause lasts.
    right = _attempt_as_a_request_does(engine, cora.email, PASSWORD, "203.0.113.9")
    assert right.user is None and right.problem == sign_in.WRONG_DETAILS
    assert PASSWORD not in checked


def test_a_wrong_password_takes_as_long_for_an_account_that_does_not_exist(engine, session):
    cora = _person(session)

    def median_time(email: str) -> float:
        times = []
        for n in range(7):
            with Session(engine) as s:
                # A fresh address each time, and a right password every third try, so no pause starts.
                password = PASSWORD if email == cora.email and n % 3 == 2 else "wrong password"
                began = time.perf_counter()
                sign_in.attempt_sign_in(s, email, password, address=f"198.51.100.{n}")
                took = time.perf_counter() - began
                s.commit()
                if password != PASSWORD:
                    times.append(took)
        return statistics.median(times)

    real = median_time(cora.email)
    nobody = median_time("nobody.at.all@example.org")
    # Generous slack for a busy machine; before the dummy hash this ratio was about 26.
    assert 0.4 < real / nobody < 2.5, (real, nobody)
