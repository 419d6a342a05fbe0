"""The benchmark's partnerships: the default template (8 standards, 41 questions) and a
coordinator once per database, and cycles of N agencies written in bulk by the builder the
report tests share (`tests/bulk_world.py`).
"""

from sqlalchemy import Engine
from sqlmodel import Session

from models import Template, User
from models.user import Role
from tests.bulk_world import LAUNCH, READ_ON, STATES, at, bulk_cycle
from workflow.people import users
from workflow.templates import installing as templates
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH

__all__ = ["LAUNCH", "READ_ON", "STATES", "at", "base", "bulk_cycle"]


def base(engine: Engine) -> tuple[Template, User]:
    """The default template and a coordinator, once per database."""
    with Session(engine, expire_on_commit=False) as session:
        template = templates.install_file(session, None, DEFAULT_TEMPLATE_PATH)
        user = users.add_user(
            session, None, email="bench.coordinator@example.org", name="Bench Coordinator", roles={Role.COORDINATOR}
        )
        session.commit()
        return template, user
