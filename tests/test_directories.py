"""People and Agencies as a partnership of sixty agencies and two hundred accounts has them:
searched, filtered and cut into pages, on SQLite and PostgreSQL."""

from models.user import Role
from tests.factories import add_agency, add_person
from workflow.people.directories import AgencyFilters, PeopleFilters, agency_page, people_page


def test_agencies_are_found_by_name_or_contact_filtered_and_paged(session, partnership):
    for i in range(1, 61):
        add_agency(session, name=f"Agency {i:02d} Trust", sector="Health" if i % 3 else "Voluntary", statutory=bool(i % 3))
    session.commit()

    first = agency_page(session, AgencyFilters(), page=1)
    assert (first.total, first.pages, len(first.rows), first.first, first.last) == (62, 3, 25, 1, 25)
    last = agency_page(session, AgencyFilters(), page=99)  # out of range: the last page, not an error
    assert (last.page, len(last.rows), last.rows[-1].name) == (3, 12, "Hackney Youth Club")

    voluntary = agency_page(session, AgencyFilters(sector="Voluntary", statutory=False))
    assert voluntary.total == 21  # twenty of ours and the youth club
    found = agency_page(session, AgencyFilters(search="  agency 4"))
    assert [a.name for a in found.rows] == [f"Agency {i} Trust" for i in range(40, 50)]
    assert agency_page(session, AgencyFilters(search="contact@hackney-youth")).rows[0].name == "Hackney Youth Club"
    assert agency_page(session, AgencyFilters(search="100%_")).total == 0  # wildcards are plain characters


def test_people_are_found_by_name_or_e_mail_role_agency_and_account(session, partnership):
    for i in range(1, 31):
        add_person(session, name=f"Person {i:02d}", roles={Role.AGENCY_USER}, agency=partnership["youth"])
    session.commit()

    everyone = people_page(session, PeopleFilters())
    assert (everyone.total, everyone.pages, len(everyone.rows)) == (37, 2, 25)  # thirty, the six people and the setup coordinator
    youth = people_page(session, PeopleFilters(agency_id=partnership["youth"].id, search="person 1"))
    assert [row.user.name for row in youth.rows] == [f"Person {i}" for i in range(10, 20)]
    qa = people_page(session, PeopleFilters(role=Role.QA_REVIEWER))
    assert [(row.user.name, row.roles) for row in qa.rows] == [("Quinn Reviewer", [Role.QA_REVIEWER])]
    assert people_page(session, PeopleFilters(status="deactivated")).total == 0
