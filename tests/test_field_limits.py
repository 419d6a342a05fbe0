"""Each field's size and characters, from one definition, refused alike by every door."""

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlmodel import select

from models import Agency, field_limits
from models.user import Role
from tests.factories import add_person
from workflow.cli import main
from workflow.errors import DomainError
from workflow.people import agencies, users

LONG_NAME = "N" * (field_limits.AGENCY_NAME + 1)


def test_the_migrated_columns_are_exactly_the_sizes_the_forms_and_imports_check(engine):
    columns = {
        ("agency", "name"): field_limits.AGENCY_NAME,
        ("agency", "sector"): field_limits.SECTOR,
        ("agency", "contact_email"): field_limits.EMAIL,
        ("user_account", "email"): field_limits.EMAIL,
        ("user_account", "name"): field_limits.PERSON_NAME,
        ("user_account", "job_title"): field_limits.JOB_TITLE,
        ("cycle", "name"): field_limits.CYCLE_NAME,
        ("compliance_statement", "signed_name"): field_limits.SIGNED_NAME,
    }
    schema = inspect(engine)
    for (table, column), size in columns.items():
        found = {c["name"]: c["type"] for c in schema.get_columns(table)}[column]
        assert getattr(found, "length", None) == size, (table, column, found)


def test_an_agency_name_over_the_column_size_is_refused_in_words_on_import(session):
    csv_text = (
        f"name,sector,statutory,contact_email\n{LONG_NAME},Health,yes,a@health.example.org\n"
        "Fine Name,Health,yes,b@health.example.org\n"
    )

    with pytest.raises(DomainError) as refused:
        agencies.import_csv(session, None, csv_text)

    assert refused.value.reasons == [
        f"Row 2: the agency's name must be {field_limits.AGENCY_NAME} characters or fewer (it has {len(LONG_NAME)})."
    ]
    session.rollback()
    assert session.exec(select(Agency)).all() == []


def test_a_control_character_in_an_imported_row_is_refused_in_words(session):
    with pytest.raises(DomainError) as refused:
        agencies.import_csv(session, None, "name,sector,statutory,contact_email\nBad\x07Name,Health,yes,a@health.example.org\n")

    assert "the agency's name contains an invisible control character" in refused.value.reasons[0]


def test_a_nul_byte_in_an_imported_file_is_refused_as_not_a_csv_file(session):
    with pytest.raises(DomainError) as refused:
        agencies.import_csv(session, None, "name,sector,statutory,contact_email\nBad\x00Name,Health,yes,a@health.example.org\n")

    assert refused.value.reasons == [
        "The file is not a CSV file (it holds binary data). Save it from your spreadsheet as CSV or .xlsx."
    ]


def test_the_command_line_import_says_what_is_wrong_instead_of_a_traceback(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    csv_file = tmp_path / "agencies.csv"
    csv_file.write_text(f"name,sector,statutory\n{LONG_NAME},Health,yes\n")

    result = CliRunner().invoke(main, ["agencies", "import", str(csv_file)])

    assert result.exit_code != 0
    assert "characters or fewer" in result.output
    assert "Traceback" not in result.output


def test_adding_a_person_refuses_an_over_long_name_and_a_nul_in_the_address(session):
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})

    with pytest.raises(DomainError) as refused:
        users.add_user(
            session, coordinator, email="someone\x00@example.org", name="P" * 201, roles={Role.QA_REVIEWER}
        )

    assert refused.value.reasons == [
        "The e-mail address contains an invisible control character: retype it, or paste it as plain text.",
        "The name must be 200 characters or fewer (it has 201).",
    ]


def test_free_text_sizes_fit_their_use():
    assert field_limits.limit_for("reason") == field_limits.REASON
    assert field_limits.limit_for("q12-narrative") == field_limits.NARRATIVE
    assert field_limits.limit_for("anything-else") == field_limits.DEFAULT_TEXT
    assert field_limits.text_problems("The reason", "two\nlines\ttabbed", field_limits.REASON, multiline=True) == []
    assert field_limits.text_problems("The name", "two\nlines", field_limits.PERSON_NAME) != []
