"""Printable documents: one agency's return with its action plan, and the Board's annual summary.

The return is the same document the "e-mail me a copy of our return" message attaches; the
summary puts each chart beside a table of the same figures, so the report can be read (and
copied into the annual report) without the pictures.
"""

from collections.abc import Callable
from datetime import date, datetime

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table
from sqlmodel import Session, select

from models import AuditReturn, Challenge, ComplianceStatement, EvidenceRequest
from models.audit_return import ReturnState
from models.cycle import CycleKind
from workflow.answering import content
from workflow.answering.ratings import rating, weakest
from workflow.clock import today, uk_day
from workflow.errors import NotFound
from workflow.reporting import charts, measure_tables, reports
from workflow.reporting.key_themes import key_themes_section
from workflow.reporting.pdf_layout import PAGE_WIDTH, build, chart_with_table, para, table, words
from workflow.reporting.printed_return import PrintedFile, PrintedReturn, printed_return
from workflow.reporting.reports import GroupSummary, Heatmap
from workflow.reporting.survey_figures import survey_section


def return_pdf(session: Session, return_id: int) -> bytes:
    """One agency's return: its answers standard by standard, QA's findings, and its action plan.

    The agency's part comes from `printed_return` (the frozen copy once submitted, so the paper is
    what was submitted); QA's findings are read from the rows, since they come after submission.
    """
    ret = session.get(AuditReturn, return_id)
    if ret is None:
        raise NotFound("There is no such return.")
    c = content.load(session, ret)
    printed = printed_return(session, c)
    refs = {q.id: q.ref for q in c.questions}
    title = f"{c.agency.name}: Section 11 return, {c.cycle.name}" + (" (draft)" if printed.draft else "")
    story = [
        *_cover(c, printed),
        *_answers(c, printed),
        *_plan(printed, refs),
        *_qa_findings(session, ret, refs),
    ]
    return build(title, story)


def _cover(c: content.ReturnContent, printed: PrintedReturn) -> list[Flowable]:
    """Who, which copy (draft or which submission, with its SHA-256), and the ratings by standard."""
    heading = f"{c.agency.name}: Section 11 return" + (" (DRAFT)" if printed.draft else "")
    submitted = f"{words(printed.submitted_at)} by {printed.submitted_by}" if printed.submitted_at else "Not yet"
    return [
        para(heading, "title"),
        para(f"{c.cycle.name} · {c.template.name} · printed {words(today())}", "small"),
        table(
            None,
            [
                ["Agency", f"{c.agency.name} ({c.agency.sector}, {'statutory' if c.agency.statutory else 'not statutory'})"],
                ["State", ReturnState(c.ret.status).title],
                ["Submission deadline", c.deadline],
                ["Submitted", submitted],
                ["Declaration", printed.declaration],
                ["This copy", _copy_words(printed)],
            ],
            widths=[PAGE_WIDTH * 0.25, PAGE_WIDTH * 0.75],
        ),
        para("Ratings by standard", "h1"),
        table(
            ["Standard", "Self-assessed", "After QA moderation"],
            _ratings_by_standard(c, printed),
            widths=[PAGE_WIDTH * 0.56, PAGE_WIDTH * 0.22, PAGE_WIDTH * 0.22],
        ),
    ]


def _ratings_by_standard(c: content.ReturnContent, printed: PrintedReturn) -> list[list[str]]:
    return [
        [f"{s.number} {s.title}", _standard_label(c, printed, s, moderated=False), _standard_label(c, printed, s, moderated=True)]
        for s in c.standards
    ]


def _copy_words(printed: PrintedReturn) -> str:
    """Says where the words come from, so a reader can check a submitted copy against the history."""
    if printed.draft:
        return "DRAFT: not submitted; printed from the return as it stands now."
    if printed.sha256 is None:
        return "No frozen copy of this submission was found; printed from the return as it stands now."
    return f"Submission {printed.submission} as submitted. SHA-256 of the frozen copy: {printed.sha256}"


def _answers(c: content.ReturnContent, printed: PrintedReturn) -> list[Flowable]:
    """Each standard's questions with the agency's answer and, beside it, QA's moderated rating."""
    flow: list[Flowable] = []
    for standard in c.standards:
        flow.append(para(f"Standard {standard.number}: {standard.title}", "h1"))
        for question in c.questions_of(standard):
            flow.append(
                KeepTogether(
                    [
                        para(f"{question.ref} {question.text}", "h2"),
                        table(None, _answer_rows(c, printed, question.id), widths=[PAGE_WIDTH * 0.25, PAGE_WIDTH * 0.75]),
                    ]
                )
            )
    return flow


def _answer_rows(c: content.ReturnContent, printed: PrintedReturn, question_id: int) -> list[list[str]]:
    answer = printed.answers.get(question_id)
    moderated = (live := c.answers.get(question_id)) and live.moderated_rating
    rows = [["Rating", _label(c, answer.rating if answer else None)]]
    if moderated:
        rows.append(["QA moderated rating", _label(c, moderated)])
    if answer and answer.not_applicable_reason:
        rows.append(["Why not applicable", answer.not_applicable_reason])
    rows.append(["What we do", answer.narrative if answer else ""])
    files = "; ".join(_file_words(f) for f in answer.files) if answer else ""
    rows.append(["Evidence", "; ".join(x for x in (answer.evidence_description if answer else "", files) if x)])
    if answer and answer.reused_from:
        rows.append(["Reused", f"This answer was reused from the agency's return for {answer.reused_from}."])
    return rows


def _file_words(file: PrintedFile) -> str:
    reused = f", reused from the agency's return for {file.reused_from}" if file.reused_from else ""
    return f"{file.filename} (SHA-256 {file.sha256}{reused})"


def _plan(printed: PrintedReturn, refs: dict[int, str]) -> list[Flowable]:
    return [
        para("Action plan", "h1"),
        table(
            ["Question", "Action", "Lead person", "Target date", "Status"],
            [[refs.get(a.question_id, ""), a.description, a.lead_name, a.target_date, a.status] for a in printed.actions],
            widths=[PAGE_WIDTH * w for w in (0.13, 0.39, 0.18, 0.14, 0.16)],
        )
        if printed.actions
        else para("There are no actions in the plan."),
    ]


def _qa_findings(session: Session, ret: AuditReturn, refs: dict[int, str]) -> list[Flowable]:
    """QA's challenges and evidence requests, and the executive's statement: all after submission."""
    challenges = session.exec(select(Challenge).where(Challenge.return_id == ret.id).order_by(Challenge.raised_at)).all()
    requests = session.exec(
        select(EvidenceRequest).where(EvidenceRequest.return_id == ret.id).order_by(EvidenceRequest.requested_at)
    ).all()
    statements = session.exec(select(ComplianceStatement).where(ComplianceStatement.return_id == ret.id)).all()
    story: list[Flowable] = []
    if challenges:
        story += [
            para("QA challenges", "h1"),
            table(
                ["Question", "Challenge", "Raised", "Answer", "Answered"],
                [
                    [refs.get(ch.question_id, "Whole return"), ch.text, uk_day(ch.raised_at), ch.response, _day(ch.responded_at)]
                    for ch in challenges
                ],
                widths=[PAGE_WIDTH * w for w in (0.12, 0.3, 0.13, 0.32, 0.13)],
            ),
        ]
    if requests:
        story += [
            para("Evidence requested by QA", "h1"),
            table(
                ["Question", "Evidence requested", "Due", "Response", "Provided"],
                [
                    [refs.get(r.question_id, "Whole return"), r.description, r.due_date, r.response, _day(r.provided_at)]
                    for r in requests
                ],
                widths=[PAGE_WIDTH * w for w in (0.12, 0.3, 0.13, 0.32, 0.13)],
            ),
        ]
    for statement in statements:
        story += [para("Statement of compliance", "h1"), para(statement.declaration)]
        if statement.choice == "signed":
            story.append(para(f"Signed by {statement.signed_name} on {words(uk_day(statement.signed_at))}."))
        else:
            story.append(para(f"The executive chose a re-audit by peer review on {words(uk_day(statement.signed_at))}."))
        story += [para(f"Standard {i['standard']} is now met: {i['evidence']}") for i in statement.improvements]
    return story


def _day(moment: datetime | None) -> date | None:
    return uk_day(moment) if moment else None


def _label(c: content.ReturnContent, value: str | None) -> str:
    """A rating in the template's words."""
    return rating(c.scale, value).label if value else "Not answered"


def _standard_label(c: content.ReturnContent, printed: PrintedReturn, standard, *, moderated: bool) -> str:
    """A standard's rating is its weakest element's; after moderation, QA's rating where it gave one."""
    values = []
    for question in c.questions_of(standard):
        answer = printed.answers.get(question.id)
        live = c.answers.get(question.id)
        value = answer.rating if answer else None
        if moderated and live and live.moderated_rating:
            value = live.moderated_rating
        if value:
            values.append(value)
    result = weakest(c.scale, values)
    return result.label if result else "Not rated"


def annual_report_pdf(session: Session, cycle_id: int) -> bytes:
    """The Board's summary of a cycle: progress, ratings, year on year and the action plans."""
    # Held while the reports run, so each of them (and the key themes) finds the cycle already read.
    held = reports.cycle_of(session, cycle_id)  # noqa: F841
    progress = reports.cycle_progress(session, cycle_id)
    heatmap = reports.compliance_heatmap(session, cycle_id)
    history = reports.year_on_year(session, cycle_id)
    plans = reports.action_plans(session, cycle_id)
    cycle = progress.cycle
    kind = CycleKind(cycle.kind).title
    story: list[Flowable] = [
        para(f"{cycle.name}: summary for the annual report", "title"),
        para(
            f"{kind} · opened {words(cycle.opens_on)} · submission deadline {words(cycle.submission_deadline)} · "
            f"figures on {words(today())}",
            "small",
        ),
        *key_themes_section(session, cycle_id),  # the coordinator's findings (issue 11)
        *_progress_section(progress),
        PageBreak(),
        *_ratings_section(heatmap),
        PageBreak(),
        *_year_on_year_section(history),
        *_actions_section(plans),
        *survey_section(session, cycle_id),  # the staff survey against self-assessment (issue 12)
    ]
    return build(f"{cycle.name}: summary for the annual report", story)


def _progress_section(progress: reports.CycleProgress) -> list[Flowable]:
    states = list(ReturnState)
    times = progress.response_times
    flow: list[Flowable] = [para("Progress of the cycle", "h1")]
    flow += chart_with_table(
        charts.returns_by_state(progress),
        table(["State", "Returns"], [[s.title, progress.by_state[s.value]] for s in states] + [["All", progress.total]]),
        beside=True,
    )
    history = progress.states_over_time
    if history:
        # A row a week (and the last day) keeps the table readable beside a daily chart.
        shown = [d for d in history if (d.day - history[0].day).days % 7 == 0 or d is history[-1]]
        kept = [s for s in states if any(d.counts[s.value] for d in history)]
        flow += chart_with_table(
            charts.states_over_time(progress),
            table(["Day", *[s.title for s in kept]], [[d.day, *[d.counts[s.value] for s in kept]] for d in shown]),
            beside=False,
        )
    flow += [
        para("Returns past their deadline", "h2"),
        table(
            ["Agency", "Sector", "State", "Deadline", "Days overdue"],
            [
                [
                    r.agency_name,
                    r.sector,
                    ReturnState(r.status).title,
                    words(r.deadline) + (" (extended)" if r.extended else ""),
                    r.days_overdue,
                ]
                for r in progress.overdue_returns
            ],
        )
        if progress.overdue_returns
        else para("No return is past its deadline."),
    ]
    flow += [
        para("Evidence requests past their due date", "h2"),
        table(
            ["Agency", "Question", "Evidence requested", "Due", "Days overdue"],
            [
                [r.agency_name, r.question_ref, r.description, r.due_date, r.days_overdue]
                for r in progress.overdue_evidence_requests
            ],
        )
        if progress.overdue_evidence_requests
        else para("No evidence request is overdue."),
    ]
    flow += [
        para("Actions past their target date", "h2"),
        table(
            ["Agency", "Question", "Action", "Lead person", "Target date", "Days overdue"],
            [
                [a.agency_name, a.question_ref, a.description, a.lead_name, a.target_date, a.days_overdue]
                for a in progress.overdue_actions
            ],
        )
        if progress.overdue_actions
        else para("No action is past its target date."),
    ]
    flow += [
        para("Response times", "h2"),
        table(
            ["From", "Cases", "Median days", "Mean days"],
            [
                [name, t.count, t.median_days, t.mean_days]
                for name, t in (
                    ("Launch to submission", times.launch_to_submission),
                    ("Evidence requested to provided", times.evidence_request_to_provision),
                    ("Challenge raised to answered", times.challenge_to_answer),
                )
            ],
        ),
    ]
    return flow


def _counts_table(summary: GroupSummary, heatmap: Heatmap, *, moderated: bool = False):
    counts = summary.moderated if moderated else summary.self_assessed
    return table(
        ["Standard", *[r.label for r in heatmap.legend]],
        [[f"{s.number} {s.title}", *[counts[s.number][r.value] for r in heatmap.legend]] for s in heatmap.standards],
    )


def _ratings_section(heatmap: Heatmap) -> list[Flowable]:
    if heatmap.scale is not None and heatmap.scale.numeric:
        return _scores_section(heatmap)
    flow: list[Flowable] = [
        para("Ratings against the standards", "h1"),
        para(
            f"Ratings on the {heatmap.scale_name} scale, from {heatmap.overall.agencies} submitted returns; "
            f"{heatmap.awaiting} returns are not submitted yet and are not counted. A standard's rating is its "
            "weakest element; Not applicable elements are left out."
        ),
    ]
    flow += chart_with_table(
        charts.ratings_by_standard(heatmap.overall, heatmap), _counts_table(heatmap.overall, heatmap), beside=False
    )
    flow += [para("After QA moderation", "h2"), _counts_table(heatmap.overall, heatmap, moderated=True)]
    flow += _by_group(heatmap, charts.ratings_by_standard, _counts_table)
    flow += [
        para("Each agency's rating of each standard", "h1"),
        para("Self-assessed; where QA moderated a standard to a different rating, QA's rating follows."),
    ]
    colours = charts.rating_colours(heatmap.legend)
    backgrounds = {}
    rows = []
    for y, row in enumerate(heatmap.rows, start=1):
        cells = []
        for x, standard in enumerate(heatmap.standards, start=1):
            cell = row.cells[standard.number]
            text = cell.self_assessed.label if cell.self_assessed else "Not rated"
            if cell.moderated and cell.moderated != cell.self_assessed:
                text += f" (QA: {cell.moderated.label})"
            if cell.self_assessed:
                backgrounds[(x, y)] = _light(colours[cell.self_assessed.value])
            cells.append(text)
        rows.append([row.agency_name, *cells])
    flow.append(table(["Agency", *[f"Standard {s.number}" for s in heatmap.standards]], rows, backgrounds=backgrounds))
    flow += [
        para("Where agencies rated themselves above QA's moderation", "h2"),
        table(
            ["Agency", "Standard", "Self-assessed", "Moderated", "Mean", "Mean after QA", "Gap", "Elements moderated"],
            [
                [
                    o.agency_name,
                    f"{o.standard_number} {o.standard_title}",
                    o.self_assessed.label,
                    o.moderated.label,
                    *[heatmap.scale.number(v) if v is not None else "–" for v in (o.self_mean, o.moderated_mean, o.gap)],
                    ", ".join(o.moderated_refs),
                ]
                for o in heatmap.over_ratings
            ],
        )
        if heatmap.over_ratings
        else para("No agency rated a standard above QA's moderation."),
    ]
    return flow


def _by_group(
    heatmap: Heatmap,
    chart: Callable[[GroupSummary, Heatmap], charts.Chart],
    table_of: Callable[[GroupSummary, Heatmap], Table],
) -> list[Flowable]:
    """The statutory groups' charts with their tables, then each sector's table: the same order
    for ratings and for scores."""
    flow: list[Flowable] = []
    for group in heatmap.by_statutory:
        if group.agencies:
            flow += chart_with_table(chart(group, heatmap), table_of(group, heatmap), beside=False)
    flow.append(para("By sector", "h1"))
    for group in heatmap.by_sector:
        flow += [
            para(f"{group.group} ({group.agencies} {'agency' if group.agencies == 1 else 'agencies'})", "h2"),
            table_of(group, heatmap),
        ]
    return flow


def _measures_table(summary: GroupSummary, heatmap: Heatmap):
    """A group's measures by standard and over all standards, self-assessed beside moderated."""
    scale = heatmap.scale
    shown = ["Mean", "Median", f"Met ({scale.met_words}) %", "Moderated mean", "Moderated median", "Moderated met %", "Gap"]
    rows = [
        [f"{s.number} {s.title}", *_measure_words(summary.measures[s.number], scale)] for s in heatmap.standards
    ] + [["All standards", *_measure_words(summary.overall, scale)]]
    return table(["Standard", *shown], rows)


def _measure_words(pair, scale: reports.ScaleFacts) -> list[str]:
    """The seven figures of a pair as printed: "2.5", "85%", "83.3%"; a dash where nothing was scored."""
    own, after = pair.self_assessed, pair.moderated
    share = lambda m: "–" if m.share_met is None else f"{m.share_met:g}%"  # noqa: E731
    number = lambda v: "–" if v is None else scale.number(v)  # noqa: E731
    return [
        number(own.mean), number(own.median), share(own),
        number(after.mean), number(after.median), share(after),
        number(pair.gap),
    ]


def _scores_section(heatmap: Heatmap) -> list[Flowable]:
    """The ratings on a numeric scale: means, medians and the share met per standard, the bands,
    each agency's mean on the ramp, and where QA moderated an agency's scores down."""
    scale = heatmap.scale
    flow: list[Flowable] = [
        para("Ratings against the standards", "h1"),
        para(
            f"Scores on the {heatmap.scale_name} scale, from {heatmap.overall.agencies} submitted returns; "
            f"{heatmap.awaiting} returns are not submitted yet and are not counted. A standard's score is the mean "
            f"of its elements' scores, and an element is met at {scale.met_words}; Not applicable elements are left out."
        ),
    ]
    flow += chart_with_table(
        charts.measures_by_standard(heatmap.overall, heatmap), _measures_table(heatmap.overall, heatmap), beside=False
    )
    bands = charts.bands_by_standard(heatmap.overall, heatmap)
    flow += chart_with_table(
        bands,
        table(
            ["Standard", *scale.band_labels],
            [[f"{s.number} {s.title}", *heatmap.overall.measures[s.number].self_assessed.bands] for s in heatmap.standards],
        ),
        beside=False,
    )
    flow += _by_group(heatmap, charts.measures_by_standard, _measures_table)
    flow += [
        para("Each agency's score of each standard", "h1"),
        para(
            "The mean score of the standard's elements, self-assessed; where QA moderated, QA's mean follows. "
            "Shading runs from the lowest score (darkest) to the highest: "
            + "; ".join(words for _, words in charts.ramp_legend(scale))
            + "."
        ),
    ]
    backgrounds = {}
    rows = []
    for y, row in enumerate(heatmap.rows, start=1):
        cells = []
        for x, standard in enumerate(heatmap.standards, start=1):
            pair = row.cells[standard.number].measures
            own, after = pair.self_assessed.mean, pair.moderated.mean
            text = scale.number(own) if own is not None else "Not scored"
            if after is not None and after != own:
                text += f" (QA: {scale.number(after)})"
            if own is not None:
                backgrounds[(x, y)] = _light(charts.ramp_colour(scale, own))
            cells.append(text)
        rows.append([
            row.agency_name,
            *cells,
            f"{scale.number(row.overall.self_assessed.mean)} (median {scale.number(row.overall.self_assessed.median)})",
        ])
    flow.append(
        table(["Agency", *[f"Standard {s.number}" for s in heatmap.standards], "All standards"], rows, backgrounds=backgrounds)
    )
    flow += _over_ratings_table(heatmap)
    return flow


def _over_ratings_table(heatmap: Heatmap) -> list[Flowable]:
    return [
        para("Where agencies rated themselves above QA's moderation", "h2"),
        table(measure_tables.OVER_RATING_HEADERS[:7], [measure_tables.over_rating_row(o)[:7] for o in heatmap.over_ratings])
        if heatmap.over_ratings
        else para("No agency rated an element above QA's moderation."),
    ]


def _light(colour: str) -> str:
    """The rating's colour mixed with white, so the cell's words stay easy to read."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(v + (255 - v) * 0.6):02x}" for v in (r, g, b))


def _year_on_year_section(history: reports.YearOnYear) -> list[Flowable]:
    flow: list[Flowable] = [para("Year on year", "h1")]
    if len(history.cycles) < 2:
        return flow + [para("This is the first cycle, so there is nothing earlier to compare with.")]
    before, now = history.cycles[-2].name, history.cycles[-1].name
    numbers = [s.number for s in history.standards]
    changes = [[sum(row.change[n] == key for row in history.rows) for key in ("improved", "same", "declined")] for n in numbers]
    flow += chart_with_table(
        charts.year_on_year_changes(history),
        table(["Standard", "Improved", "Same", "Declined"], [[n, *c] for n, c in zip(numbers, changes, strict=True)]),
        beside=True,
    )
    scale = history.scale
    if scale is not None and scale.numeric:
        flow += [
            para("Each standard, year by year", "h2"),
            table(
                [
                    "Cycle", "Standard", "Mean", "Median", f"Met ({scale.met_words}) %",
                    "Moderated mean", "Moderated median", "Moderated met %", "Gap",
                ],
                [
                    [c.name, f"{s.number} {s.title}", *_measure_words(pair, scale)]
                    for s in history.standards
                    for c, pair in zip(history.cycles, history.by_standard[s.number], strict=True)
                    if pair is not None
                ],
            ),
            para(f"Each agency's self-assessed mean score, {before} → {now}", "h2"),
            table(
                ["Agency", *[f"Standard {n}" for n in numbers]],
                [
                    [
                        row.agency_name,
                        *[" → ".join(scale.number(m) if m is not None else "–" for m in row.means[n][-2:]) for n in numbers],
                    ]
                    for row in history.rows
                ],
            ),
        ]
        return flow
    flow += [
        para(f"Each agency's self-assessed rating, {before} → {now}", "h2"),
        table(
            ["Agency", *[f"Standard {n}" for n in numbers]],
            [
                [row.agency_name, *[" → ".join(r.label if r else "–" for r in row.ratings[n][-2:]) for n in numbers]]
                for row in history.rows
            ],
        ),
    ]
    return flow


def _actions_section(plans: reports.ActionPlans) -> list[Flowable]:
    headers = ["Open", "Of which overdue", "Completed", "Cancelled", "All"]
    counts = lambda c: [c.open, c.overdue, c.completed, c.cancelled, c.total]  # noqa: E731
    flow: list[Flowable] = [Spacer(1, 6), para("Action plans", "h1")]
    flow += chart_with_table(
        charts.actions_by_standard(plans),
        table(
            ["Standard", *headers],
            [[f"{r.standard.number} {r.standard.title}", *counts(r.counts)] for r in plans.by_standard]
            + [["All standards", *counts(plans.total)]],
        ),
        beside=False,
    )
    flow += [
        para("By agency", "h2"),
        table(
            ["Agency", *headers],
            [[a.agency_name, *counts(a.counts)] for a in plans.by_agency],
        )
        if plans.by_agency
        else para("No submitted plan has an action."),
    ]
    return flow
