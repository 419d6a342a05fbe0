"""The staff survey from the command line: the same operations as the pages."""

from tests.test_cli import run  # noqa: F401  (the fixture)
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH


def test_an_administrator_opens_the_survey_and_imports_another_tools_results(run, tmp_path):  # noqa: F811
    run("db", "upgrade")
    run("template", "load", str(DEFAULT_TEMPLATE_PATH))
    agencies = tmp_path / "agencies.csv"
    agencies.write_text(
        "name,sector,statutory,contact_email\nRiverside Council,Local authority,yes,sam@council.example.org\n"
        "Northbank Youth Club,Voluntary,no,jo@club.example.org\n"
    )
    run("agencies", "import", str(agencies))
    run(
        "cycle",
        "launch",
        "--name",
        "2026-27",
        "--template",
        "section11-default",
        "--opens",
        "2026-12-01",
        "--deadline",
        "2027-01-31",
        "--qa-ends",
        "2027-03-31",
        "--review",
        "2027-06-30",
        "--statement-deadline",
        "2027-07-31",
    )
    opened = run("survey", "set-up", "2026-27", "--opens", "2026-12-01", "--closes", "2027-01-15").output
    assert "open from 1 December 2026 to 15 January 2027" in opened
    assert "Riverside Council" in opened and "/survey/" in opened

    results = tmp_path / "results.csv"
    results.write_text("Org,Lead\nRiverside Council,Agree\nRiverside Council,Nope\nNowhere,Agree\n")
    refused = run("survey", "import", "2026-27", str(results), "--agency-column", "Org", "--column", "S4=Lead", expect=1)
    assert "Row 3: “Nope” in column “Lead” is not an answer" in refused.output
    assert "Row 4: “Nowhere” is not an agency in this cycle." in refused.output
    assert "Nothing was saved." in refused.output
    results.write_text("Org,Lead\nRiverside Council,Agree\nRiverside Council,Disagree\n")
    assert (
        "2 responses imported for 1 agencies."
        in run("survey", "import", "2026-27", str(results), "--agency-column", "Org", "--column", "S4=Lead").output
    )
    assert "Riverside Council" in run("survey", "links", "2026-27").output
