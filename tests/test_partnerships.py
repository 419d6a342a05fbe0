"""Several partnerships in one deployment: what each partnership's people can read, and the
migration that puts an existing database's everything into one partnership."""

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, func, select

from models import Agency, AgencyMember, AgencyPartnership, AuditReturn, Cycle, Partnership, PartnershipMember, Template, User
from models.db import make_engine
from models.migrate import alembic_config, script_heads, upgrade
from models.user import Role
from tests.factories import add_person, launch_cycle
from tests.partnership_world import add_neighbour
from workflow import partnerships


def _heads_before(revision: str) -> list[str]:
    """The newest revision of every branch that does not pass through `revision` (an existing
    database from before it; 0021 and any later revision come after it)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    after = {r.revision for r in script.iterate_revisions("heads", revision)}
    return sorted(script_heads() - after)


def test_an_existing_database_upgrades_into_one_partnership(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    for head in _heads_before("0015"):
        command.upgrade(alembic_config(url), head)
    engine = make_engine(url)
    with engine.begin() as db:
        db.execute(text("INSERT INTO agency (id, name, sector, statutory, contact_name, contact_email, executive_name, "
                        "executive_email, active) VALUES (1, 'Police', 'Police', 1, '', '', '', '', 1), "
                        "(2, 'Trust', 'Health', 1, '', '', '', '', 1)"))
        db.execute(text("INSERT INTO user_account (id, email, name, job_title, agency_id, active, session_token, "
                        "failed_logins, created_at) VALUES (1, 'c@x.org', 'Cora', '', NULL, 1, '', 0, '2026-01-01'), "
                        "(2, 'a@x.org', 'Alex', '', 2, 1, '', 0, '2026-01-01'), "
                        "(3, 'q@x.org', 'Quinn', '', NULL, 1, '', 0, '2026-01-01')"))
        db.execute(text("INSERT INTO user_role (user_id, role) VALUES (1, 'coordinator'), (2, 'agency_user'), "
                        "(3, 'qa_reviewer'), (3, 'coordinator')"))
        db.execute(text("INSERT INTO template (id, key, version, name, description, scale, source_filename, loaded_at) "
                        "VALUES (1, 's11', 1, 'S11', '', '{}', '', '2026-01-01')"))
        db.execute(text("INSERT INTO cycle (id, name, kind, status, template_id, opens_on, submission_deadline, "
                        "qa_window_ends, action_plan_review, statement_deadline, reminder_days, escalation_days, "
                        "created_at) VALUES (1, 'Audit', 'full_audit', 'open', 1, '2026-01-01', '2026-02-01', "
                        "'2026-03-01', '2026-06-01', '2026-09-01', '[14]', 7, '2026-01-01')"))
    monkeypatch.setenv("S11_PARTNERSHIP_NAME", "Hackney Safeguarding Children Partnership")
    upgrade(url)
    with Session(engine) as session:
        [only] = session.exec(select(Partnership)).all()
        assert only.name == "Hackney Safeguarding Children Partnership"
        assert only.slug == "hackney-safeguarding-children-partnership"
        joined = select(AgencyPartnership.agency_id, AgencyPartnership.partnership_id)
        assert sorted(session.exec(joined)) == [(1, only.id), (2, only.id)]
        assert sorted(session.exec(select(PartnershipMember.user_id))) == [1, 3]
        assert list(session.exec(select(AgencyMember.user_id, AgencyMember.agency_id))) == [(2, 2)]
        assert session.get(Cycle, 1).partnership_id == only.id and session.get(Template, 1).partnership_id == only.id
    engine.dispose()


def test_a_new_deployment_starts_with_one_partnership_that_everything_joins(engine, session, partnership):
    [only] = session.exec(select(Partnership)).all()
    assert only.name == "Partnership"
    assert set(session.exec(select(AgencyPartnership.partnership_id))) == {only.id}
    staff = {partnership["coordinator"].id, partnership["qa"].id}
    assert staff <= set(session.exec(select(PartnershipMember.user_id).where(PartnershipMember.partnership_id == only.id)))
    acting = set(session.exec(select(AgencyMember.user_id, AgencyMember.agency_id)))
    assert (partnership["lead"].id, partnership["health"].id) in acting
    cycle, _ = launch_cycle(engine, partnership["coordinator"], [partnership["health"]], template=partnership["template"])
    assert cycle.partnership_id == only.id and partnership["template"].partnership_id == only.id


def _what_is_visible(session: Session, viewer: User) -> dict[str, set[str]]:
    partnerships.limit_to(session, viewer)
    return {
        "agencies": set(session.exec(select(Agency.name))),
        "people": set(session.exec(select(User.name))),
        "cycles": set(session.exec(select(Cycle.name))),
        "templates": set(session.exec(select(Template.key))),
        "returns": set(session.exec(select(Agency.name).join(AuditReturn, AuditReturn.agency_id == Agency.id))),
    }


def test_each_partnerships_people_read_only_their_own_partnership(engine, session, partnership):
    hackney_cycle, hackney_returns = launch_cycle(engine, partnership["coordinator"], [partnership["health"]],
                                                  template=partnership["template"])
    camden = add_neighbour(session, engine, partnership["coordinator"])
    police_officer = add_person(session, name="Pat Police", roles={Role.AGENCY_USER}, agency=camden.police)

    with Session(engine) as hackney:
        seen = _what_is_visible(hackney, partnership["coordinator"])
        assert "Camden Health Trust" not in seen["agencies"]
        assert {"Hackney Health Trust", "Metropolitan Police"} <= seen["agencies"]
        assert not {"Cam Coordinator", "Cam Agency", "Cam Reviewer"} & seen["people"] and "Pat Police" in seen["people"]
        assert seen["cycles"] == {hackney_cycle.name} and seen["returns"] == {"Hackney Health Trust"}
        assert "scored-0-3" not in seen["templates"]
        # By id too: another partnership's rows are simply not there.
        assert hackney.get(Agency, camden.agency.id) is None and hackney.get(Cycle, camden.cycle.id) is None
        assert hackney.get(User, camden.coordinator.id) is None
        camden_return = session.exec(select(AuditReturn.id).where(AuditReturn.cycle_id == camden.cycle.id)).first()
        assert hackney.get(AuditReturn, camden_return) is None
        assert hackney.exec(select(func.count()).select_from(select(Agency).subquery())).one() == len(seen["agencies"])

    with Session(engine) as camden_session:
        seen = _what_is_visible(camden_session, camden.coordinator)
        assert seen["agencies"] == {"Camden Health Trust", "Metropolitan Police"}
        assert seen["cycles"] == {"Camden audit 2026-27"}
        assert seen["returns"] == {"Camden Health Trust", "Metropolitan Police"}
        assert "Cora Ordinator" not in seen["people"] and "Pat Police" in seen["people"]
        assert camden_session.get(AuditReturn, hackney_returns[0].id) is None

    # The police officer works in both partnerships (through the police) and sees both.
    assert partnerships.partnerships_of(session, police_officer) == {1, camden.partnership.id}


def test_names_are_unique_within_a_partnership_and_free_across_them(engine, session, partnership):
    """Each partnership may have its own "Youth Service" and its own "audit 2026-27"; an e-mail
    address stays one person's across the deployment."""
    camden = add_neighbour(session, engine, partnership["coordinator"])
    from tests.partnership_world import details
    from workflow.errors import DomainError
    from workflow.people import agencies, users

    with Session(engine) as hackney:
        partnerships.limit_to(hackney, partnership["coordinator"])
        theirs = agencies.save_agency(hackney, partnership["coordinator"], details("Camden Health Trust"))
        assert theirs.id != camden.agency.id
        with pytest.raises(DomainError, match="already an agency called"):
            agencies.save_agency(hackney, partnership["coordinator"], details("Hackney Health Trust"))
        with pytest.raises(DomainError, match="already an account"):
            users.add_user(hackney, partnership["coordinator"], email=camden.coordinator.email, name="Again",
                           roles={Role.COORDINATOR})
        hackney.rollback()
    same_name, _ = launch_cycle(engine, partnership["coordinator"], [partnership["health"]], template=partnership["template"],
                                name=camden.cycle.name)
    assert same_name.partnership_id != camden.cycle.partnership_id


def test_a_person_moved_to_another_agency_no_longer_acts_for_the_old_one(engine, session, partnership):
    from tests.factories import act
    from workflow.people import agency_choice, users

    alex = partnership["agency_user"]
    act(engine, users.edit_user, partnership["coordinator"], alex.id, name=alex.name, roles={Role.AGENCY_USER},
        agency_id=partnership["youth"].id)
    session.expire_all()
    moved = session.get(User, alex.id)
    assert [a.name for a in agency_choice.agencies_for(session, moved)] == ["Hackney Youth Club"]


def test_the_intelligence_log_stays_in_its_partnership(engine, session, partnership):
    from datetime import date

    from models import IntelligenceEntry

    camden = add_neighbour(session, engine, partnership["coordinator"])
    for agency_id, by in ((partnership["health"].id, partnership["qa"]), (None, partnership["qa"]), (None, camden.qa)):
        session.add(IntelligenceEntry(agency_id=agency_id, sector="Health", source="Ofsted", received_on=date(2026, 5, 1),
                                      summary=f"by {by.name}", recorded_by_id=by.id))
    session.commit()
    for viewer, expected in ((partnership["qa"], 2), (camden.qa, 1)):
        with Session(engine) as scoped:
            partnerships.limit_to(scoped, viewer)
            assert len(scoped.exec(select(IntelligenceEntry)).all()) == expected


def test_a_core_update_of_a_return_skips_another_partnerships_return(engine, session, partnership):
    """`hold_return` is an UPDATE on the bare table, which the ORM hook does not see: it is narrowed
    by `only_scoped_returns`, so an id from another partnership takes and moves nothing."""
    from models import AuditReturn
    from workflow.lifecycle.moves import hold_return

    _cycle, [hackneys] = launch_cycle(engine, partnership["coordinator"], [partnership["health"]],
                                      template=partnership["template"])
    camden = add_neighbour(session, engine, partnership["coordinator"])
    version = select(AuditReturn.version_id).where(AuditReturn.id == hackneys.id).execution_options(
        **partnerships.across_partnerships())
    with Session(engine) as scoped:
        partnerships.limit_to(scoped, camden.coordinator)
        before = scoped.exec(version).one()
        hold_return(scoped, hackneys.id)
        assert scoped.exec(version).one() == before
        partnerships.limit_to(scoped, partnership["coordinator"])
        hold_return(scoped, hackneys.id)
        assert scoped.exec(version).one() == before + 1
        scoped.rollback()
