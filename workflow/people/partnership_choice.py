"""A coordinator or QA reviewer in several partnerships chooses which they work in.

The choice is the session's (like the agency a person acts for): from then on the session reads only
that partnership's things and what the person makes goes there. One partnership at a time, rather
than all of theirs at once, so that a new agency, template or cycle always lands in the partnership
the person can see they are working in; a pan-area audit is a joint cycle, which each of its
partnerships sees. Until they choose, they see all their partnerships' things.
"""

from sqlmodel import Session, select

from models import Partnership, PartnershipMember, User
from workflow import partnerships
from workflow.errors import NotFound


def partnerships_for(session: Session, user: User) -> list[Partnership]:
    """The partnerships the person works in as staff, by name."""
    query = (
        select(Partnership)
        .join(PartnershipMember, PartnershipMember.partnership_id == Partnership.id)
        .where(PartnershipMember.user_id == user.id)
        .order_by(Partnership.name)
    )
    return list(session.exec(query, execution_options=partnerships.across_partnerships()))


def works_in_several(session: Session, user: User) -> bool:
    """Whether the person has a partnership to choose (known without a query once the request's
    session was limited to the person's partnerships)."""
    known = partnerships.staff_partnerships(session)
    if known is not None:
        return len(known) > 1
    return len(partnerships_for(session, user)) > 1


def chosen_partnership(session: Session, user: User, partnership_id: int) -> Partnership:
    """The partnership chosen, or NotFound when the person does not work in it."""
    for partnership in partnerships_for(session, user):
        if partnership.id == partnership_id:
            return partnership
    raise NotFound("You do not work in that partnership.")


def work_in_chosen(session: Session, user: User, partnership_id: object) -> Partnership | None:
    """Narrow the session to the partnership chosen earlier in it, if the person still works there."""
    if not isinstance(partnership_id, int):
        return None
    try:
        chosen = chosen_partnership(session, user, partnership_id)
    except NotFound:
        return None
    partnerships.work_in(session, chosen.id)
    return chosen
