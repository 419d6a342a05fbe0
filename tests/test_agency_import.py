"""A coordinator imports the partnership's agencies from a CSV or Excel file as a spreadsheet saved
it: all rows or none, every bad row named in one pass with its line and what to do."""

import pytest
from sqlmodel import select

from models import Agency
from models.user import Role
from tests.agency_lists import BAD_ROWS_NAMED, SAVED_AS, partnership_list
from tests.factories import add_person
from workflow.errors import DomainError
from workflow.people import agencies
from workflow.people.sectors import SECTOR_NAMES

GOOD = """name,sector,statutory,commissioned_by,contact_name,contact_email,executive_name,executive_email
Riverside Council,Local authority,yes,,Sam Lead,sam@council.example.org,Pat Chief,pat@council.example.org
Northbank Youth Club,Voluntary,no,Riverside Council,Jo Club,jo@club.example.org,,
"""
@pytest.mark.parametrize("saved_as", SAVED_AS)
def test_a_real_partnerships_list_names_every_bad_row_in_one_pass_and_saves_nothing(session, saved_as):
    filename, save = SAVED_AS[saved_as]
    with pytest.raises(DomainError) as refused:
        agencies.import_file(session, None, filename, save(partnership_list()))
    session.rollback()
    assert refused.value.reasons == BAD_ROWS_NAMED
    assert session.exec(select(Agency)).all() == []


@pytest.mark.parametrize("saved_as", SAVED_AS)
def test_once_the_bad_rows_are_fixed_the_list_imports_with_accents_sectors_and_commissioners(session, saved_as):
    filename, save = SAVED_AS[saved_as]
    rows = partnership_list()
    rows[30][5] = "ama@hope.example.org"
    rows[31][3] = "Riverside Children's Services"
    del rows[28:30]  # the duplicate and the moon base
    result = agencies.import_file(session, None, filename, save(rows))
    session.commit()

    assert (result.added, result.updated) == (29, 0)
    saved = {a.name: a for a in session.exec(select(Agency))}
    assert saved["Riverside Police"].contact_name == "Renée Côté"
    icb = saved["Riverside & District Integrated Care Board"]
    assert (icb.sector, icb.statutory, icb.contact_name) == ("Health", True, "Ciarán Ó Dúill")
    assert saved["Riverside Housing"].sector == "Local authority"
    assert saved["Riverside Youth Justice Service"].sector == "Youth justice"
    assert saved["Brightside Counselling CIC"].commissioned_by_id == icb.id
    assert saved["Little Stars Nursery"].commissioned_by_id == saved["Riverside Children's Services"].id
    assert not saved["Riverside Mosque & Church Forum 3"].statutory


def test_agencies_are_imported_with_their_commissioner(session):
    result = agencies.import_csv(session, None, GOOD)
    session.commit()
    assert (result.added, result.updated) == (2, 0)
    club = session.exec(select(Agency).where(Agency.name == "Northbank Youth Club")).one()
    council = session.exec(select(Agency).where(Agency.name == "Riverside Council")).one()
    assert club.commissioned_by_id == council.id and council.statutory and not club.statutory


def test_importing_again_updates_instead_of_duplicating(session):
    agencies.import_csv(session, None, GOOD)
    session.commit()
    result = agencies.import_csv(session, None, GOOD.replace("Sam Lead", "Sam Newlead"))
    session.commit()
    assert (result.added, result.updated) == (0, 2)
    assert session.exec(select(Agency).where(Agency.name == "Riverside Council")).one().contact_name == "Sam Newlead"


def test_an_agency_with_users_may_be_updated_without_a_contact_e_mail(session):
    agencies.import_csv(session, None, GOOD)
    council = session.exec(select(Agency).where(Agency.name == "Riverside Council")).one()
    add_person(session, name="Una User", roles={Role.AGENCY_USER}, agency=council)
    session.commit()
    agencies.import_csv(session, None, GOOD.replace("Sam Lead,sam@council.example.org", ","))
    with pytest.raises(DomainError, match="Row 3: enter the contact e-mail"):
        agencies.import_csv(session, None, GOOD.replace("Jo Club,jo@club.example.org", ","))


def test_a_file_with_bad_rows_saves_nothing_and_names_each_row(session):
    bad = (
        GOOD
        + "Riverside Police,,maybe,,,not-an-email,,\n"
        + "riverside  council,Local authority,yes,,,x@council.example.org,,\n"
        + "Safe Families,Voluntary,yes,Safe Families,,sf@example.org,,\n"
        + "Riverside Hospital,Health,no,,,rh@example.org,,\n"
        + f"{'A' * 201},Voluntary,no,,,a@example.org,,\n"
    )
    with pytest.raises(DomainError) as refused:
        agencies.import_csv(session, None, bad)
    session.rollback()
    assert refused.value.reasons == [
        "Row 4: the statutory column must say yes or no, not “maybe”.",
        f"Row 4: enter the agency's sector, one of: {', '.join(SECTOR_NAMES)}.",
        "Row 4: the contact e-mail “not-an-email” is not a valid e-mail address: check it has one @ and no spaces.",
        "Row 5: “riverside  council” is already on row 2: keep one row for each agency.",
        "Row 6: agencies in the Voluntary sector are not statutory under Section 11: statutory must be no, "
        "or the sector must be the statutory body's.",
        "Row 6: an agency cannot commission itself: leave commissioned_by empty or name another agency.",
        "Row 7: agencies in the Health sector are statutory under Section 11: statutory must be yes.",
        "Row 8: the agency's name must be 200 characters or fewer (it has 201).",
    ]
    assert session.exec(select(Agency)).all() == []


def test_files_that_cannot_be_read_are_refused_saying_how_to_save_them(session):
    with pytest.raises(DomainError, match=r"old Excel workbook \(.xls\)"):
        agencies.import_file(session, None, "agencies.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(DomainError, match="not an Excel workbook that can be opened"):
        agencies.import_file(session, None, "agencies.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(DomainError, match="The file is empty"):
        agencies.import_file(session, None, "agencies.csv", b"  \r\n")
    with pytest.raises(DomainError, match="The file has no agencies in it"):
        agencies.import_file(session, None, "agencies.csv", b"name,sector,statutory\r\n,,\r\n")


def test_a_file_without_the_required_columns_says_which(session):
    with pytest.raises(DomainError, match="The file has no column sector, statutory"):
        agencies.import_csv(session, None, "name\nRiverside Council\n")
