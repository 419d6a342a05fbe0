"""The one page shape behind choosing which partnership to work in and which agency to act for:
offer the person's choices, keep the one picked in the session cookie, go on to the page asked for."""

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from workflow.errors import NotFound


def safe_next(target: str | None) -> str:
    """Only a path on this site: a `next` in an e-mailed link must not send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


def choose_one(
    *,
    choices: list[tuple[int, str]],
    make_form: Callable[[], FlaskForm],
    field: str,
    pick: Callable[[int], int],
    remember_as: str,
    refused: str,
    template: str,
) -> ResponseReturnValue:
    """The choice page: home when there is nothing to choose; otherwise the form's radio `field`
    offers `choices`, and the id `pick` accepts (NotFound: not one of the person's) is kept in the
    cookie under `remember_as`, or the form shows `refused`."""
    if not choices:
        return redirect(url_for("home.index"))
    form = make_form()
    radios = getattr(form, field)
    radios.choices = choices
    if form.validate_on_submit():
        try:
            cookie[remember_as] = pick(radios.data)
        except NotFound:
            radios.errors = [refused]
        else:
            return redirect(safe_next(request.args.get("next", "")))
    return render_template(template, form=form)
