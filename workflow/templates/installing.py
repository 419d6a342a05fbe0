"""Standards templates in the database: load a parsed template file as a new version."""

from pathlib import Path

from sqlmodel import Session, func, select

from models import Question, Standard, Template, User
from models.user import Role
from workflow import partnerships
from workflow.access import require_role
from workflow.errors import DomainError
from workflow.templates.files import load_template_file
from workflow.templates.spec import TemplateSpec
from workflow.templates.survey_installing import install_survey


def install(session: Session, actor: User | None, spec: TemplateSpec, *, source_filename: str = "") -> Template:
    """Save a template version; a version already loaded is never changed (cycles depend on it)."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "load a template")
    home = partnerships.home_partnership(session, actor)
    # Each partnership has its own copy of a template: the same key and version may be in another.
    loaded = select(Template.id).where(
        Template.key == spec.key, Template.version == spec.version, Template.partnership_id == home
    )
    if session.exec(loaded).first():
        raise DomainError(
            f"Template “{spec.key}” version {spec.version} is already loaded. "
            "To load a changed template, raise the version number in the file."
        )
    template = Template(
        key=spec.key,
        version=spec.version,
        name=spec.name,
        description=spec.description,
        scale=spec.scale.to_json(),
        source_filename=source_filename,
        partnership_id=home,
    )
    session.add(template)
    session.flush()
    standards: dict[str, Standard] = {}
    for s_pos, standard_spec in enumerate(spec.standards):
        standard = Standard(
            template_id=template.id,
            number=standard_spec.number,
            title=standard_spec.title,
            description=standard_spec.description,
            position=s_pos,
        )
        session.add(standard)
        session.flush()
        standards[standard.number] = standard
        for q_pos, question_spec in enumerate(standard_spec.questions):
            session.add(
                Question(
                    template_id=template.id,
                    standard_id=standard.id,
                    ref=question_spec.ref,
                    text=question_spec.text,
                    guidance=question_spec.guidance,
                    statutory_only=question_spec.statutory_only,
                    descriptors=dict(question_spec.descriptors),
                    position=q_pos,
                )
            )
    session.flush()
    if spec.survey is not None:
        install_survey(session, template.id, spec.survey, standards)
    return template


def install_file(session: Session, actor: User | None, path: str | Path) -> Template:
    """Parse and save a template file (TemplateFileError names the place in the file)."""
    spec = load_template_file(path)
    return install(session, actor, spec, source_filename=Path(path).name)


def latest(session: Session, key: str, partnership_id: int) -> Template | None:
    """The newest version of a partnership's template (each partnership has its own copy of a key)."""
    query = select(Template).where(Template.key == key, Template.partnership_id == partnership_id)
    return session.exec(query.order_by(Template.version.desc())).first()


def question_count(session: Session, template_id: int) -> int:
    return session.exec(select(func.count()).select_from(Question).where(Question.template_id == template_id)).one()
