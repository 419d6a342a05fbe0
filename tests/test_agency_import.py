"""A coordinator imports the partnership's agencies from CSV: all rows or none, every bad row named."""

import pytest
from sqlmodel import select

from models import Agency
from workflow.errors import DomainError
from workflow.people import agencies

GOOD = """name,sector,statutory,commissioned_by,contact_name,contact_email,executive_name,executive_email
Riverside Council,Local authority,yes,,Sam Lead,sam@council.example.org,Pat Chief,pat@council.example.org
Northbank Youth Club,Voluntary,no,Riverside Council,Jo Club,jo@club.example.org,,
"""


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


def test_a_file_with_bad_rows_saves_nothing_and_names_each_row(session):
    bad = (
        GOOD
        + "Riverside Police,,maybe,,,not-an-email,,\nRiverside Council,Local authority,yes,,,,,\nSafe Families,Voluntary,no,Nobody Council,,,,\n"
    )
    with pytest.raises(DomainError) as refused:
        agencies.import_csv(session, None, bad)
    session.rollback()
    assert refused.value.reasons == [
        "Row 4: statutory must be yes or no, not “maybe”.",
        "Row 4: enter the agency's sector, for example Health, Police or Voluntary.",
        "Row 4: the contact e-mail “not-an-email” is not a valid e-mail address.",
        "Row 5: “Riverside Council” is already on row 2.",
    ]
    assert session.exec(select(Agency)).all() == []


def test_an_unknown_commissioner_refuses_the_file(session):
    with pytest.raises(DomainError, match="Row 3: the commissioning agency “Nobody” is not in the list of agencies."):
        agencies.import_csv(session, None, GOOD.replace("no,Riverside Council", "no,Nobody"))
    session.rollback()
    assert session.exec(select(Agency)).all() == []


def test_a_file_without_the_required_columns_says_which(session):
    with pytest.raises(DomainError, match="The file has no column sector, statutory"):
        agencies.import_csv(session, None, "name\nRiverside Council\n")
