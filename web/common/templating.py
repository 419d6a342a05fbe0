"""Jinja set-up: our templates and GOV.UK Frontend's, and the few helpers the templates use."""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import flatten_errors
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from notifications.wording import possessive
from workflow.clock import uk_date, uk_date_time

TEMPLATES = Path(__file__).parents[1] / "templates"


def register(app: Flask) -> None:
    """Our templates first, then GOV.UK Frontend's macros under their package prefixes."""
    app.jinja_env.loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["possessive"] = possessive
    app.add_template_global(counted)
    app.add_template_global(error_list)


def day(value: date | None) -> str:
    """27 March 2026: the GOV.UK style for dates (a time is shown by its day in London)."""
    return uk_date(value)


def when(value: datetime | None) -> str:
    """27 March 2026 at 2:05pm, in London whatever the server's zone."""
    return uk_date_time(value)


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 submitted return', '2 submitted returns'."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def error_list(form: FlaskForm | None = None, problems: list[str] | None = None) -> list[dict[str, Any]]:
    """The error summary's items: the form's own field errors, then the workflow's reasons."""
    items: list[dict[str, Any]] = []
    if isinstance(form, FlaskForm) and form.errors:
        ids = {name: field.id for name, field in form._fields.items()}
        items.extend(
            item
            for item in flatten_errors(form.errors, id_map=ids)
            if item["href"] != "#csrf_token"  # a stale token has its own error page
        )
    if isinstance(problems, list):
        # A problem may already be an error-summary item ({"text", "href"}) that links to its field.
        items.extend(problem if isinstance(problem, dict) else {"text": problem} for problem in problems)
    return items
