"""The Board's figures, checked against a year whose every figure is known (tests/report_scenario.py)."""

from datetime import timedelta

from freezegun import freeze_time
from sqlmodel import Session, select

from models import Question
from models.cycle import CycleKind
from models.user import Role
from tests.bulk_world import bulk_cycle
from tests.factories import act, add_agency, add_person, launch_cycle
from tests.numeric_scenario import PERCENTAGE
from tests.report_scenario import LAUNCH, READ_ON, at, install_rag_template
from tests.statement_log import statements_sent
from workflow.answering import returns
from workflow.answering.ratings import Rating
from workflow.reporting import exports, reports
from workflow.reporting.reports import ActionCounts, TimeSummary
from workflow.templates.installing import install_file
from workflow.templates.spec import RatingScale

RED, AMBER, GREEN = Rating("red", "Red", 0), Rating("amber", "Amber", 1), Rating("green", "Green", 2)
NOT_APPLICABLE = Rating("not_applicable", "Not applicable", None)



def test_progress_counts_returns_by_state_and_names_who_is_overdue(reader, year):
    progress = reports.cycle_progress(reader, year.cycle_id)

    assert progress.total == 7
    assert progress.by_state == {
        "invited": 1,
        "in_progress": 1,
        "submitted": 1,
        "under_qa_challenge": 0,
        "evidence_requested": 1,
        "action_plan_open": 1,
        "compliance_statement_signed": 1,
        "withdrawn": 1,
    }
    # Dale's deadline was extended to day 90, so only Cedar is late.
    assert [(r.agency_name, r.status, r.deadline, r.days_overdue, r.extended) for r in progress.overdue_returns] == [
        ("Cedar Youth Club", "in_progress", LAUNCH + timedelta(days=42), 18, False),
    ]
    assert [(r.agency_name, r.description, r.days_overdue) for r in progress.overdue_evidence_requests] == [
        ("Elm Council", "Board terms of reference", 10),
    ]
    # Alder's action on 2.1 is late; Birch's were completed and cancelled; Alder's removed draft action never counts.
    late = progress.overdue_actions
    assert [(a.agency_name, a.standard_number, a.question_ref, a.lead_name, a.days_overdue) for a in late] == [
        ("Alder Health Trust", "2", "2.1", "Alder Lead", 30),
    ]


def test_progress_replays_the_history_day_by_day(reader, year):
    days = {d.day: d.counts for d in reports.cycle_progress(reader, year.cycle_id).states_over_time}

    assert min(days) == LAUNCH and max(days) == READ_ON and len(days) == 61
    assert days[LAUNCH]["invited"] == 7
    day = lambda n: days[LAUNCH + timedelta(days=n)]  # noqa: E731
    assert (day(1)["invited"], day(1)["in_progress"]) == (2, 5)
    assert (day(5)["invited"], day(5)["in_progress"], day(5)["withdrawn"]) == (1, 5, 1)
    assert (day(14)["submitted"], day(14)["in_progress"]) == (3, 2)
    assert (day(15)["submitted"], day(15)["action_plan_open"]) == (2, 1)
    assert day(23)["evidence_requested"] == 1 and day(27)["under_qa_challenge"] == 1
    assert day(60) == reports.cycle_progress(reader, year.cycle_id).by_state


def test_response_times_are_whole_days_from_launch_request_and_challenge(reader, year):
    times = reports.cycle_progress(reader, year.cycle_id).response_times

    # Submitted on days 10, 12, 14 and 20.
    assert times.launch_to_submission == TimeSummary(4, 13.0, 14.0)
    assert times.evidence_request_to_provision == TimeSummary(1, 4.0, 4.0)
    assert times.challenge_to_answer == TimeSummary(1, 3.0, 3.0)


def test_heatmap_shows_each_submitted_agency_by_standard_in_the_templates_words(reader, year):
    heatmap = reports.compliance_heatmap(reader, year.cycle_id)

    assert heatmap.scale_name == "Red / Amber / Green"
    assert heatmap.legend == [RED, AMBER, GREEN, NOT_APPLICABLE]
    assert [s.number for s in heatmap.standards] == ["1", "2", "3"]
    assert heatmap.awaiting == 2  # Cedar and Dale; Fir was withdrawn
    cells = {
        row.agency_name: {n: (c.self_assessed, c.moderated, c.was_moderated) for n, c in row.cells.items()}
        for row in heatmap.rows
    }
    assert cells == {
        "Alder Health Trust": {"1": (GREEN, AMBER, True), "2": (AMBER, AMBER, False), "3": (GREEN, GREEN, False)},
        "Birch Police": {"1": (GREEN, GREEN, False), "2": (GREEN, GREEN, False), "3": (RED, RED, True)},
        "Elm Council": {"1": (NOT_APPLICABLE, NOT_APPLICABLE, False), "2": (GREEN, GREEN, False), "3": (GREEN, GREEN, False)},
        "Grove Sports Club": {"1": (GREEN, GREEN, False), "2": (GREEN, GREEN, False), "3": (GREEN, GREEN, False)},
    }
    assert [(o.agency_name, o.standard_number, o.self_assessed, o.moderated, o.moderated_refs) for o in heatmap.over_ratings] == [
        ("Alder Health Trust", "1", GREEN, AMBER, ["1.1"]),
    ]


def test_heatmap_counts_each_rating_per_standard_by_sector_and_by_statutory_duty(reader, year):
    heatmap = reports.compliance_heatmap(reader, year.cycle_id)
    counts = lambda red=0, amber=0, green=0, na=0: {"red": red, "amber": amber, "green": green, "not_applicable": na}  # noqa: E731

    overall = heatmap.overall
    assert (overall.group, overall.agencies) == ("All agencies", 4)
    assert overall.self_assessed == {"1": counts(green=3, na=1), "2": counts(amber=1, green=3), "3": counts(red=1, green=3)}
    assert overall.moderated["1"] == counts(amber=1, green=2, na=1)
    assert [(g.group, g.agencies) for g in heatmap.by_sector] == [
        ("Health", 1),
        ("Local authority", 1),
        ("Police", 1),
        ("Voluntary", 1),
    ]
    police = heatmap.by_sector[2]
    assert police.self_assessed["3"] == counts(red=1)
    statutory, non_statutory = heatmap.by_statutory
    assert (statutory.group, statutory.agencies) == ("Statutory", 3)
    assert (non_statutory.group, non_statutory.agencies) == ("Non-statutory", 1)
    assert statutory.self_assessed["2"] == counts(amber=1, green=2)
    # Grove is not asked the statutory-only 2.2, and its 2.1 is Green.
    assert non_statutory.self_assessed["2"] == counts(green=1)


def test_action_plans_by_standard_and_by_agency(reader, year):
    plans = reports.action_plans(reader, year.cycle_id)

    assert plans.total == ActionCounts(open=1, overdue=1, completed=1, cancelled=1)
    assert plans.total.total == 3
    assert [(s.standard.number, s.counts) for s in plans.by_standard] == [
        ("1", ActionCounts()),
        ("2", ActionCounts(open=1, overdue=1)),
        ("3", ActionCounts(completed=1, cancelled=1)),
    ]
    assert [(a.agency_name, a.counts) for a in plans.by_agency] == [
        ("Alder Health Trust", ActionCounts(open=1, overdue=1)),
        ("Birch Police", ActionCounts(completed=1, cancelled=1)),
    ]


def _statements_run(engine, report, cycle_id) -> int:
    """How many SQL statements one report runs, from a fresh session."""
    with statements_sent(engine) as statements, Session(engine) as session:
        report(session, cycle_id)
    return len(statements)


def test_each_report_runs_as_many_queries_for_500_agencies_as_for_50(engine):
    with Session(engine, expire_on_commit=False) as session:
        template = install_rag_template(session)
        user = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    with freeze_time(at(60)):
        small = bulk_cycle(engine, name="Small", agencies=50, template=template, user=user)
        large = bulk_cycle(engine, name="Large", agencies=500, template=template, user=user)
        for report in (
            reports.cycle_progress,
            reports.compliance_heatmap,
            reports.action_plans,
            reports.year_on_year,
            exports.cycle_sheets,
        ):
            counts = (_statements_run(engine, report, small), _statements_run(engine, report, large))
            assert counts[0] == counts[1] <= 10, (report.__name__, counts)
        # The measures of a numeric scale (means, medians, bands, over-ratings) and the files that
        # carry them ask the same fixed number of questions too.
        with Session(engine, expire_on_commit=False) as session:
            percentage = install_file(session, None, PERCENTAGE)
            session.commit()
        small = bulk_cycle(engine, name="SmallPct", agencies=20, template=percentage, user=user)
        large = bulk_cycle(engine, name="LargePct", agencies=120, template=percentage, user=user)
        for report, most in ((reports.compliance_heatmap, 10), (reports.year_on_year, 10), (exports.measure_sheets, 20)):
            counts = (_statements_run(engine, report, small), _statements_run(engine, report, large))
            assert counts[0] == counts[1] <= most, (report.__name__, counts)
        with Session(engine) as session:
            heatmap = reports.compliance_heatmap(session, large)
        # 120 agencies over six states, four of them submitted or later: 80 in the figures.
        assert heatmap.overall.agencies == 80 and heatmap.overall.measures["1"].self_assessed.scored > 0


def _submitted_year(engine, session, *, name, template, agencies, people, ratings, previous=None, opens_on):
    """A cycle in which each agency submits the given ratings (answers by ref)."""
    with freeze_time(opens_on):
        cycle, launched = launch_cycle(
            engine,
            people["coordinator"],
            list(agencies.values()),
            template=template,
            name=name,
            previous_cycle_id=previous,
            opens_on=opens_on,
        )
        questions = {q.ref: q for q in session.exec(select(Question).where(Question.template_id == template.id))}
        scale = RatingScale.from_json(template.scale)
        key_of = {agency.id: key for key, agency in agencies.items()}
        for ret in launched:
            key = key_of[ret.agency_id]
            for ref, value in ratings[key].items():
                act(
                    engine,
                    returns.save_answer,
                    people[key],
                    ret.id,
                    questions[ref].id,
                    rating=value,
                    evidence_description="Policy" if scale.needs_evidence(value) else "",
                )
                if scale.needs_action(value):
                    act(
                        engine,
                        returns.add_action,
                        people[key],
                        ret.id,
                        questions[ref].id,
                        description="Fix it",
                        lead_user_id=people[key].id,
                        target_date=opens_on + timedelta(days=60),
                    )
            act(engine, returns.submit, people[key], ret.id, declaration_confirmed=True)
    return cycle


def test_year_on_year_follows_the_chain_of_cycles_for_the_agencies_taking_part_now(engine, session):
    agencies = {
        key: add_agency(session, name=name, sector="Health", statutory=True)
        for key, name in (("alder", "Alder Health Trust"), ("birch", "Birch Hospital"), ("cedar", "Cedar Clinic"))
    }
    people = {"coordinator": add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})}
    for key, agency in agencies.items():
        people[key] = add_person(session, name=f"{key.title()} User", roles={Role.AGENCY_USER, Role.LEAD_PERSON}, agency=agency)
    rag = install_rag_template(session)
    # Two years ago the partnership used a yes/no scale: nothing compares with it.
    yes_no = install_rag_template(
        session,
        key="yes-no-test",
        scale={
            "name": "Yes / No",
            "not_applicable": False,
            "values": [
                {"value": "no", "label": "No", "score": 0, "needs_evidence": False, "needs_action": True},
                {"value": "yes", "label": "Yes", "score": 1, "needs_evidence": True, "needs_action": False},
            ],
        },
    )
    green = {ref: "green" for ref in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2")}
    first = _submitted_year(
        engine,
        session,
        name="2024-25",
        template=yes_no,
        agencies={"alder": agencies["alder"]},
        people=people,
        ratings={"alder": dict.fromkeys(green, "yes")},
        opens_on=LAUNCH - timedelta(days=730),
    )
    second = _submitted_year(
        engine,
        session,
        name="2025-26",
        template=rag,
        previous=first.id,
        people=people,
        agencies={k: agencies[k] for k in ("alder", "birch")},
        opens_on=LAUNCH - timedelta(days=365),
        ratings={"alder": {**green, "2.1": "red", "3.2": "amber"}, "birch": green},
    )
    third = _submitted_year(
        engine,
        session,
        name="2026-27",
        template=rag,
        previous=second.id,
        people=people,
        agencies=agencies,
        opens_on=LAUNCH,
        ratings={"alder": {**green, "2.1": "amber"}, "birch": {**green, "3.1": "red"}, "cedar": green},
    )

    figures = reports.year_on_year(session, third.id)

    assert [c.name for c in figures.cycles] == ["2024-25", "2025-26", "2026-27"]
    rows = {row.agency_name: row for row in figures.rows}
    assert list(rows) == ["Alder Health Trust", "Birch Hospital", "Cedar Clinic"]
    yes = Rating("yes", "Yes", 1)
    assert rows["Alder Health Trust"].ratings == {"1": [yes, GREEN, GREEN], "2": [yes, RED, AMBER], "3": [yes, AMBER, GREEN]}
    assert rows["Alder Health Trust"].change == {"1": "same", "2": "improved", "3": "improved"}
    assert rows["Birch Hospital"].ratings["3"] == [None, GREEN, RED]
    assert rows["Birch Hospital"].change == {"1": "same", "2": "same", "3": "declined"}
    assert rows["Cedar Clinic"].change == {"1": None, "2": None, "3": None}
    # Last year against the yes/no year: different scales, so no change is claimed.
    assert reports.year_on_year(session, second.id).rows[0].change == {"1": None, "2": None, "3": None}


def test_in_a_statement_year_a_return_is_overdue_only_after_the_statement_deadline(engine, session):
    agency = add_agency(session, name="Alder Health Trust")
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    template = install_rag_template(session)
    with freeze_time(at(-400)):
        year_one, _ = launch_cycle(
            engine, coordinator, [agency], template=template, name="2025-26", opens_on=LAUNCH - timedelta(days=400)
        )
    with freeze_time(at(0)):
        year_two, _ = launch_cycle(
            engine,
            coordinator,
            [agency],
            template=template,
            name="2026-27",
            opens_on=LAUNCH,
            kind=CycleKind.STATEMENT_YEAR,
            previous_cycle_id=year_one.id,
        )
    with freeze_time(at(60)):  # past the submission deadline (day 42), before the statement deadline (day 200)
        assert reports.cycle_progress(session, year_two.id).overdue_returns == []
    with freeze_time(at(205)):
        late = reports.cycle_progress(session, year_two.id).overdue_returns
    assert [(r.agency_name, r.deadline, r.days_overdue) for r in late] == [
        ("Alder Health Trust", LAUNCH + timedelta(days=200), 5)
    ]
