"""Loading a standards template uploaded through the web: parse it, save it, or say every problem."""

from pathlib import PurePath

from sqlmodel import Session

from models import Template, User
from models.user import Role
from workflow.access import require_role
from workflow.errors import DomainError
from workflow.templates import installing as templates
from workflow.templates.files import JSON_SUFFIXES, YAML_SUFFIXES, TemplateFileError, load_template_text


def install_upload(session: Session, actor: User, *, filename: str, text: str) -> Template:
    """Save an uploaded template as a new version; a file with mistakes is refused with each one,
    naming its line and place, as the partnership wrote it by hand."""
    require_role(session, actor, {Role.COORDINATOR}, "load a template")
    name = PurePath(filename or "").name
    if not name.lower().endswith(YAML_SUFFIXES + JSON_SUFFIXES):
        raise DomainError("The template must be a YAML file (.yaml or .yml) or a JSON file (.json).")
    try:
        spec = load_template_text(text, name)
    except TemplateFileError as error:
        raise DomainError([str(problem) for problem in error.errors]) from error
    return templates.install(session, actor, spec, source_filename=name)
