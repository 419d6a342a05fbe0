"""People who sign in, and the roles they hold."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel, UniqueConstraint

from models import field_limits
from models.types import utcnow


class Role(StrEnum):
    """The five roles of PRODUCT.md; one person may hold several."""

    COORDINATOR = "coordinator"
    QA_REVIEWER = "qa_reviewer"
    AGENCY_USER = "agency_user"
    LEAD_PERSON = "lead_person"
    EXECUTIVE = "executive"

    @property
    def title(self) -> str:
        return ROLE_TITLES[self]


ROLE_TITLES = {
    Role.COORDINATOR: "Coordinator",
    Role.QA_REVIEWER: "QA reviewer",
    Role.AGENCY_USER: "Agency user",
    Role.LEAD_PERSON: "Lead person",
    Role.EXECUTIVE: "Executive",
}

# Roles that belong to one agency: a person holding them sees that agency only.
AGENCY_ROLES = frozenset({Role.AGENCY_USER, Role.LEAD_PERSON, Role.EXECUTIVE})


class User(SQLModel, table=True):
    """A person; agency people carry their agency, partnership staff carry none."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=field_limits.EMAIL, unique=True, index=True)
    name: str = Field(max_length=field_limits.PERSON_NAME)
    job_title: str = Field(default="", max_length=field_limits.JOB_TITLE)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    # Rotated on sign-out and password change so an old session cookie stops working.
    session_token: str = Field(default="", max_length=64)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    # Who invited them when it was a colleague at their agency rather than a coordinator (migration 0007).
    invited_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class UserRole(SQLModel, table=True):
    """One role held by one person."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: str = Field(max_length=40)
