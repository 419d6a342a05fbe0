"""People: add them with roles, set and check passwords."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from models import Agency, User, UserRole, field_limits
from models.user import AGENCY_ROLES, Role
from workflow import partnerships
from workflow.access import is_partnership_staff, require_role
from workflow.errors import DomainError, NotFound, Reason

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 12


def add_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    roles: set[Role],
    agency_id: int | None = None,
    password: str | None = None,
    job_title: str = "",
    partnership_id: int | None = None,
) -> User:
    """Add a person; agency roles need an agency. `actor` None is the command line. Staff join
    `partnership_id`, or the actor's partnership when it is not given."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "add users")
    problems = [
        *field_limits.text_problems("The e-mail address", email.strip(), field_limits.EMAIL),
        *field_limits.text_problems("The name", name.strip(), field_limits.PERSON_NAME),
        *field_limits.text_problems("The job title", job_title.strip(), field_limits.JOB_TITLE),
    ]
    if problems:
        raise DomainError(problems)  # the lookups below could not even search for such a value
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        problems.append(f"“{email}” is not a valid e-mail address.")
    if not name.strip():
        problems.append("Enter the person's full name.")
    if not roles:
        problems.append("Give the person at least one role.")
    if roles & AGENCY_ROLES and agency_id is None:
        problems.append("An agency user, lead person or executive must belong to an agency.")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        problems.append("That agency does not exist.")
    taken = select(User.id).where(User.email == email).execution_options(**partnerships.across_partnerships())
    if session.exec(taken).first():
        problems.append(f"There is already an account for {email}.")
    if password is not None:
        problems.extend(password_problems(password))
    if problems:
        raise DomainError(problems)
    user = User(
        email=email, name=name.strip(), agency_id=agency_id, job_title=job_title.strip(), session_token=secrets.token_hex(16)
    )
    if password is not None:
        user.password_hash = _hasher.hash(password)
    session.add(user)
    session.flush()
    for role in sorted(roles):
        session.add(UserRole(user_id=user.id, role=role.value))
    session.flush()
    if agency_id is not None:
        partnerships.act_for(session, user.id, agency_id)
    if is_partnership_staff(roles):
        home = partnership_id or partnerships.home_partnership(session, actor)
        partnerships.join(session, user_id=user.id, partnership_ids=[home])
    return user


def password_problems(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"The password must be at least {MIN_PASSWORD_LENGTH} characters long."]
    return field_limits.text_problems("The password", password, field_limits.PASSWORD)


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password and end every other session of this person."""
    problems = password_problems(password)
    if problems:
        raise DomainError(problems)
    user.password_hash = _hasher.hash(password)
    user.session_token = secrets.token_hex(16)
    session.add(user)
    session.flush()


def _dummy_hash() -> str:
    """A hash made with the hasher's current settings, so checking against it takes as long as a
    real check; made again if the settings changed since (a process that swaps the hasher, as the
    tests do, must not keep a dummy that is cheaper than its real hashes)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None or _hasher.check_needs_rehash(_DUMMY_HASH):
        _DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
    return _DUMMY_HASH


_DUMMY_HASH: str | None = None


def check_against_nobody(password: str) -> bool:
    """Spend the time of a real check when there is no account to check: timing must not tell."""
    try:
        _hasher.verify(_dummy_hash(), password)
    except (VerifyMismatchError, InvalidHashError):
        pass
    return False


def password_matches(session: Session, user: User, password: str) -> bool:
    """Check a password, upgrading its hash when the hasher's settings have changed."""
    if not user.password_hash:
        return check_against_nobody(password)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return True


def edit_user(
    session: Session, actor: User, user_id: int, *, name: str, roles: set[Role], agency_id: int | None, job_title: str = ""
) -> User:
    """Change a person's name, job title, roles and agency. A change of roles or agency ends their
    sessions, so what they may see changes at once; a coordinator keeps their own coordinator role."""
    require_role(session, actor, {Role.COORDINATOR}, "change people's details")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such person.")
    problems = person_problems(session, name=name, roles=roles, agency_id=agency_id, job_title=job_title)
    if user.id == actor.id and Role.COORDINATOR not in roles:
        problems.append(Reason("You cannot take away your own coordinator role: ask another coordinator.", "roles"))
    if problems:
        raise DomainError(problems)
    held = set(roles_of(session, user))
    if held != roles or user.agency_id != agency_id:
        user.session_token = secrets.token_hex(16)
    if user.agency_id != agency_id:
        partnerships.move_agency(session, user.id, user.agency_id, agency_id)  # no longer acts for the old one
    if is_partnership_staff(roles) and not is_partnership_staff(held):
        partnerships.join(session, user_id=user.id, partnership_ids=[partnerships.home_partnership(session, actor)])
    user.name, user.job_title, user.agency_id = name.strip(), job_title.strip(), agency_id
    session.add(user)
    for row in session.exec(select(UserRole).where(UserRole.user_id == user.id)):
        if Role(row.role) not in roles:
            session.delete(row)
    for role in sorted(roles - held):
        session.add(UserRole(user_id=user.id, role=role.value))
    session.flush()
    return user


def person_problems(
    session: Session, *, name: str, roles: set[Role], agency_id: int | None, job_title: str = ""
) -> list[str]:
    """What is wrong with a person's details, each reason naming its field."""
    problems: list[str] = []
    longest = {column: User.__table__.c[column].type.length for column in ("name", "job_title")}
    if not name.strip():
        problems.append(Reason("Enter the person's full name.", "name"))
    elif len(name.strip()) > longest["name"]:
        problems.append(Reason(f"The name must be {longest['name']} characters or fewer.", "name"))
    if len(job_title.strip()) > longest["job_title"]:
        problems.append(Reason(f"The job title must be {longest['job_title']} characters or fewer.", "job_title"))
    if not roles:
        problems.append(Reason("Give the person at least one role.", "roles"))
    agency = session.get(Agency, agency_id) if agency_id is not None else None
    if agency_id is not None and agency is None:
        problems.append(Reason("Choose an agency from the list.", "agency_id"))
    elif roles & AGENCY_ROLES and agency is None:
        problems.append(Reason("An agency user, lead person or executive must belong to an agency: choose it.", "agency_id"))
    return problems


def roles_of(session: Session, user: User) -> list[Role]:
    return sorted(Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user.id)))


def reactivate_user(session: Session, actor: User, user_id: int) -> User:
    """Let a deactivated person sign in again, with their old password if they had one."""
    require_role(session, actor, {Role.COORDINATOR}, "reactivate users")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such person.")
    if user.active:
        raise DomainError(f"{user.name}'s account is already active.")
    if user.agency_id is not None and not session.get(Agency, user.agency_id).active:
        raise DomainError(f"{user.name}'s agency is no longer active: move them to another agency first.")
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    user.session_token = secrets.token_hex(16)
    session.add(user)
    session.flush()
    return user
