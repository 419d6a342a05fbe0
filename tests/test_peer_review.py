"""Year two's re-audit by peer review, on SQLite and PostgreSQL: the coordinator pairs the return
with a named reviewer at a peer organisation, the reviewer says standard by standard whether they
agree and submits, QA and the agency see it, the agency answers; every step in the history and
the outbox."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from models import AuditReturn, OutboxMessage, PeerReview, PeerReviewFinding, User
from models.cycle import CycleKind
from models.peer_review import PeerReviewState
from models.user import Role
from tests.factories import act, add_person, answer_everything, launch_cycle, questions_of
from workflow.access import visible_return
from workflow.answering import content as return_content
from workflow.answering import returns
from workflow.calendar import cycles
from workflow.clock import today
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.lifecycle.machines import PEER_REVIEW_LIFECYCLE
from workflow.review import peer_review_view, peer_reviews, statements
from workflow.review.peer_reviews import StandardFinding

YUSUF = "yusuf.youth@example.org"


@pytest.fixture
def year_two(engine, session, partnership):
    """Health's year one is closed; in year two its executive chose a re-audit by peer review."""
    p = partnership
    year_one, _ = launch_cycle(
        engine, p["coordinator"], [p["health"]], template=p["template"], name="Section 11 audit 2025-26",
        opens_on=today() - timedelta(days=400),
    )
    act(engine, cycles.close, p["coordinator"], year_one.id)
    cycle, launched = launch_cycle(
        engine, p["coordinator"], [p["health"]], template=p["template"], name="Section 11 statement 2026-27",
        kind=CycleKind.STATEMENT_YEAR, previous_cycle_id=year_one.id,
    )
    ret = launched[0]
    act(engine, statements.choose_peer_review, p["executive"], ret.id, reason="New leadership team")
    return {**p, "cycle": cycle, "return": ret}


def _arrange(engine, p, **overrides):
    values = {
        "peer_agency_id": p["youth"].id,
        "reviewer_id": p["youth_user"].id,
        "starts_on": today(),
        "ends_on": today() + timedelta(days=30),
    }
    return act(engine, peer_reviews.arrange, p["coordinator"], p["return"].id, **{**values, **overrides})


def _submit_return(engine, session, p):
    answer_everything(engine, p["agency_user"], p["return"].id, questions_of(session, p["template"]))
    act(engine, returns.submit, p["agency_user"], p["return"].id, declaration_confirmed=True)


def _findings(session, p, *, disagree_on: str | None = None) -> list[StandardFinding]:
    content = return_content.load(session, session.get(AuditReturn, p["return"].id))
    return [
        StandardFinding(
            s.number,
            s.number != disagree_on,
            findings="Training records show 60% coverage, not full" if s.number == disagree_on else "",
            recommendations="Set a training target" if s.number == disagree_on else "",
        )
        for s in content.standards
    ]


def _mail(session, kind: str) -> set[str]:
    session.expire_all()
    return set(session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))


def test_coordinator_pairs_the_return_with_a_reviewer_at_a_peer_organisation(engine, session, year_two):
    p = year_two
    with pytest.raises(DomainError) as refused:
        _arrange(engine, p, peer_agency_id=p["health"].id, reviewer_id=p["lead"].id,
                 starts_on=today(), ends_on=today() - timedelta(days=1))
    assert refused.value.reasons == [
        "Choose a peer organisation other than the one whose return is reviewed.",
        "The review must end on or after the day it starts.",
    ]
    with pytest.raises(DomainError) as refused:
        _arrange(engine, p, reviewer_id=p["lead"].id, starts_on=None, ends_on=None)
    assert refused.value.reasons == [
        "Lee Lead does not work at Hackney Youth Club: choose a reviewer from the peer organisation.",
        "Give the date the review starts.",
        "Give the date the review ends.",
    ]
    with pytest.raises(DomainError, match="Only a coordinator can arrange a peer review"):
        act(engine, peer_reviews.arrange, p["qa"], p["return"].id, peer_agency_id=p["youth"].id,
            reviewer_id=p["youth_user"].id, starts_on=today(), ends_on=today())

    review = _arrange(engine, p)
    assert review.status == PeerReviewState.ARRANGED
    assert _mail(session, "peer_review_request") == {YUSUF}
    assert _mail(session, "peer_review_arranged") == {"alex.agency@example.org", "erin.executive@example.org"}
    with pytest.raises(DomainError, match="already has a peer review under way"):
        _arrange(engine, p)
    records = [r for r in history.for_return(session, p["return"].id) if r.subject_type == "peer_review"]
    assert [(r.trigger, r.to_state, r.actor_name) for r in records] == [("peer_review_arrange", "arranged", "Cora Ordinator")]


def test_a_return_nobody_chose_for_peer_review_and_not_yet_submitted_cannot_be_paired(engine, session, partnership):
    p = partnership
    _cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"]], template=p["template"])
    with pytest.raises(DomainError, match="Only a submitted return, or one whose executive chose a re-audit"):
        act(engine, peer_reviews.arrange, p["coordinator"], launched[0].id, peer_agency_id=p["youth"].id,
            reviewer_id=p["youth_user"].id, starts_on=today(), ends_on=today())


def test_the_reviewer_sees_that_return_only_and_only_during_the_review_dates(engine, session, year_two):
    p = year_two
    review = _arrange(engine, p, starts_on=today() + timedelta(days=2), ends_on=today() + timedelta(days=9))
    reviewer = session.get(User, p["youth_user"].id)
    # Not the agency's own return pages: the reviewer holds no role at Hackney Health Trust.
    with pytest.raises(NotFound):
        visible_return(session, reviewer, p["return"].id)
    # Nobody but the named reviewer finds the review, not even another person at the peer agency.
    other = add_person(session, name="Olu Other", roles={Role.AGENCY_USER}, agency=p["youth"])
    with pytest.raises(NotFound):
        peer_review_view.reviewer_page(session, other, review.id)
    before = peer_review_view.reviewer_page(session, reviewer, review.id)
    assert not before.open_now and before.content is None
    during = peer_review_view.reviewer_page(session, reviewer, review.id, on=today() + timedelta(days=2))
    assert during.open_now and during.content.agency.name == "Hackney Health Trust"
    after = peer_review_view.reviewer_page(session, reviewer, review.id, on=today() + timedelta(days=10))
    assert not after.open_now


def test_reviewer_submits_a_view_of_every_standard_and_the_agency_answers(engine, session, year_two):
    p = year_two
    review = _arrange(engine, p)
    with pytest.raises(DomainError) as refused:
        act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=_findings(session, p), summary="Fine")
    assert refused.value.reasons == ["The agency has not submitted its return yet: the review can be submitted once it has."]
    _submit_return(engine, session, p)

    findings = _findings(session, p, disagree_on="5")
    incomplete = [f for f in findings if f.standard != "2"]
    incomplete = [StandardFinding(f.standard, f.agrees) if f.standard == "5" else f for f in incomplete]
    with pytest.raises(DomainError) as refused:
        act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=incomplete, summary=" ")
    assert refused.value.reasons == [
        "Say whether you agree with the agency's rating of standard 2.",
        "Give your findings for standard 5, where you do not agree with the rating.",
        "Write a summary of the review.",
    ]
    with pytest.raises(NotFound):
        act(engine, peer_reviews.submit, p["agency_user"], review.id, findings=findings, summary="Mine")

    act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=findings,
        summary="A committed organisation; training needs a target.")
    session.expire_all()
    saved = session.exec(select(PeerReviewFinding).where(PeerReviewFinding.review_id == review.id)).all()
    assert {f.standard_number for f in saved if not f.agrees} == {"5"}
    assert _mail(session, "peer_review_submitted") >= {"alex.agency@example.org", "cora.ordinator@example.org",
                                                       "quinn.reviewer@example.org"}
    # QA and the agency see it beside the return.
    content = return_content.load(session, session.get(AuditReturn, p["return"].id))
    [shown] = peer_review_view.reviews_of_return(session, content)
    assert shown.reviewer_name == "Yusuf Youth" and shown.peer_agency_name == "Hackney Youth Club"
    assert [(line.number, line.finding.agrees) for line in shown.standards if line.number == "5"] == [("5", False)]

    with pytest.raises(DomainError, match="Only an agency user can answer the peer review"):
        act(engine, peer_reviews.answer, p["executive"], review.id, response="Agreed")
    with pytest.raises(DomainError, match="Write your answer to the peer review"):
        act(engine, peer_reviews.answer, p["agency_user"], review.id, response="  ")
    act(engine, peer_reviews.answer, p["agency_user"], review.id, response="We will set a 90% training target.")
    session.expire_all()
    assert session.get(PeerReview, review.id).status == PeerReviewState.ANSWERED
    assert _mail(session, "peer_review_answered") >= {YUSUF, "cora.ordinator@example.org"}
    triggers = [r.trigger for r in history.for_return(session, p["return"].id) if r.subject_type == "peer_review"]
    assert triggers == ["peer_review_arrange", "peer_review_submit", "peer_review_answer"]
    count, problems = history.verify(session)
    assert problems == []


def test_a_review_can_be_submitted_only_between_its_dates_and_once(engine, session, year_two):
    p = year_two
    _submit_return(engine, session, p)
    review = _arrange(engine, p, starts_on=today(), ends_on=today() + timedelta(days=3))
    with freeze_time(today() + timedelta(days=4)):
        with pytest.raises(DomainError, match="The review is open from"):
            act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=_findings(session, p), summary="Late")
    act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=_findings(session, p), summary="On time")
    with pytest.raises(DomainError, match="You cannot submit the peer review because the peer review is submitted"):
        act(engine, peer_reviews.submit, p["youth_user"], review.id, findings=_findings(session, p), summary="Again")


def test_coordinator_cancels_an_arranged_review_and_may_arrange_another(engine, session, year_two):
    p = year_two
    review = _arrange(engine, p)
    with pytest.raises(DomainError, match="Give the reason"):
        act(engine, peer_reviews.cancel, p["coordinator"], review.id, reason="")
    act(engine, peer_reviews.cancel, p["coordinator"], review.id, reason="The reviewer is on leave")
    assert _mail(session, "peer_review_cancelled") == {YUSUF}
    with pytest.raises(DomainError, match="You cannot answer the peer review because the peer review is cancelled"):
        act(engine, peer_reviews.answer, p["agency_user"], review.id, response="Thanks")
    assert _arrange(engine, p).status == PeerReviewState.ARRANGED


def test_the_peer_review_lifecycle_is_one_table_drawn_as_a_diagram():
    diagram = PEER_REVIEW_LIFECYCLE.mermaid()
    assert "arranged --> submitted: submit" in diagram
    assert "submitted --> answered: answer" in diagram
    assert "arranged --> cancelled: cancel" in diagram
