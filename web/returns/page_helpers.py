"""Small pieces the return pages share: finding the return, answering a refusal, reading uploads."""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage

from models import AuditReturn
from web.common.db import db, read_or_404
from web.common.identity import me
from workflow.access import visible_return
from workflow.answering import content as return_content
from workflow.answering.content import ReturnContent
from workflow.answering.evidence_storage import EvidenceStore, FolderStore
from workflow.answering.uploads import Upload


def the_return(return_id: int) -> AuditReturn:
    """The return, or 404 when it does not exist or belongs to another agency."""
    return read_or_404(visible_return, me(), return_id)


def content_of(return_id: int) -> ReturnContent:
    return return_content.load(db(), the_return(return_id))


def done(message: str, endpoint: str, **values: Any) -> Callable[[Any], ResponseReturnValue]:
    """After a change: say it worked and go to the next page (POST/redirect/GET)."""

    def then(_result: Any) -> ResponseReturnValue:
        flash(message, "success")
        return redirect(url_for(endpoint, **values))

    return then


def again(render: Callable[..., str]) -> Callable[[list[str]], ResponseReturnValue]:
    """After a refusal: the same page, what was typed still in it, the reasons in its error summary."""
    return lambda reasons: (render(problems=reasons), 422)


def page(template: str, **context: Any) -> Callable[..., str]:
    """A renderer for `again`, and for the first showing of the page."""
    return lambda **more: render_template(template, **context, **more)


def evidence_store() -> EvidenceStore:
    """Where evidence lives: the store the settings name (made once per app), or the folder a test
    puts in EVIDENCE_DIR; never under the web root."""
    folder = current_app.config.get("EVIDENCE_DIR")
    if folder:
        return FolderStore(Path(folder))
    return current_app.extensions["s11_evidence_store"]


def uploads_from(files: Iterable[FileStorage | None], question_id: int | None = None) -> list[Upload]:
    """The files the person chose (an empty file input sends a nameless part, which is skipped)."""
    return [
        Upload(filename=file.filename or "", data=file.read(), question_id=question_id)
        for file in files
        if isinstance(file, FileStorage) and file.filename
    ]
