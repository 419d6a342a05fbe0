"""The staff survey through the engine, on SQLite and PostgreSQL: the coordinator sets it up, staff
answer anonymously through each agency's link, another tool's results are imported, and staff
agreement is set beside each agency's self-rating with flags where they disagree."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from models import AuditReturn, SurveyLink, SurveyResponse, SurveyResponseAnswer
from tests.factories import act, launch_cycle, questions_of
from workflow.answering import returns
from workflow.clock import today
from workflow.errors import DomainError
from workflow.review import qa_queue
from workflow.survey import counts, importing, responding, settings
from workflow.survey.triangulation import Flag, flags_for_returns, triangulation

pytestmark = pytest.mark.minutes  # started before the short modules (tests/conftest.py)

AGREE_ALL = {
    "S1": "agree",
    "S2": "agree",
    "S3": "agree",
    "S4": "agree",
    "S5": "agree",
    "S6": "agree",
    "S7": "agree",
    "S8": "agree",
    "S9": "agree",
    "S10": "agree",
    "S11": "agree",
    "S12": "agree",
}


def _settings(**changes) -> settings.SurveySettings:
    values = {
        "opens_on": today(),
        "closes_on": today() + timedelta(days=28),
        "minimum_responses": 5,
        "low_agreement": 50,
        "confident_agreement": 80,
        **changes,
    }
    return settings.SurveySettings(**values)


def _submitted_cycle(engine, session, p, rating="fully_met"):
    """A launched cycle whose health trust submitted every element at `rating`, and its survey set up."""
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    ret = session.exec(select(AuditReturn).where(AuditReturn.cycle_id == cycle.id, AuditReturn.agency_id == p["health"].id)).one()
    act(engine, _answer_and_submit, p, ret.id, questions_of(session, p["template"]), rating)
    act(engine, settings.set_up_survey, p["coordinator"], cycle.id, _settings())
    return cycle, ret


def _answer_and_submit(session, p, return_id: int, questions, rating: str) -> None:
    """Every element at `rating` with what it needs, then submitted: one transaction, to keep the suite quick."""
    user = p["agency_user"]
    for question in questions:
        returns.save_answer(
            session, user, return_id, question.id, rating=rating, narrative="In place.", evidence_description="Minutes"
        )
        if rating != "fully_met":
            returns.add_action(
                session,
                user,
                return_id,
                question.id,
                description="Fix it",
                lead_user_id=p["lead"].id,
                target_date=today() + timedelta(days=90),
            )
    returns.submit(session, user, return_id, declaration_confirmed=True)


def _token(session, cycle, agency) -> str:
    return session.exec(select(SurveyLink.token).where(SurveyLink.cycle_id == cycle.id, SurveyLink.agency_id == agency.id)).one()


def _answer(engine, session, token, by_ref: dict[str, str], key: str | None = None) -> bool:
    page = act(engine, responding.survey_page, token)
    ids = {q.ref: q.id for q in page.questions}
    return act(engine, responding.record_response, token, {ids[r]: v for r, v in by_ref.items()}, key or uuid.uuid4().hex)


def test_staff_who_doubt_a_fully_met_standard_flag_it_for_qa(engine, session, partnership):
    p = partnership
    cycle, ret = _submitted_cycle(engine, session, p)
    health = _token(session, cycle, p["health"])
    # Six staff: they know the policy, but only one of six knows who the safeguarding lead is (standard 3).
    for n in range(6):
        _answer(
            engine,
            session,
            health,
            {**AGREE_ALL, "S4": "agree" if n == 0 else "disagree", "S5": "dont_know" if n < 3 else "strongly_disagree"},
        )

    picture = triangulation(session, cycle.id)
    row = next(r for r in picture.agencies if r.agency_id == p["health"].id)
    assert row.responses == 6
    standard_3 = next(c for c in row.cells if c.standard_number == "3")
    # S4: 1 of 6 agree; S5: three "don't know" are not counted, three disagree.
    assert (standard_3.agreement.agreeing, standard_3.agreement.counted) == (1, 9)
    assert standard_3.flag is Flag.TOP_BUT_STAFF_DISAGREE
    assert standard_3.flag_words == "Flag: rated Fully met but staff agreement is below 50%"
    assert [c.standard_number for c in row.flagged] == ["3"]

    flags = flags_for_returns(session, [ret.id])
    assert [f.standard_number for f in flags[ret.id]] == ["3"]
    assert "11% of staff answers agree (1 of 9, from 6 staff)" in flags[ret.id][0].words
    queue = {r.return_id: r for r in qa_queue.qa_queue(session)}
    assert [f.standard_number for f in queue[ret.id].survey_flags] == ["3"]


def test_no_figure_or_flag_is_shown_below_the_minimum(engine, session, partnership):
    p = partnership
    cycle, ret = _submitted_cycle(engine, session, p)
    health = _token(session, cycle, p["health"])
    for _ in range(4):
        _answer(engine, session, health, {**AGREE_ALL, "S4": "disagree", "S5": "disagree"})
    row = next(r for r in triangulation(session, cycle.id).agencies if r.agency_id == p["health"].id)
    assert all(c.withheld and c.agreement is None and c.flag is None for c in row.cells)
    assert row.cells[0].staff_words == "Withheld: fewer than 5 staff responses"
    sector = triangulation(session, cycle.id).sectors[0]
    assert sector.sector == "Health" and all(c.agreement is None for c in sector.cells)
    assert flags_for_returns(session, [ret.id]) == {}

    # The coordinator lowers the cycle's minimum to 4: the figures appear.
    act(engine, settings.set_up_survey, p["coordinator"], cycle.id, _settings(minimum_responses=4))
    row = next(r for r in triangulation(session, cycle.id).agencies if r.agency_id == p["health"].id)
    assert row.cells[2].agreement is not None and row.cells[2].flag is Flag.TOP_BUT_STAFF_DISAGREE


def test_a_low_self_rating_with_confident_staff_is_flagged(engine, session, partnership):
    p = partnership
    cycle, ret = _submitted_cycle(engine, session, p, rating="not_met")
    health = _token(session, cycle, p["health"])
    for _ in range(5):
        _answer(engine, session, health, AGREE_ALL)
    row = next(r for r in triangulation(session, cycle.id).agencies if r.agency_id == p["health"].id)
    assert {c.flag for c in row.cells} == {Flag.LOW_BUT_STAFF_CONFIDENT}
    assert row.cells[0].flag_words == "Flag: rated Not met but 80% or more of staff answers agree"


def test_a_response_is_stored_once_without_anything_that_says_who(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    youth = _token(session, cycle, p["youth"])
    assert _answer(engine, session, youth, AGREE_ALL, key="same-form") is True
    assert _answer(engine, session, youth, AGREE_ALL, key="same-form") is False  # sent twice: stored once
    responses = session.exec(select(SurveyResponse)).all()
    assert len(responses) == 1
    assert set(SurveyResponse.model_fields) == {"id", "link_id", "received_on", "submission_key", "source", "import_id"}
    assert len(session.exec(select(SurveyResponseAnswer)).all()) == 12
    links = act(engine, counts.cycle_links, p["coordinator"], cycle.id)
    assert {link.agency_name: link.responses for link in links} == {"Hackney Health Trust": 0, "Hackney Youth Club": 1}
    assert [link.responses for link in act(engine, counts.agency_links, p["youth_user"])] == [1]


def test_an_unfinished_response_names_every_question_and_nothing_is_saved(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    youth = _token(session, cycle, p["youth"])
    with pytest.raises(DomainError) as refused:
        _answer(engine, session, youth, {"S1": "agree", "S2": "maybe"})
    assert refused.value.reasons[0] == "Question 2: choose one of the answers given"
    assert refused.value.reasons[1].startswith("Answer question 3: “I know what to do")
    assert len(refused.value.reasons) == 11
    assert session.exec(select(SurveyResponse)).all() == []


def test_the_survey_is_refused_outside_its_dates_and_when_flooded(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    youth = _token(session, cycle, p["youth"])
    act(
        engine,
        settings.set_up_survey,
        p["coordinator"],
        cycle.id,
        _settings(opens_on=today() - timedelta(days=10), closes_on=today() - timedelta(days=1)),
    )
    with pytest.raises(DomainError, match="This survey closed on"):
        _answer(engine, session, youth, AGREE_ALL)
    act(engine, settings.set_up_survey, p["coordinator"], cycle.id, _settings())
    page = act(engine, responding.survey_page, youth)
    answers = {q.id: "agree" for q in page.questions}
    for _ in range(3):
        act(engine, responding.record_response, youth, answers, uuid.uuid4().hex, per_minute=3)
    with pytest.raises(responding.TooManyResponses):
        act(engine, responding.record_response, youth, answers, uuid.uuid4().hex, per_minute=3)
    assert len(session.exec(select(SurveyResponse)).all()) == 3


def test_the_coordinator_is_told_every_setting_to_fix(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    with pytest.raises(DomainError) as refused:
        act(
            engine,
            settings.set_up_survey,
            p["coordinator"],
            cycle.id,
            _settings(closes_on=today() - timedelta(days=1), minimum_responses=0, low_agreement=90, confident_agreement=120),
        )
    assert refused.value.reasons == [
        "The closing date must be on or after the opening date.",
        "The minimum number of responses must be 1 or more.",
        "The confident agreement threshold must be a percentage from 0 to 100.",
    ]


CSV = (
    "Organisation,Q: safeguarding lead,Q: training,Comment\n"
    "Hackney Youth Club,Agree,Strongly agree,fine\n"
    "hackney youth club,disagree,Agree,\n"
    "Hackney Youth Club,Agree,,\n"
)


def test_another_tools_results_are_imported_whole(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    mapping = importing.ColumnMapping("Organisation", {"S4": "Q: safeguarding lead", "S7": "Q: training"})
    result = act(engine, importing.import_responses, p["coordinator"], cycle.id, "other-tool.csv", CSV.encode(), mapping)
    assert (result.responses, result.agencies) == (3, 1)
    assert len(session.exec(select(SurveyResponseAnswer)).all()) == 5
    with pytest.raises(DomainError, match="already imported"):
        act(engine, importing.import_responses, p["coordinator"], cycle.id, "again.csv", CSV.encode(), mapping)


def test_an_import_with_bad_rows_names_each_and_saves_nothing(engine, session, partnership):
    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    bad = (
        CSV
        + "Hackney Fire Service,Agree,Agree,\nHackney Youth Club,Agree strongly,Agree,\n,Agree,Agree,\nHackney Youth Club,,,\n"
    )
    mapping = importing.ColumnMapping("Organisation", {"S4": "Q: safeguarding lead", "S7": "Q: training"})
    with pytest.raises(DomainError) as refused:
        act(engine, importing.import_responses, p["coordinator"], cycle.id, "other-tool.csv", bad.encode(), mapping)
    assert refused.value.reasons == [
        "Row 5: “Hackney Fire Service” is not an agency in this cycle.",
        "Row 6: “Agree strongly” in column “Q: safeguarding lead” is not an answer on the scale "
        "(Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree, Don't know).",
        "Row 7: the “Organisation” column is empty.",
        "Row 8: no question is answered.",
    ]
    assert session.exec(select(SurveyResponse)).all() == []
    with pytest.raises(DomainError) as refused:
        act(
            engine,
            importing.import_responses,
            p["coordinator"],
            cycle.id,
            "other-tool.csv",
            CSV.encode(),
            importing.ColumnMapping("Agency", {"S4": "Lead?"}),
        )
    assert refused.value.reasons[0].startswith("The file has no column “Agency” for the agency. Its columns are: Organisation,")
    assert refused.value.reasons[1].startswith("The file has no column “Lead?” (given for question S4)")


def test_the_workbook_and_the_annual_report_carry_the_triangulation_without_withheld_figures(engine, session, partnership):
    import io
    import re

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from workflow.reporting import exports, pdfs

    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    for _ in range(5):
        _answer(engine, session, _token(session, cycle, p["health"]), {**AGREE_ALL, "S4": "disagree", "S5": "disagree"})
    _answer(engine, session, _token(session, cycle, p["youth"]), AGREE_ALL)

    sheet = load_workbook(io.BytesIO(exports.cycle_xlsx(session, cycle.id)))["Staff survey"]
    rows = {(r[0], r[2]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    health_3 = rows[("Hackney Health Trust", "3")]
    assert health_3[3:9] == ("Fully met", "Fully met", 5, 0, 10, 0)
    assert health_3[10] == "Flag: rated Fully met but staff agreement is below 50%"
    youth_1 = rows[("Hackney Youth Club", "1")]
    assert youth_1[5:9] == ("Withheld (fewer than 5)", None, None, None)

    pdf = PdfReader(io.BytesIO(pdfs.annual_report_pdf(session, cycle.id)))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "Staff survey against self-assessment" in text
    assert "Flag: rated Fully met but staff agreement is below 50%" in text
    assert "Hackney Youth Club – – – –" in text  # one response: its count and every figure withheld
    assert "Hackney Health Trust 5 100% 100% 0% flag" in text


def test_an_excel_workbook_of_results_is_imported_like_a_csv(engine, session, partnership):
    import io

    from openpyxl import Workbook

    p = partnership
    cycle, _ = _submitted_cycle(engine, session, p)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Agency", "Do you know your lead?", "Trained?"])
    for answer in ("Strongly agree", "agree", "Don't know", None):
        sheet.append(["Hackney Youth Club", answer, "Agree"])
    sheet.append(["Hackney Youth Club", "Yes please", "Agree"])
    data = io.BytesIO()
    workbook.save(data)
    mapping = importing.ColumnMapping("Agency", {"S4": "Do you know your lead?", "S7": "Trained?"})
    with pytest.raises(DomainError) as refused:
        act(engine, importing.import_responses, p["coordinator"], cycle.id, "tool.xlsx", data.getvalue(), mapping)
    assert [r.split(":")[0] for r in refused.value.reasons] == ["Row 6"]
    sheet.delete_rows(6)
    data = io.BytesIO()
    workbook.save(data)
    result = act(engine, importing.import_responses, p["coordinator"], cycle.id, "tool.xlsx", data.getvalue(), mapping)
    assert result.responses == 4
    values = sorted(session.exec(select(SurveyResponseAnswer.value, SurveyResponseAnswer.agrees)).all(), key=str)
    assert ("dont_know", None) in values and ("strongly_agree", True) in values
    with pytest.raises(DomainError, match="not an Excel workbook"):
        act(engine, importing.import_responses, p["coordinator"], cycle.id, "fake.xlsx", b"PK not really", mapping)
