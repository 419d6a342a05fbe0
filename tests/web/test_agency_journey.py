"""An agency user's year through the pages: answer a standard, be refused with the engine's reasons,
fix it, submit, see the confirmation, answer QA's challenge and provide the evidence it asks for."""

from datetime import timedelta

from sqlmodel import select

from models import Action, Answer, AuditReturn, EvidenceFile, OutboxMessage
from models.audit_return import ReturnState
from tests.factories import act, answer_everything, install_template, launch_cycle
from tests.web import return_world
from tests.web.return_world import World, date_fields, pdf, signed_in, submitted
from workflow.clock import today
from workflow.review import qa

world = return_world.world  # the shared fixture: a launched cycle with a person in every role


def _standard_path(w: World, index: int = 0) -> str:
    return f"/returns/{w.ret.id}/standards/{w.standards[index].id}"


def _status(session, w: World) -> str:
    session.expire_all()
    return session.get(AuditReturn, w.ret.id).status


def test_agency_user_completes_a_standard_is_refused_then_submits(browser, world, session, sqlite_only_engine):
    w = world
    signed_in(browser, w.agency_user)
    browser.open(f"/returns/{w.ret.id}")
    assert "Section 11 return" in browser.text
    assert "Not yet started" in browser.text
    assert "You have completed 0 of 8 standards" in browser.text

    q1, q2, *others = [q for q in w.questions if q.standard_id == w.standards[0].id]
    # A target date that is not a real date: nothing is saved and everything typed is still there.
    browser.submit(_standard_path(w), {
        f"q{q1.id}-rating": "fully_met",
        f"q{q1.id}-narrative": "Our chief nurse is the named board lead.",
        f"q{q2.id}-rating": "partly_met",
        f"q{q2.id}-narrative": "The board heard a report in 2025 but did not act on it.",
        f"q{q2.id}-new-description": "Put the safeguarding report on every March board agenda",
        f"q{q2.id}-new-lead_user_id": str(w.lead.id),
        f"q{q2.id}-new-target_date": ["31", "2", "2027"],
    }, expect=422)
    assert "There is a problem" in browser.text
    assert f"Question {q2.ref}: The target date must be a real date" in browser.text
    assert "Our chief nurse is the named board lead." in browser.text
    assert 'value="31"' in browser.page.text
    assert session.exec(select(Answer).where(Answer.return_id == w.ret.id)).first() is None

    target = today() + timedelta(days=90)
    browser.submit(_standard_path(w), {
        f"q{q1.id}-rating": "fully_met",
        f"q{q1.id}-narrative": "Our chief nurse is the named board lead.",
        f"q{q2.id}-rating": "partly_met",
        f"q{q2.id}-narrative": "The board heard a report in 2025 but did not act on it.",
        f"q{q2.id}-new-description": "Put the safeguarding report on every March board agenda",
        f"q{q2.id}-new-lead_user_id": str(w.lead.id),
        **date_fields(f"q{q2.id}-new-target_date", target),
        "next": "tasks",
    })
    assert "Standard 1 is saved." in browser.text
    assert "In progress" in browser.text
    assert _status(session, w) == ReturnState.IN_PROGRESS
    action = session.exec(select(Action).where(Action.return_id == w.ret.id)).one()
    assert (action.lead_user_id, action.target_date) == (w.lead.id, target)

    # Submitting now is refused with the engine's reasons; the ticked declaration stays ticked.
    browser.submit(f"/returns/{w.ret.id}/submit", {"confirm": "y"}, expect=422)
    assert f"Question {q1.ref} is rated Fully met but has no evidence: upload a file or describe the evidence." in browser.text
    assert f"Question {others[0].ref} is not answered." in browser.text
    assert 'checked' in browser.page.text
    assert f'/standards/{w.standards[0].id}#q{q1.id}' in browser.page.text  # each problem links to its question
    assert _status(session, w) == ReturnState.IN_PROGRESS

    # The check page lists the same problems and offers no submit button yet.
    browser.open(f"/returns/{w.ret.id}/check")
    assert "Before you can submit" in browser.text
    assert "Continue to submit" not in browser.text

    # The agency fixes standard 1 on its page (a file of evidence for 1.1) and answers the rest.
    page = browser.open(_standard_path(w))
    assert "Put the safeguarding report on every March board agenda" in browser.text
    browser.submit(_standard_path(w), {
        f"q{q1.id}-rating": "fully_met",
        f"q{q1.id}-narrative": "Our chief nurse is the named board lead.",
        f"q{q1.id}-file": pdf("board-minutes.pdf"),
        f"q{q2.id}-rating": "partly_met",
        f"q{q2.id}-narrative": "The board heard a report in 2025 but did not act on it.",
        f"a{action.id}-description": "Put the safeguarding report on every March board agenda",
        f"a{action.id}-lead_user_id": str(w.lead.id),
        **date_fields(f"a{action.id}-target_date", target),
        "next": "stay",
    })
    assert page.status_code == 200
    assert "board-minutes.pdf" in browser.text
    answer_everything(sqlite_only_engine, w.agency_user, w.ret.id, [q for q in w.questions if q.id not in (q1.id, q2.id)])

    browser.open(f"/returns/{w.ret.id}")
    assert "You have completed 8 of 8 standards" in browser.text
    browser.open(f"/returns/{w.ret.id}/check")
    assert "Before you can submit" not in browser.text
    assert "Continue to submit" in browser.text

    browser.submit(f"/returns/{w.ret.id}/submit", {"confirm": "y"})
    assert "Return submitted" in browser.text
    assert f"S11-{w.ret.id}" in browser.text
    assert "Alex Agency submitted the return on behalf of the organisation" in browser.text
    assert _status(session, w) == ReturnState.SUBMITTED

    # Afterwards the standard's page is read-only and says why.
    browser.open(_standard_path(w))
    assert "You cannot change the answers because the return is submitted." in browser.text
    assert "Save and return" not in browser.text


def test_agency_user_answers_a_challenge_and_provides_evidence_with_a_file(browser, world, session, sqlite_only_engine):
    w = world
    submitted(w, sqlite_only_engine)
    question = w.questions[0]
    challenge = act(sqlite_only_engine, qa.raise_challenge, w.qa, w.ret.id, text="How do you know managers apply it?",
                    question_id=question.id)
    request = act(sqlite_only_engine, qa.request_evidence, w.qa, w.ret.id, description="The 2026 training register",
                  due_date=today() + timedelta(days=14), question_id=question.id)
    signed_in(browser, w.agency_user)

    browser.open(f"/returns/{w.ret.id}/challenges")
    assert "How do you know managers apply it?" in browser.text
    browser.submit(f"/returns/{w.ret.id}/challenges/{challenge.id}", {f"c{challenge.id}-response": ""},
                   form_page=f"/returns/{w.ret.id}/challenges", expect=422)
    assert "Write your answer to the challenge." in browser.text
    browser.submit(f"/returns/{w.ret.id}/challenges/{challenge.id}",
                   {f"c{challenge.id}-response": "Supervision audits every quarter."},
                   form_page=f"/returns/{w.ret.id}/challenges")
    assert "Your answer was sent to the QA sub-group." in browser.text
    assert "Supervision audits every quarter." in browser.text

    browser.open(f"/returns/{w.ret.id}/evidence-requests")
    assert "The 2026 training register" in browser.text
    browser.submit(f"/returns/{w.ret.id}/evidence-requests/{request.id}",
                   {f"e{request.id}-response": "Register attached: 94% trained.", f"e{request.id}-files": pdf("register.pdf")},
                   form_page=f"/returns/{w.ret.id}/evidence-requests")
    assert "The evidence was sent to the QA sub-group." in browser.text
    assert "register.pdf" in browser.text
    assert _status(session, w) == ReturnState.UNDER_QA_CHALLENGE
    stored = session.exec(select(EvidenceFile).where(EvidenceFile.evidence_request_id == request.id)).one()
    assert stored.filename == "register.pdf"


def test_agency_user_emails_themself_a_copy_of_the_return(browser, world, session, sqlite_only_engine):
    w = world
    submitted(w, sqlite_only_engine)
    signed_in(browser, w.agency_user)
    browser.submit(f"/returns/{w.ret.id}/email-copy", form_page=f"/returns/{w.ret.id}")
    assert "A copy of the return is on its way to alex.agency@example.org" in browser.text
    message = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "return_copy")).one()
    assert message.to_email == "alex.agency@example.org"
    assert "Rating: Partly met" in message.text_body
    assert "Action: Train the board; lead: Lee Lead" in message.text_body
    assert f"/returns/{w.ret.id}" in message.text_body


def test_the_history_lists_every_move_oldest_first_and_marks_the_current_state(browser, world, sqlite_only_engine):
    w = world
    submitted(w, sqlite_only_engine)
    signed_in(browser, w.agency_user)
    browser.open(f"/returns/{w.ret.id}/history")
    text = browser.text
    launched, started = text.index("Invite the agency (the cycle was launched)"), text.index("Start the return")
    assert launched < started < text.index("Submit the return")
    assert "Submitted (the return is here now)" in text
    assert 'aria-current="step"' in browser.page.text
    assert "stateDiagram-v2" in browser.page.text


def test_the_ratings_offered_are_the_templates_own(browser, world, session, sqlite_only_engine):
    """Yes/No with no Not applicable for a Wirral-style template; 0-3 with its descriptors as hints."""
    w = world
    signed_in(browser, w.agency_user)
    for filename, name, offered, absent, hint in (
        ("wirral-questions.yaml", "Wirral questions 2026", ['value="yes"', 'value="no"'], 'value="not_applicable"', None),
        ("scored-0-3.yaml", "Scored audit 2026", ['value="inadequate"', 'value="outstanding"', 'value="not_applicable"'], None,
         "No senior lead is named and safeguarding is not reported to the board."),
    ):
        template = install_template(session, filename)
        _, [ret] = launch_cycle(sqlite_only_engine, w.p.coordinator, [w.p.health], template=template, name=name)
        browser.open(f"/returns/{ret.id}")
        first = browser.page.text.split('class="govuk-link govuk-task-list__link" href="')[1].split('"')[0]
        page = browser.open(first).text
        for value in offered:
            assert value in page, (filename, value)
        if absent:
            assert absent not in page
        if hint:
            assert hint in browser.text
