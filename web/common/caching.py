"""No signed-in page is kept by the browser or any cache: on a shared computer, the back button
after signing out must not show a return."""

from flask import Flask, Response, request
from flask_login import current_user


def register(app: Flask) -> None:
    app.after_request(_no_store_when_signed_in)


def _no_store_when_signed_in(response: Response) -> Response:
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"  # for HTTP/1.0 proxies
    return response
