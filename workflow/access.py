"""Who may do what: roles, and the rule that an agency's people see their own agency only."""

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, select

from models import Agency, AuditReturn, User, UserRole
from models.audit_return import ReturnState
from models.user import AGENCY_ROLES, Role
from workflow.errors import NotFound, NotPermitted


def roles_of(session: Session, user: User | None) -> set[Role]:
    """The roles a person holds now; an inactive account holds none.

    Read once per transaction: one operation asks several times (who may see, who may move), and a
    change to anyone's roles in this session forgets what was read (`_forget_roles`).
    """
    if user is None or not user.active or user.id is None:
        return set()
    known: dict[int, frozenset[Role]] = session.info.setdefault(_ROLES_READ, {})
    if user.id not in known:
        known[user.id] = frozenset(Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user.id)))
    return set(known[user.id])


_ROLES_READ = "s11_roles_read"


def remember_roles(session: Session, user: User, roles: set[Role]) -> None:
    """The roles a read of the caller's found for this person (a move reads them with the return),
    so `roles_of` need not ask again in this transaction."""
    if user.id is not None:
        session.info.setdefault(_ROLES_READ, {})[user.id] = frozenset(roles)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_roles_at_end(session: OrmSession, transaction: SessionTransaction) -> None:
    """The transaction or a savepoint is over (not a flush's inner one): read roles afresh next time."""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_ROLES_READ, None)


@event.listens_for(OrmSession, "after_flush")
def _forget_roles(session: OrmSession, _context: object) -> None:
    """A role added or taken away in this session: read everyone's again."""
    if _ROLES_READ in session.info and any(
        isinstance(o, UserRole) for o in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info.pop(_ROLES_READ, None)


def is_partnership_staff(roles: set[Role]) -> bool:
    """Coordinators and QA reviewers work across every agency."""
    return bool(roles & {Role.COORDINATOR, Role.QA_REVIEWER})


def can_see_agency(session: Session, user: User | None, agency_id: int) -> bool:
    roles = roles_of(session, user)
    if is_partnership_staff(roles):
        return True
    return bool(roles & AGENCY_ROLES) and user is not None and user.agency_id == agency_id


def qa_may_see(ret: AuditReturn) -> bool:
    """QA reviews what agencies submit: a return being written for the first time, and its
    evidence, are the agency's own until it is submitted. Once submitted, QA keeps seeing it (when
    they send it back for amendment, they follow the changes); a statement signed without a return
    (a statement year) is for QA to read too."""
    return ret.submitted_at is not None or ret.status == ReturnState.COMPLIANCE_STATEMENT_SIGNED


def commissioner_may_see(session: Session, user: User | None, ret: AuditReturn) -> bool:
    """A commissioning agency oversees the services it commissions: the people of the agency that
    commissions the return's agency read it (never change it) and may comment, once it is submitted
    (a draft is the provider's own, as for QA). The coordinator sees the same by `can_see_return`."""
    if user is None or user.agency_id is None or not qa_may_see(ret):
        return False
    if not roles_of(session, user) & AGENCY_ROLES:
        return False
    commissioner = session.exec(select(Agency.commissioned_by_id).where(Agency.id == ret.agency_id)).first()
    return commissioner is not None and commissioner == user.agency_id


def commissioned_return(session: Session, user: User | None, return_id: int) -> AuditReturn:
    """A provider's return for its commissioner's read-only pages (the coordinator's too), or
    NotFound for everyone else: its existence is not even confirmed."""
    ret = session.get(AuditReturn, return_id)
    if ret is None:
        raise NotFound("There is no such return.")
    if Role.COORDINATOR in roles_of(session, user) or commissioner_may_see(session, user, ret):
        return ret
    raise NotFound("There is no such return.")


def can_see_return(session: Session, user: User | None, ret: AuditReturn) -> bool:
    """Coordinators see every return; the agency's own people see theirs; QA once it is submitted."""
    roles = roles_of(session, user)
    if Role.COORDINATOR in roles:
        return True
    if roles & AGENCY_ROLES and user is not None and user.agency_id == ret.agency_id:
        return True
    return Role.QA_REVIEWER in roles and qa_may_see(ret)


def visible_return(session: Session, user: User | None, return_id: int) -> AuditReturn:
    """The return, or NotFound when it does not exist, belongs to another agency, or is not yet
    submitted and the person is QA (its existence is not even confirmed)."""
    ret = session.get(AuditReturn, return_id)
    if ret is None or not can_see_return(session, user, ret):
        raise NotFound("There is no such return.")
    return ret


def require_role(
    session: Session, user: User | None, allowed: frozenset[Role] | set[Role], what: str, agency_id: int | None = None
) -> Role:
    """The role under which the person acts; refuses with who may do it instead.

    Agency roles count only for the person's own agency; partnership roles count everywhere.
    """
    roles = roles_of(session, user)
    for role in sorted(allowed & roles, key=lambda r: r not in AGENCY_ROLES):
        if role not in AGENCY_ROLES or agency_id is None or (user and user.agency_id == agency_id):
            return role
    if agency_id is not None and roles & AGENCY_ROLES and not is_partnership_staff(roles):
        if user and user.agency_id != agency_id:
            raise NotFound("There is no such return.")
    raise NotPermitted(f"Only {who_may(allowed)} can {what}.")


def who_may(roles: frozenset[Role] | set[Role]) -> str:
    """'a coordinator or a QA reviewer': the roles named as a person would say them."""
    names = []
    for role in sorted(roles):
        title = role.title if role.title.startswith("QA") else role.title.lower()
        names.append(("an " if title[0] in "aeiou" else "a ") + title)
    return " or ".join(names)
