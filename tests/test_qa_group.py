"""The QA sub-group working as a group, on SQLite and PostgreSQL: returns picked by sector or
statutory status, several at once with the reason, and the QA reviewers told."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from models import Challenge, OutboxMessage, QaSelection, User
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, launch_cycle, questions_of
from workflow.answering import returns
from workflow.clock import today
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.reporting.agenda_pack import agenda_pack_pdf
from workflow.reporting.feedback_pdf import feedback_letter_pdf
from workflow.review import good_practice, intelligence, plan_samples, qa, qa_meetings, qa_picks


@pytest.fixture
def submitted_cycle(engine, session, partnership):
    """Three agencies in the cycle: health (statutory) and the youth club submitted, police not yet."""
    p = partnership
    police = add_agency(session, name="Met Police Hackney", sector="Police", statutory=True)
    police_user = add_person(session, name="Pat Police", roles={Role.AGENCY_USER}, agency=police)
    cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"], police], template=p["template"])
    by_agency = {r.agency_id: r for r in launched}
    for user, agency in ((p["agency_user"], p["health"]), (p["youth_user"], p["youth"])):
        statutory = agency.statutory
        answer_everything(engine, user, by_agency[agency.id].id, questions_of(session, p["template"], statutory=statutory))
        act(engine, returns.submit, user, by_agency[agency.id].id, declaration_confirmed=True)
    return {**p, "cycle": cycle, "police": police, "police_user": police_user, "returns": by_agency}


def test_coordinator_picks_the_statutory_returns_at_once_with_the_reason(engine, session, submitted_cycle):
    c = submitted_cycle
    statutory = qa_picks.pick_page(session, c["cycle"].id, statutory="yes")
    assert [x.agency_name for x in statutory.candidates] == ["Hackney Health Trust"]
    health_sector = qa_picks.pick_page(session, c["cycle"].id, sector="Voluntary")
    assert [x.agency_name for x in health_sector.candidates] == ["Hackney Youth Club"]
    police_return = c["returns"][c["police"].id]

    with pytest.raises(DomainError) as refused:
        act(engine, qa_picks.pick_several, c["coordinator"], c["cycle"].id, [police_return.id], reason=" ")
    assert refused.value.reasons == [
        "Met Police Hackney's return is invited: only a submitted return can be picked.",
        "Give the reason these returns are picked for QA.",
    ]
    with pytest.raises(DomainError, match="Only a coordinator or a QA reviewer can pick returns for QA"):
        act(engine, qa_picks.pick_several, c["agency_user"], c["cycle"].id, [], reason="x")

    ids = [c["returns"][c["health"].id].id, c["returns"][c["youth"].id].id]
    act(engine, qa_picks.pick_several, c["coordinator"], c["cycle"].id, ids, reason="The Board asked for a thematic look")
    session.expire_all()
    reasons = set(session.exec(select(QaSelection.reason).where(QaSelection.return_id.in_(ids))))
    assert reasons == {"The Board asked for a thematic look"}
    [told] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "qa_returns_picked")).all()
    assert told.to_email == "quinn.reviewer@example.org"
    assert "Hackney Health Trust" in told.text_body and "Hackney Youth Club" in told.text_body

    with pytest.raises(DomainError, match="Hackney Health Trust's return is already picked for QA"):
        act(engine, qa_picks.pick_several, c["coordinator"], c["cycle"].id, ids[:1], reason="Again")


def test_qa_reviewers_are_told_of_a_dip_sample_drawn_for_them(engine, session, submitted_cycle):
    c = submitted_cycle
    act(engine, qa.draw_dip_sample, c["coordinator"], c["cycle"].id, count=1, seed="fixed")
    session.expire_all()
    [told] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "qa_returns_picked")).all()
    assert "Random dip sample: 1 of 2 submitted returns, seed fixed" in told.text_body


def test_on_accepting_the_agency_gets_a_feedback_letter_by_email_and_as_a_pdf(engine, session, submitted_cycle):
    c = submitted_cycle
    ret = c["returns"][c["health"].id]
    question = questions_of(session, c["template"])[0]
    act(engine, qa.raise_challenge, c["qa"], ret.id, text="How do you know staff read the policy?", question_id=question.id)
    act(engine, qa.answer_challenge, c["agency_user"], _challenge_id(session, ret.id), response="A quiz in March: 92%.")
    act(engine, qa.moderate, c["qa"], ret.id, question.id, rating="partly_met")
    with pytest.raises(NotFound):
        feedback_letter_pdf(session, ret.id)
    act(engine, qa.accept, c["qa"], ret.id, note="A thorough return; training evidence is thin.")

    session.expire_all()
    [letter] = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "qa_feedback")).all()
    assert letter.to_email == "alex.agency@example.org"
    body = letter.text_body
    assert "Summary from Quinn Reviewer:\nA thorough return; training evidence is thin." in body
    assert f"- {question.ref}: you rated it Fully met; QA moderated it to Partly met" in body
    assert "How do you know staff read the policy?\n  Your answer: A quiz in March: 92%." in body
    assert f"/returns/{ret.id}/qa-feedback.pdf" in body

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(feedback_letter_pdf(session, ret.id))).pages)
    assert "QA feedback" in text and "A quiz in March: 92%." in text and "Partly met" in text


def _challenge_id(session, return_id: int) -> int:
    return session.exec(select(Challenge.id).where(Challenge.return_id == return_id)).first()


def test_a_qa_meeting_is_planned_with_an_agenda_pack_and_recorded_with_a_decision_per_return(
    engine, session, submitted_cycle
):
    c = submitted_cycle
    health, youth = c["returns"][c["health"].id], c["returns"][c["youth"].id]
    act(engine, qa_picks.pick_several, c["coordinator"], c["cycle"].id, [health.id, youth.id], reason="Thematic look")
    with pytest.raises(DomainError) as refused:
        act(engine, qa_meetings.plan_meeting, c["qa"], c["cycle"].id, held_on=None, return_ids=[])
    assert refused.value.reasons == ["Give the date of the meeting.", "Choose the returns the meeting will discuss."]
    police = c["returns"][c["police"].id]
    with pytest.raises(DomainError, match=f"Return {police.id} was not picked for QA in this cycle"):
        act(engine, qa_meetings.plan_meeting, c["qa"], c["cycle"].id, held_on=today(), return_ids=[police.id])
    meeting = act(engine, qa_meetings.plan_meeting, c["qa"], c["cycle"].id, held_on=today() + timedelta(days=7),
                  return_ids=[health.id, youth.id])
    assert _mail(session, "qa_meeting_planned") == {"quinn.reviewer@example.org"}

    pack = PdfReader(io.BytesIO(agenda_pack_pdf(session, meeting.id)))
    text = "".join(page.extract_text() for page in pack.pages)
    assert "agenda pack" in text and "Thematic look" in text
    assert "Hackney Health Trust: Section 11 return" in text and "Hackney Youth Club: Section 11 return" in text

    with pytest.raises(DomainError) as refused:
        act(engine, qa_meetings.record_meeting, c["qa"], meeting.id, member_ids=[], decisions={health.id: "Accept"})
    assert refused.value.reasons == [
        "Choose the members present.",
        "Give the meeting's decision on Hackney Youth Club's return.",
    ]
    act(engine, qa_meetings.record_meeting, c["qa"], meeting.id, member_ids=[c["qa"].id, c["coordinator"].id],
        decisions={health.id: "Accept once training evidence arrives", youth.id: "Challenge standard 5"})
    view = qa_meetings.meeting_view(session, meeting.id)
    assert sorted(view.present) == ["Cora Ordinator", "Quinn Reviewer"]
    assert {i.agency_name: i.decision for i in view.items} == {
        "Hackney Health Trust": "Accept once training evidence arrives",
        "Hackney Youth Club": "Challenge standard 5",
    }
    decisions = [r.reason for r in history.for_return(session, health.id) if r.trigger == "qa_meeting_decision"]
    assert decisions == ["Accept once training evidence arrives"]
    assert "cora.ordinator@example.org" in _mail(session, "qa_meeting_recorded")
    with pytest.raises(DomainError, match="already recorded"):
        act(engine, qa_meetings.record_meeting, c["qa"], meeting.id, member_ids=[c["qa"].id],
            decisions={health.id: "x", youth.id: "y"})


def _mail(session, kind: str) -> set[str]:
    session.expire_all()
    return set(session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))


@pytest.fixture
def live_plans(engine, session, partnership):
    """Health and the youth club submitted with Partly met everywhere and actions; both plans live."""
    p = partnership
    cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    youth_lead = add_person(session, name="Yara Lead", roles={Role.LEAD_PERSON}, agency=p["youth"])
    for ret in launched:
        user, lead, statutory = (
            (p["agency_user"], p["lead"], True) if ret.agency_id == p["health"].id else (p["youth_user"], youth_lead, False)
        )
        questions = questions_of(session, p["template"], statutory=statutory)
        answer_everything(engine, user, ret.id, questions, rating="partly_met", lead=lead)
        act(engine, returns.submit, user, ret.id, declaration_confirmed=True)
        act(engine, qa.release_without_qa, p["coordinator"], ret.id)
    return {**p, "cycle": cycle, "returns": launched}


def test_a_recorded_reproducible_dip_sample_of_live_action_plans_each_reviewed(engine, session, live_plans):
    c = live_plans
    with pytest.raises(DomainError, match="Draw at least one action plan"):
        act(engine, plan_samples.draw_plan_sample, c["qa"], c["cycle"].id, count=0)
    sample = act(engine, plan_samples.draw_plan_sample, c["qa"], c["cycle"].id, count=1, seed="board-2026")
    view = plan_samples.sample_view(session, c["cycle"].id)
    [line] = view.lines
    # Anyone can repeat the draw from the recorded seed over the same pool, and gets the same plan.
    [again] = plan_samples.draw(plan_samples.sample_pool(session, c["cycle"].id), 1, sample.seed)
    assert again.id == line.return_id and view.pool_size == 2
    assert line.open_actions > 0
    assert "Dip sample of action plans: 1 of 2 live plans, seed board-2026" in _body(session, "qa_returns_picked")
    with pytest.raises(DomainError, match="already sampled"):
        act(engine, plan_samples.draw_plan_sample, c["coordinator"], c["cycle"].id, count=1)

    with pytest.raises(DomainError, match="Write the review of the action plan"):
        act(engine, plan_samples.review_sampled_plan, c["qa"], line.sampled_id, review=" ")
    with pytest.raises(DomainError, match="Only a QA reviewer can review a sampled action plan"):
        act(engine, plan_samples.review_sampled_plan, c["coordinator"], line.sampled_id, review="Fine")
    act(engine, plan_samples.review_sampled_plan, c["qa"], line.sampled_id, review="On track; evidence of progress given.")
    [reviewed] = plan_samples.sample_view(session, c["cycle"].id).lines
    assert reviewed.review == "On track; evidence of progress given."
    triggers = [r.trigger for r in history.for_return(session, line.return_id)]
    assert triggers[-2:] == ["sample_action_plan", "review_action_plan"]


def _body(session, kind: str) -> str:
    session.expire_all()
    return "\n".join(session.exec(select(OutboxMessage.text_body).where(OutboxMessage.kind == kind)))


def test_intelligence_is_logged_shown_beside_the_return_and_offered_as_the_reason_for_a_pick(
    engine, session, submitted_cycle
):
    c = submitted_cycle
    with pytest.raises(DomainError) as refused:
        act(engine, intelligence.add_entry, c["qa"], agency_id=c["health"].id, sector="Health", source=" ",
            received_on=today() + timedelta(days=1), summary="", standards="3, five", visibility="everyone")
    assert refused.value.reasons == [
        "Say what the intelligence is about: one agency, or a whole sector.",
        "Give the source, for example a case review, an inspection or a complaint.",
        "The date of the intelligence cannot be in the future.",
        "Write a summary of the intelligence.",
        "Give the standards it touches as numbers separated by commas, for example 3, 5.",
        "Choose who may see the intelligence.",
    ]
    review = act(engine, intelligence.add_entry, c["coordinator"], agency_id=c["health"].id, sector="",
                 source="Rapid review", received_on=today(), summary="Information was not shared with police",
                 standards="8, 7", visibility="qa")
    act(engine, intelligence.add_entry, c["coordinator"], agency_id=None, sector="Health", source="Inspection",
        received_on=today(), summary="Sector-wide training gaps", standards="", visibility="coordinators")

    qa_reviewer = session.get(User, c["qa"].id)
    coordinator = session.get(User, c["coordinator"].id)
    health = c["returns"][c["health"].id]
    assert [e.entry.summary for e in intelligence.for_return(session, qa_reviewer, health)] == [
        "Information was not shared with police"
    ]
    assert len(intelligence.for_return(session, coordinator, health)) == 2  # the coordinators-only entry too
    assert review.standards == ["7", "8"]

    act(engine, qa_picks.pick_several, c["qa"], c["cycle"].id, [health.id], reason="Board asked", intelligence_id=review.id)
    session.expire_all()
    reason = session.exec(select(QaSelection.reason).where(QaSelection.return_id == health.id)).one()
    when = f"{today().day} {today():%B %Y}"
    assert reason == f"Intelligence (Rapid review, {when}): Information was not shared with police Board asked"


def test_qa_shares_an_answer_as_good_practice_with_consent_and_agencies_browse_it_by_standard(
    engine, session, submitted_cycle
):
    c = submitted_cycle
    health = c["returns"][c["health"].id]
    question = questions_of(session, c["template"])[0]
    with pytest.raises(DomainError) as refused:
        act(engine, good_practice.mark, c["qa"], health.id, question_id=None, evidence_file_id=None, note=" ",
            consent_given_by="", consent_confirmed=False)
    assert refused.value.reasons == [
        "Choose the question whose answer is good practice.",
        "Say why it is good practice, for the agencies who will read it.",
        "Give the name and role of the person at the agency who agreed to share it.",
        "Confirm the agency agreed to share it with the partnership's agencies.",
    ]
    with pytest.raises(DomainError, match="Only a coordinator or a QA reviewer can mark good practice"):
        act(engine, good_practice.mark, c["agency_user"], health.id, question_id=question.id, evidence_file_id=None,
            note="Ours is great", consent_given_by="Me", consent_confirmed=True)
    act(engine, good_practice.mark, c["qa"], health.id, question_id=question.id, evidence_file_id=None,
        note="A named board lead with quarterly reports", consent_given_by="Erin Executive, chief executive",
        consent_confirmed=True)
    assert "alex.agency@example.org" in _mail(session, "good_practice_marked")
    [item] = good_practice.library(session, standard="1")
    assert (item.agency_name, item.question_ref, item.note) == (
        "Hackney Health Trust", question.ref, "A named board lead with quarterly reports"
    )
    assert good_practice.library(session, standard="2") == []
    assert [r.trigger for r in history.for_return(session, health.id)][-1] == "mark_good_practice"
