"""A coordinator changes a person's name, roles and agency, and lets a deactivated person back in,
on SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session

from models import User
from models.user import Role
from tests.factories import act
from workflow.errors import DomainError, NotPermitted
from workflow.people import accounts, users


def test_coordinator_moves_a_person_to_another_agency_as_its_lead_and_their_sessions_end(engine, partnership):
    p = partnership
    token = p["youth_user"].session_token
    act(engine, users.edit_user, p["coordinator"], p["youth_user"].id, name="Yusuf Youth-Khan",
        roles={Role.AGENCY_USER, Role.LEAD_PERSON}, agency_id=p["health"].id, job_title="Safeguarding lead")
    with Session(engine) as session:
        moved = session.get(User, p["youth_user"].id)
        assert (moved.name, moved.agency_id, moved.job_title) == ("Yusuf Youth-Khan", p["health"].id, "Safeguarding lead")
        assert users.roles_of(session, moved) == [Role.AGENCY_USER, Role.LEAD_PERSON]
        assert moved.session_token != token  # what they may see changed: signed out everywhere


def test_a_person_edit_lists_every_problem_and_a_coordinator_keeps_their_own_role(engine, partnership):
    p = partnership
    with pytest.raises(DomainError) as refused:
        act(engine, users.edit_user, p["coordinator"], p["coordinator"].id, name=" ", roles={Role.EXECUTIVE}, agency_id=None)
    assert [(r.field, str(r)) for r in refused.value.reasons] == [
        ("name", "Enter the person's full name."),
        ("agency_id", "An agency user, lead person or executive must belong to an agency: choose it."),
        ("roles", "You cannot take away your own coordinator role: ask another coordinator."),
    ]
    with pytest.raises(NotPermitted):
        act(engine, users.edit_user, p["agency_user"], p["youth_user"].id, name="X", roles={Role.AGENCY_USER},
            agency_id=p["health"].id)


def test_a_deactivated_person_is_reactivated_and_can_sign_in_again(engine, partnership):
    p = partnership
    act(engine, accounts.deactivate_user, p["coordinator"], p["youth_user"].id)
    act(engine, users.reactivate_user, p["coordinator"], p["youth_user"].id)
    with Session(engine) as session:
        assert session.get(User, p["youth_user"].id).active
    with pytest.raises(DomainError, match="Yusuf Youth's account is already active."):
        act(engine, users.reactivate_user, p["coordinator"], p["youth_user"].id)
