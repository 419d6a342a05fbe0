"""`require_role` alone: agency roles count only at the person's own agency, and another agency's
return is not found (its existence is not confirmed) rather than forbidden."""

import pytest

from models.user import Role
from tests.factories import add_person
from workflow.access import require_role
from workflow.errors import NotFound, NotPermitted


def test_an_agency_user_acts_at_their_own_agency(session, partnership):
    role = require_role(session, partnership["agency_user"], {Role.AGENCY_USER}, "save", partnership["health"].id)

    assert role == Role.AGENCY_USER


def test_an_agency_user_is_told_another_agencys_return_does_not_exist(session, partnership):
    with pytest.raises(NotFound, match="There is no such return."):
        require_role(session, partnership["agency_user"], {Role.AGENCY_USER}, "save", partnership["youth"].id)


def test_an_agency_role_with_no_agency_named_counts(session, partnership):
    assert require_role(session, partnership["lead"], {Role.LEAD_PERSON}, "look") == Role.LEAD_PERSON


def test_an_agency_user_without_the_role_needed_is_refused_not_hidden(session, partnership):
    with pytest.raises(NotPermitted, match="^Only a coordinator can launch a cycle.$"):
        require_role(session, partnership["agency_user"], {Role.COORDINATOR}, "launch a cycle", partnership["health"].id)


def test_partnership_staff_act_at_any_agency(session, partnership):
    assert require_role(session, partnership["qa"], {Role.QA_REVIEWER}, "challenge", partnership["youth"].id) == Role.QA_REVIEWER


def test_staff_who_also_belong_to_an_agency_are_refused_in_words_elsewhere_for_an_agency_only_move(session, partnership):
    both = add_person(session, name="Bo Both", roles={Role.QA_REVIEWER, Role.AGENCY_USER}, agency=partnership["health"])

    assert require_role(session, both, {Role.AGENCY_USER}, "save the return", partnership["health"].id) == Role.AGENCY_USER
    with pytest.raises(NotPermitted, match="^Only an agency user can save the return.$"):
        require_role(session, both, {Role.AGENCY_USER}, "save the return", partnership["youth"].id)
