"""Every move the lifecycle does not allow is refused with a reason, and so is every move by the wrong role."""

import pytest
from sqlmodel import Session

from models import AuditReturn, User
from models.audit_return import ReturnState
from models.user import Role
from tests import lifecycles_by_hand as by_hand
from tests.factories import add_agency, add_person, install_template, launch_cycle
from workflow.errors import DomainError, NotPermitted
from workflow.lifecycle.machines import RETURN_LIFECYCLE
from workflow.lifecycle.moves import move_return


@pytest.fixture
def cast(engine, session):
    """One person holding each role at the agency, or in the partnership, and a launched return."""
    agency = add_agency(session)
    by_role = {
        Role.COORDINATOR: add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        Role.QA_REVIEWER: add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
        Role.AGENCY_USER: add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency),
        Role.LEAD_PERSON: add_person(session, name="Lee Lead", roles={Role.LEAD_PERSON}, agency=agency),
        Role.EXECUTIVE: add_person(session, name="Erin Executive", roles={Role.EXECUTIVE}, agency=agency),
    }
    _cycle, launched = launch_cycle(engine, by_role[Role.COORDINATOR], [agency], template=install_template(session))
    return by_role, launched[0].id


def _attempt(engine, actor: User, return_id: int, state: ReturnState, trigger: str) -> None:
    """Put the return in `state` and try the bare move (the lifecycle and role checks alone)."""
    with Session(engine) as session:
        ret = session.get(AuditReturn, return_id)
        ret.status = state.value
        session.flush()
        try:
            move_return(session, actor, ret, trigger)
        finally:
            session.rollback()


def test_each_move_from_a_state_it_does_not_start_from_says_why(engine, cast):
    """What must be refused comes from the moves written by hand, not from the table under test."""
    by_role, return_id = cast
    allowed = {(trigger, source) for trigger, source, _dest in by_hand.RETURN_MOVES}
    refused = 0
    for trigger, roles in by_hand.RETURN_ROLES.items():
        move = RETURN_LIFECYCLE.moves[trigger]
        actor = by_role[sorted(roles)[0]]
        for state in ReturnState:
            if (trigger, state.value) in allowed:
                continue
            with pytest.raises(DomainError) as error:
                _attempt(engine, actor, return_id, state, trigger)
            assert error.value.reasons == [f"You cannot {move.title} because the return is {state.title.lower()}."]
            refused += 1
    assert refused > 40


def test_each_role_is_refused_every_move_that_is_not_theirs(engine, cast):
    by_role, return_id = cast
    for trigger, roles in by_hand.RETURN_ROLES.items():
        move = RETURN_LIFECYCLE.moves[trigger]
        state = ReturnState(min(source for t, source, _dest in by_hand.RETURN_MOVES if t == trigger))
        for role, person in by_role.items():
            if role in roles:
                continue
            with pytest.raises(NotPermitted, match=f"^Only .* can {move.title}.$"):
                _attempt(engine, person, return_id, state, trigger)
