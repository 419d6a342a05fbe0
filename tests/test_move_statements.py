"""How many SQL statements the moves take (issue 8): one read finds what the guards need (the
return, its version, who may move it, the history's head, the people to tell), then the return's
UPDATE, the sealed record, the move's own rows and the e-mails, each in one statement."""


from sqlmodel import select

from models import Challenge, OutboxMessage
from models.user import Role
from tests.factories import act, add_agency, add_person, answer_everything, install_template, launch_cycle, questions_of
from tests.statement_log import statements_sent
from workflow.answering import returns
from workflow.review import qa


def test_submitting_takes_six_statements(engine, session):
    alex, _qa, ret = _return_answered(engine, session)
    with statements_sent(engine, first_words=True) as statements:
        act(engine, returns.submit, alex, ret.id, declaration_confirmed=True)
    # the one read, the questions with their answers, the return, its frozen copy, its record, the e-mails
    assert statements == ["SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], statements


def test_submitting_a_return_with_actions_reads_them_once_more(engine, session):
    alex, _qa, ret = _return_answered(engine, session, with_actions=True)
    with statements_sent(engine, first_words=True) as statements:
        act(engine, returns.submit, alex, ret.id, declaration_confirmed=True)
    assert statements == ["SELECT", "SELECT", "SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"], statements


def test_challenging_a_return_not_yet_picked_takes_six_statements(engine, session):
    alex, quinn, ret = _return_answered(engine, session)
    act(engine, returns.submit, alex, ret.id, declaration_confirmed=True)
    with statements_sent(engine, first_words=True) as statements:
        act(engine, qa.raise_challenge, quinn, ret.id, text="Show us the policy")
    # the one read; the return; the challenge and the pick; both records (the pick and the move) in one; the e-mail
    assert statements == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT", "INSERT"], statements
    assert _told(session, "challenge_raised") == ["alex@example.org"]


def test_accepting_takes_six_statements(engine, session):
    alex, quinn, ret = _return_answered(engine, session)
    act(engine, returns.submit, alex, ret.id, declaration_confirmed=True)
    act(engine, qa.raise_challenge, quinn, ret.id, text="Show us the policy")
    challenge_id = session.exec(select(Challenge.id).where(Challenge.return_id == ret.id)).one()
    act(engine, qa.answer_challenge, alex, challenge_id, response="Attached to the minutes")
    with statements_sent(engine, first_words=True) as statements:
        act(engine, qa.accept, quinn, ret.id, note="Well evidenced")
    # the one read (with how many challenges there are and are answered), the return, its record,
    # the answered challenges closed and read back, the questions and answers the letter quotes,
    # both e-mails in one
    assert statements == ["SELECT", "UPDATE", "INSERT", "UPDATE", "SELECT", "INSERT"], statements
    assert _told(session, "qa_feedback") == ["alex@example.org"]
    assert session.get(Challenge, challenge_id).status == "closed"
    letter = session.exec(select(OutboxMessage.text_body).where(OutboxMessage.kind == "qa_feedback")).one()
    assert "Attached to the minutes" in letter  # the challenge closed is the one the letter quotes


def _return_answered(engine, session, *, with_actions: bool = False):
    """Alex's return in a launched cycle with every question answered; Quinn reviews for QA."""
    agency = add_agency(session)
    coordinator = add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR})
    quinn = add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER})
    alex = add_person(session, name="Alex Agency", roles={Role.AGENCY_USER}, agency=agency, email="alex@example.org")
    template = install_template(session)
    _cycle, (ret,) = launch_cycle(engine, coordinator, [agency], template=template)
    answer_everything(engine, alex, ret.id, questions_of(session, template), lead=alex if with_actions else None)
    return alex, quinn, ret


def _told(session, kind: str) -> list[str]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))

