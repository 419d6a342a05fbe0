"""The coordinator writes the year's key themes, per standard and overall, and the Board finds
them in the annual-report PDF and the workbook."""

import io

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from models import HistoryRecord, KeyTheme, OutboxMessage
from models.user import Role
from tests.factories import act, add_agency, add_person, install_template, launch_cycle
from tests.test_exports import pdf_text
from workflow.errors import DomainError, NotPermitted
from workflow.reporting import exports, key_themes, pdfs


@pytest.fixture
def cycle(engine, session):
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    qa = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    cycle, _ = launch_cycle(engine, coordinator, [add_agency(session)], template=install_template(session))
    return {"cycle": cycle, "coordinator": coordinator, "qa": qa}


def test_the_coordinator_writes_the_years_findings_for_the_annual_report(engine, session, cycle):
    coordinator, qa, cycle_id = cycle["coordinator"], cycle["qa"], cycle["cycle"].id
    with pytest.raises(NotPermitted):
        act(engine, key_themes.write_key_themes, qa, cycle_id, overall="QA's view", by_standard={})
    with pytest.raises(DomainError) as refused:
        act(engine, key_themes.write_key_themes, coordinator, cycle_id, overall="", by_standard={"1": " ", "99": "x"})
    assert refused.value.reasons == ["There is no standard 99 in this cycle's template."]
    with pytest.raises(DomainError, match="Nothing has changed"):
        act(engine, key_themes.write_key_themes, coordinator, cycle_id, overall=" ", by_standard={"1": ""})

    act(engine, key_themes.write_key_themes, coordinator, cycle_id,
        overall="Supervision is strong; safer recruitment checks lag in the voluntary sector.",
        by_standard={"1": "Leaders sign off safeguarding policies every year.", "2": ""})
    themes = key_themes.key_themes(session, cycle_id)
    assert themes.overall.startswith("Supervision is strong")
    written = [(s.number, s.text) for s in themes.standards if s.text]
    assert written == [("1", "Leaders sign off safeguarding policies every year.")]
    record = session.exec(select(HistoryRecord).where(HistoryRecord.trigger == "write_key_themes")).one()
    assert (record.subject_type, record.subject_id, record.details) == ("cycle", cycle_id, {"standards": ["overall", "1"]})
    told = session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == "key_themes_written")).all()
    assert qa.email in told and coordinator.email not in told

    text = pdf_text(pdfs.annual_report_pdf(session, cycle_id))
    assert "Key themes" in text and "safer recruitment checks lag" in text and "Leaders sign off safeguarding" in text
    sheet = load_workbook(io.BytesIO(exports.cycle_xlsx(session, cycle_id)))["Key themes"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Overall" and rows[1][2].startswith("Supervision is strong")
    assert rows[2][0] == "1" and rows[2][2] == "Leaders sign off safeguarding policies every year."

    # Emptying a box takes that theme out.
    act(engine, key_themes.write_key_themes, coordinator, cycle_id, overall=themes.overall, by_standard={"1": ""})
    session.expire_all()
    assert session.exec(select(KeyTheme.standard_number).where(KeyTheme.cycle_id == cycle_id)).all() == [""]
