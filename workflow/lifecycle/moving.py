"""What a move of a return reads, in one statement: the return (its status and version), its cycle,
agency and template, the roles of the person moving it, the head of its sealed history, the
people the move tells, and whatever else a move's guards count (`extra`).

The read only warms the session: the return, cycle, agency and template land in its identity
map and the person's roles in `access`'s cache, so the move's usual checks (`visible_return`,
`require_role`, the lifecycle's table of moves and the guards) run as before, in the same words,
without asking the database again. When the read finds nothing (no such return, or one outside
the session's partnerships) it says None and the move takes its usual path, which refuses in the
usual words: a refusal may cost more statements, a move never does.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, literal, or_
from sqlmodel import Session, select

from models import Action, Agency, AuditReturn, Cycle, HistoryRecord, Template, User, UserRole
from models.user import Role
from workflow.access import remember_roles
from workflow.lifecycle.history import ChainHead
from workflow.people.recipients import serves_return

People = list[tuple[str, str]]
# Who a move may tell, each read with the return: the agency's users (or its named contact when it
# has none yet), the coordinators of the return's partnerships, and the lead persons of the return's actions.
GROUPS = ("contacts", "coordinators", "leads")
Extra = tuple[tuple[str, ColumnElement], ...]


@dataclass
class Moving:
    """What one read found for a move: the rows, the chain's head and the people to tell."""

    ret: AuditReturn
    cycle: Cycle
    agency: Agency
    template: Template
    head: ChainHead
    people: dict[str, People] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def read_for_move(
    session: Session, actor: User | None, return_id: int, *, tell: Collection[str] = (), extra: Extra = ()
) -> Moving | None:
    """The return and everything its move needs, in one statement (one row per person to tell).

    `extra` names scalar expressions about the return (built once, at import, by the move's
    module: a count of open challenges, the last submission's number); their values come back in
    `Moving.extra` under those names."""
    groups = tuple(g for g in GROUPS if g in tell)
    statement = _statement(groups, extra, actor is not None)
    params: dict[str, Any] = {"return_id": return_id}
    if actor is not None:
        params["actor_id"] = actor.id
    rows = session.exec(statement, params=params).all()
    if not rows:
        return None
    first = rows[0]
    ret, cycle, agency, template, seq, seal = first[:6]
    at = 6
    values = dict(zip((name for name, _ in extra), first[at : at + len(extra)], strict=True))
    at += len(extra)
    if actor is not None:
        remember_roles(session, actor, {role for role, held in zip(Role, first[at : at + len(Role)], strict=True) if held})
        at += len(Role)
    people: dict[str, People] = {group: [] for group in groups}
    for row in rows:
        email, name = row[at], row[at + 1]
        if email is None:
            continue
        for group, member in zip(groups, row[at + 2 :], strict=True):
            if member:
                people[group].append((email, name))
    if "contacts" in people and not people["contacts"] and agency.contact_email:
        people["contacts"] = [(agency.contact_email, agency.contact_name)]
    head = ChainHead("return", ret.id, seq, seal) if seq is not None else ChainHead("return", ret.id)
    return Moving(ret, cycle, agency, template, head, people, values)


def _has_role(user_id: ColumnElement, role: Role) -> ColumnElement:
    return exists().where(UserRole.user_id == user_id, UserRole.role == role.value)


@cache
def _statement(groups: tuple[str, ...], extra: Extra, with_actor: bool) -> Select:
    """Built once per kind of move: the return with its cycle, agency and template, the head of its
    chain, the extras, the actor's roles, and one row per person to tell (outer-joined)."""
    return_id = bindparam("return_id")
    # The chain's head as two scalar subqueries on the unique (subject, seq) index rather than a
    # join: one relation fewer for the planner, whose time is most of this read's on PostgreSQL.
    last = (
        select(HistoryRecord.seq)
        .where(HistoryRecord.subject_type == "return", HistoryRecord.subject_id == return_id)
        .order_by(HistoryRecord.seq.desc())
        .limit(1)
    )
    columns: list = [
        AuditReturn,
        Cycle,
        Agency,
        Template,
        last.scalar_subquery().label("head_seq"),
        last.with_only_columns(HistoryRecord.hash).scalar_subquery().label("head_hash"),
    ]
    columns += [expression.label(name) for name, expression in extra]
    if with_actor:
        columns += [_has_role(bindparam("actor_id"), role).label(f"actor_{role.value}") for role in Role]
    membership = {
        "contacts": and_(
            User.active == True,  # noqa: E712 (SQL comparison)
            User.agency_id == AuditReturn.agency_id,
            _has_role(User.id, Role.AGENCY_USER),
        ),
        # the coordinators of the partnerships the return belongs to, not every partnership's
        "coordinators": and_(
            User.active == True,  # noqa: E712 (SQL comparison)
            _has_role(User.id, Role.COORDINATOR),
            serves_return(User.id, AuditReturn.cycle_id, AuditReturn.agency_id),
        ),
        # every action's lead, as the plan's e-mails always told them (active or not)
        "leads": User.id.in_(select(Action.lead_user_id).where(Action.return_id == AuditReturn.id)),
    }
    if groups:
        columns += [User.email, User.name, *(membership[group].label(f"in_{group}") for group in groups)]
    else:
        columns += [literal(None).label("email"), literal(None).label("name")]
    statement = (
        select(*columns)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(Template, Template.id == Cycle.template_id)
        .where(AuditReturn.id == return_id)
    )
    if groups:
        statement = statement.outerjoin(User, or_(*(membership[group] for group in groups))).order_by(User.id)
    return statement
