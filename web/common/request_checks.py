"""Checks on every request before a view sees it: ids that fit the database, no control characters.

Form fields get their own checks with words beside the field (`form_checks`); these catch what no
form reads (the address, its query string) so hostile input is a 400 page in words, never a 500.
"""

import re

from flask import Flask, Response, abort, g, request
from werkzeug.routing import IntegerConverter

from models import field_limits
from web.common.errors import refuse

# A larger id in an address can name nothing, so it is simply not found.
LARGEST_ID = field_limits.LARGEST_ID
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
INPUT_REFUSED = 422


class DatabaseId(IntegerConverter):
    """`<int:...>` in a route matches 0 to LARGEST_ID only; beyond that the page is not found."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def register(app: Flask) -> None:
    """Call before any blueprint is registered: routes take their converters when added."""
    app.url_map.converters["int"] = DatabaseId
    app.before_request(_refuse_control_characters_outside_forms)
    app.after_request(_answer_refused_input_with_422)


def _refuse_control_characters_outside_forms() -> None:
    parts = [request.path, *request.args.keys(), *request.args.values(), *request.form.keys()]
    if any(_CONTROL.search(part) for part in parts):
        abort(refuse(400, "The web address or form had an invisible control character in it. Go back, retype it and try again."))


def mark_input_refused() -> None:
    """A form refused what was typed: the page says why, and its status says so too (422)."""
    g.input_refused = True


def _answer_refused_input_with_422(response: Response) -> Response:
    if response.status_code == 200 and g.get("input_refused"):
        response.status_code = INPUT_REFUSED
    return response
