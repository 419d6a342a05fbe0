"""A commissioning agency oversees the services it commissions: its people read a provider's
submitted return and plan, and comment; the provider is told, the history records it, and the
coordinator sees the same. On SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session, select

from models import Agency, CommissionerComment, HistoryRecord, OutboxMessage
from tests.factories import act, answer_everything, launch_cycle, questions_of
from workflow.access import commissioned_return
from workflow.answering import returns
from workflow.calendar import commissioned
from workflow.errors import DomainError, NotFound, NotPermitted
from workflow.lifecycle import history
from workflow.review import commissioner_comments


@pytest.fixture
def commissioned_youth(engine, session, partnership):
    """The health trust commissions the youth club; both are in a launched cycle."""
    p = partnership
    youth = session.get(Agency, p["youth"].id)
    youth.commissioned_by_id = p["health"].id
    session.add(youth)
    session.commit()
    _cycle, launched = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    return next(r for r in launched if r.agency_id == youth.id)


def test_a_commissioner_reads_a_submitted_providers_return_and_comments(engine, session, partnership, commissioned_youth):
    p, ret = partnership, commissioned_youth
    [row] = commissioned.provider_returns(session, p["executive"])
    assert (row.provider_name, row.readable, row.comments) == ("Hackney Youth Club", False, 0)
    with pytest.raises(NotFound):  # a draft is the provider's own
        act(engine, commissioner_comments.comment, p["executive"], ret.id, text="How is it going?")

    answer_everything(engine, p["youth_user"], ret.id, questions_of(session, p["template"], statutory=False))
    act(engine, returns.submit, p["youth_user"], ret.id, declaration_confirmed=True)
    with pytest.raises(DomainError) as refused:
        act(engine, commissioner_comments.comment, p["executive"], ret.id, text="  ")
    assert [r.field for r in refused.value.reasons] == ["comment"]
    act(engine, commissioner_comments.comment, p["agency_user"], ret.id, text="Please share the training figures.")

    with Session(engine) as fresh:
        told = fresh.exec(select(OutboxMessage).where(OutboxMessage.kind == "commissioner_comment")).all()
        assert [m.to_email for m in told] == [p["youth_user"].email]
        assert "Hackney Health Trust" in told[0].subject
        record = fresh.exec(select(HistoryRecord).where(HistoryRecord.return_id == ret.id)
                            .order_by(HistoryRecord.seq.desc())).first()
        assert (record.trigger, record.actor_name, record.reason) == (
            "commissioner_comment", "Alex Agency", "Please share the training figures.")
        assert history.verify(fresh)[1] == []
        [row] = commissioned.provider_returns(fresh, p["executive"])
        assert (row.readable, row.comments, row.state_title) == (True, 1, "Submitted")
        [seen] = commissioned.provider_returns(fresh, p["coordinator"])  # the coordinator sees the same
        assert (seen.commissioner_name, seen.comments) == ("Hackney Health Trust", 1)
        [comment] = commissioner_comments.comments_on(fresh, p["coordinator"], ret.id)
        assert (comment.author_name, comment.commissioner_name) == ("Alex Agency", "Hackney Health Trust")
        provider_reads = commissioner_comments.comments_on(fresh, p["youth_user"], ret.id)  # on its own return page
        assert [c.text for c in provider_reads] == ["Please share the training figures."]


def test_only_the_commissioning_agencys_people_see_and_comment(engine, session, partnership, commissioned_youth):
    p, ret = partnership, commissioned_youth
    answer_everything(engine, p["youth_user"], ret.id, questions_of(session, p["template"], statutory=False))
    act(engine, returns.submit, p["youth_user"], ret.id, declaration_confirmed=True)
    assert commissioned.provider_returns(session, p["youth_user"]) == []  # the provider commissions nobody
    with pytest.raises(NotPermitted):
        commissioned.provider_returns(session, p["qa"])
    for outsider in (p["youth_user"], p["qa"], p["coordinator"]):  # the coordinator reads, never comments
        with pytest.raises(NotFound):
            act(engine, commissioner_comments.comment, outsider, ret.id, text="Hello")
    for outsider in (p["youth_user"], p["qa"]):
        with pytest.raises(NotFound):
            commissioned_return(session, outsider, ret.id)
    assert session.exec(select(CommissionerComment)).all() == []
