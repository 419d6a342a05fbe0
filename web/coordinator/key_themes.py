"""The key themes page: the coordinator writes the year's findings, per standard and overall, for
the Board's annual report. Coordinators write; QA reviewers read."""

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField

from models.user import Role
from web.common.db import commit_or_show_errors, db, read_or_404
from web.common.form_checks import CheckedForm
from web.common.identity import me, roles_required
from web.returns.page_helpers import done
from workflow.access import roles_of
from workflow.reporting import key_themes

bp = Blueprint("key_themes", __name__)


def themes_form(themes: key_themes.KeyThemes) -> CheckedForm:
    """One box for the whole partnership and one per standard of the cycle's template."""
    fields = {
        "overall": TextAreaField("Across the partnership", widget=GovTextArea(), default=themes.overall,
                                 description="What the year's returns, QA and peer reviews showed overall"),
        "submit": SubmitField("Save the key themes", widget=GovSubmitInput()),
    }
    for standard in themes.standards:
        fields[f"standard-{standard.number}"] = TextAreaField(
            f"Standard {standard.number}: {standard.title}", widget=GovTextArea(), default=standard.text
        )
    return type("KeyThemesForm", (CheckedForm,), fields)()


@bp.route("/cycles/<int:cycle_id>/key-themes", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.QA_REVIEWER)
def write(cycle_id: int) -> ResponseReturnValue:
    themes = read_or_404(key_themes.key_themes, cycle_id)
    form = themes_form(themes)
    may_write = Role.COORDINATOR in roles_of(db(), me())
    boxes = [form[f"standard-{s.number}"] for s in themes.standards]
    context = {"themes": themes, "form": form, "boxes": boxes, "may_write": may_write}
    if not may_write or not form.validate_on_submit():
        return render_template("coordinator/key_themes.html", **context), 422 if form.is_submitted() and may_write else 200
    return commit_or_show_errors(
        key_themes.write_key_themes,
        me(),
        cycle_id,
        overall=form.overall.data or "",
        by_standard={s.number: form[f"standard-{s.number}"].data or "" for s in themes.standards},
        then=done("The key themes are saved.", "key_themes.write", cycle_id=cycle_id),
        otherwise=lambda reasons: (render_template("coordinator/key_themes.html", problems=reasons, **context), 422),
    )
