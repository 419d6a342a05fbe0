"""Every form refuses control characters and over-long text, in words, keeping what was typed.

A mixin rather than a validator on each field, so no field of any form can be forgotten: the sizes
come from `models.field_limits` (the same numbers as the columns), by the field's name.
"""

from flask_wtf import FlaskForm
from wtforms import Form, TextAreaField

from models import field_limits
from web.common.request_checks import mark_input_refused


class TypedTextChecks:
    """Check every value sent for every field, after the form's own validators have run."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problems = []
            for raw in field.raw_data or []:
                if isinstance(raw, str):
                    problems.extend(
                        field_limits.text_problems(
                            _label(field),
                            raw,
                            field_limits.limit_for(field.short_name),
                            multiline=isinstance(field, TextAreaField),
                        )
                    )
            if problems:
                field.errors = [*field.errors, *dict.fromkeys(problems)]
                valid = False
                mark_input_refused()
        return valid


def _label(field) -> str:
    text = field.label.text.strip() if field.label and field.label.text else ""
    return f"“{text.rstrip('?:')}”" if text else "This answer"


class CheckedForm(TypedTextChecks, FlaskForm):
    """A page's form (with its CSRF token), checked as above."""


class CheckedSubForm(TypedTextChecks, Form):
    """One block of a page that holds several (a question, an action), checked as above."""
