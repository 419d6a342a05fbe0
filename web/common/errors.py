"""Error pages in the GOV.UK style: a plain explanation and what to do next, never a stack trace."""

from flask import Flask, Response, current_app, make_response, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

PAGES = {
    400: ("Sorry, there is a problem with that request", "The page could not understand what was sent. Go back and try again."),
    403: (
        "You do not have permission to see this page",
        "Your account does not allow this. If you think it should, contact the partnership's business unit.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.",
    ),
    405: ("Sorry, there is a problem with that request", "That page cannot be used in this way. Go back and try again."),
    413: ("The file is too large", "The file you chose is larger than this service accepts. Choose a smaller file."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you were doing was saved."),
}


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _render(code: int, message: str | None = None) -> tuple[str, int]:
    title, advice = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    try:
        return render_template("error.html", title=title, advice=message or advice, code=code), code
    except Exception:  # the layout itself failed (the database is down, say): plain words still
        current_app.logger.exception("The error page could not be rendered")
        return PLAIN_PAGE.format(title=escape(title), advice=escape(message or advice)), code


PLAIN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} – Section 11 audit</title></head>
<body><h1>{title}</h1><p>{advice}</p><p><a href="/">Go to the start of the service</a></p></body></html>"""


def refuse(code: int, message: str) -> Response:
    """An error page with words of the caller's own, for `abort(refuse(400, "..."))`."""
    body, code = _render(code, message)
    return make_response(body, code)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    # Usually a form left open for hours or a page opened in another browser.
    return _render(400, "The form had expired or did not come from this service. Go back, reload the page and try again.")


def _http_error(error: HTTPException) -> tuple[str, int]:
    if error.code is None or error.code < 400:
        return error  # redirects raised as exceptions pass through
    return _render(error.code)


def _unexpected_error(error: Exception) -> tuple[str, int]:
    # Flask logs the exception with its traceback; the person sees only the plain page.
    if isinstance(error, HTTPException):
        return _http_error(error)
    if current_app.debug:
        raise error  # a developer's own machine: let the debugger show it
    current_app.logger.exception("Unhandled error", exc_info=error)
    return _render(InternalServerError.code)
