"""An agency user invites colleagues of their own agency, on SQLite and PostgreSQL (with the
migration that records who invited whom)."""

import pytest
from sqlmodel import Session, select

from models import OutboxMessage, User
from models.user import Role
from tests.factories import act
from workflow.errors import DomainError, NotPermitted
from workflow.people import colleagues


def test_an_agency_user_invites_a_lead_person_for_their_own_agency(engine, partnership):
    p = partnership
    invited = act(engine, colleagues.invite_colleague, p["youth_user"], email="lena.lead@youth.example.org",
                  name="Lena Lead", roles={Role.LEAD_PERSON})
    with Session(engine) as session:
        user = session.get(User, invited.id)
        assert (user.agency_id, user.invited_by_id, user.password_hash) == (p["youth"].id, p["youth_user"].id, None)
        mail = session.exec(select(OutboxMessage).where(OutboxMessage.to_email == "lena.lead@youth.example.org")).one()
        assert mail.kind == "user_invitation"
        people = colleagues.colleagues(session, session.get(User, p["youth_user"].id))
        assert [(c.user.name, c.roles, c.invited_by) for c in people] == [
            ("Lena Lead", [Role.LEAD_PERSON], "Yusuf Youth"), ("Yusuf Youth", [Role.AGENCY_USER], ""),
        ]


def test_an_agency_user_cannot_give_partnership_roles_and_others_cannot_invite(engine, partnership):
    p = partnership
    with pytest.raises(DomainError) as refused:
        act(engine, colleagues.invite_colleague, p["youth_user"], email="not-an-address", name="",
            roles={Role.COORDINATOR})
    assert [getattr(r, "field", None) for r in refused.value.reasons] == ["roles"]
    with pytest.raises(DomainError) as refused:
        act(engine, colleagues.invite_colleague, p["youth_user"], email="not-an-address", name="", roles={Role.AGENCY_USER})
    assert len(refused.value.reasons) == 2  # the address and the name, at once
    for outsider in (p["lead"], p["executive"], p["coordinator"]):
        with pytest.raises(NotPermitted):
            act(engine, colleagues.invite_colleague, outsider, email="x@example.org", name="X", roles={Role.AGENCY_USER})
