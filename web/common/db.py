"""One database session per request, and the one way a view changes anything.

A view calls one workflow operation through `commit_or_show_errors`: the operation only flushes,
this commits once, and a refusal (DomainError) rolls everything back and gives the reasons to the
page, which re-renders the form with what the person typed still in it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, g
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine
from sqlmodel import Session

from models.db import is_retryable, make_engine
from workflow.errors import ConcurrentChange, DomainError, NotFound, NotPermitted

T = TypeVar("T")
ENGINE_KEY = "s11_engine"


def init_app(app: Flask) -> None:
    """Make the app's engine and close each request's session when the request ends."""
    app.extensions[ENGINE_KEY] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def db() -> Session:
    """This request's session, opened on first use (pages that need no data never connect)."""
    if "db" not in g:
        g.db = Session(engine(), expire_on_commit=False)
    return g.db


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def commit_or_show_errors(
    operation: Callable[..., T],
    *args: Any,
    then: Callable[[T], ResponseReturnValue],
    otherwise: Callable[[list[str]], ResponseReturnValue],
    **kwargs: Any,
) -> ResponseReturnValue:
    """Run `operation(session, *args, **kwargs)`, commit, and answer with `then(result)`.

    On a refusal nothing is saved and `otherwise(reasons)` answers (normally the same form, with
    the reasons in its error summary). NotFound is a 404 and NotPermitted a 403, as for any page.
    ConcurrentChange is a refusal like the others: its message tells the person to reload. A
    deadlock, serialization failure or busy database is run once more from the start, and if it
    fails again the person is told as for ConcurrentChange, never shown an error page.
    """
    session = db()
    for attempt in (1, 2):
        try:
            result = operation(session, *args, **kwargs)
            session.commit()
        except NotFound:
            session.rollback()
            abort(404)
        except NotPermitted:
            session.rollback()
            abort(403)
        except DomainError as refused:
            session.rollback()
            return otherwise(refused.reasons)
        except BaseException as error:
            session.rollback()
            if not is_retryable(error):
                raise
            if attempt == 2:
                return otherwise(ConcurrentChange().reasons)
            session.expire_all()
            continue
        return then(result)
    raise AssertionError("unreachable")


def read_or_404(operation: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a workflow read; NotFound becomes a 404 page and NotPermitted a 403."""
    try:
        return operation(db(), *args, **kwargs)
    except NotFound:
        abort(404)
    except NotPermitted:
        abort(403)
