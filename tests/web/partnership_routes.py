"""Hackney (tests/web/return_world.py) beside Camden (tests/partnership_world.py), with something of
each kind in both: for the partnership dimension of the access table and the leak crawl.

Camden's things carry the word "Camden" (its people's addresses, its cycle, its trust, its
challenge, its intelligence, its failed e-mails), so a page showing any of them shows the word.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from models import Action, DeliveryEvent, OutboxMessage, Standard, SurveyLink, User
from models.outbox import OutboxState
from tests.factories import act, answer_everything, questions_of
from tests.partnership_world import Neighbour, add_neighbour
from tests.web.conftest import PASSWORD
from tests.web.return_world import World
from workflow.answering import returns
from workflow.clock import today, utcnow
from workflow.review import intelligence, peer_reviews, qa, qa_meetings
from workflow.survey import settings as survey_settings

MARK = "camden"


@dataclass
class TwoPartnerships:
    hackney: dict[str, int | str]  # a Flask rule's argument name -> one of Hackney's things
    camden: Neighbour


def fill(rule: str, values: dict[str, int | str]) -> str:
    """A Flask rule ("/cycles/<int:cycle_id>") with the values given ("/cycles/3")."""
    path = rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return path


def get_rules(app: Flask) -> list[str]:
    return sorted({r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and not r.rule.startswith("/static")})


def post_rules(app: Flask) -> list[str]:
    return sorted({r.rule for r in app.url_map.iter_rules() if "POST" in r.methods})


def two_partnerships(world: World, ids: dict[str, int], session: Session, engine: Engine) -> TwoPartnerships:
    """Hackney's submitted return (with its challenge, request, action and file: `ids`), a peer
    review, a QA meeting and a survey; and Camden, with a submitted return under challenge, an
    intelligence entry, a survey and e-mails that failed."""
    w = world
    camden = add_neighbour(session, engine, w.p.coordinator, password=PASSWORD)
    review = act(engine, peer_reviews.arrange, w.p.coordinator, w.ret.id, peer_agency_id=w.p.youth.id,
                 reviewer_id=w.youth_user.id, starts_on=today(), ends_on=today() + timedelta(days=14))
    act(engine, qa.pick_by_hand, w.qa, w.ret.id, reason="Hackney's pick")
    meeting = act(engine, qa_meetings.plan_meeting, w.qa, w.cycle.id, held_on=today() + timedelta(days=7),
                  return_ids=[w.ret.id])
    survey = survey_settings.SurveySettings(today(), today() + timedelta(days=30), 5, 50, 80)
    act(engine, survey_settings.set_up_survey, w.p.coordinator, w.cycle.id, survey)
    act(engine, survey_settings.set_up_survey, camden.coordinator, camden.cycle.id, survey)
    token = session.exec(select(SurveyLink.token).where(SurveyLink.cycle_id == w.cycle.id)).first()

    camden_return = next(r for r in returns_of(session, camden) if r.agency_id == camden.agency.id)
    answer_everything(engine, camden.agency_user, camden_return.id, questions_of(session, camden.template), rating="good")
    act(engine, returns.submit, camden.agency_user, camden_return.id, declaration_confirmed=True)
    act(engine, qa.raise_challenge, camden.qa, camden_return.id, text="Camden challenge: show the Camden minutes")
    act(engine, intelligence.add_entry, camden.coordinator, agency_id=camden.agency.id, sector="", source="Camden inspection",
        received_on=date.today(), summary="Camden intelligence", standards="1", visibility="qa")
    session.exec(update(OutboxMessage).where(OutboxMessage.to_email.contains(MARK)).values(
        status=OutboxState.FAILED.value, last_error="Camden mailbox full"))
    # A late bounce (naming no e-mail) from the address of Camden's trust.
    session.add(DeliveryEvent(sg_event_id="camden-bounce", event="bounce", email=camden.agency.contact_email,
                              reason="550 Camden mailbox unavailable", at=utcnow()))
    session.commit()

    standard = session.exec(select(Standard.id).where(Standard.template_id == w.p.template.id)).first()
    action = session.exec(select(Action.id).where(Action.return_id == w.ret.id)).first()
    hackney = {
        "action_id": action, "agency_id": w.p.health.id, "cycle_id": w.cycle.id, "return_id": w.ret.id,
        "file_id": ids["file"], "review_id": review.id, "meeting_id": meeting.id, "standard_id": standard,
        "template_id": w.p.template.id, "user_id": w.agency_user.id, "token": token, "question_id": ids["question"],
        "challenge_id": ids["challenge"], "request_id": ids["request"], "source_id": w.ret.id, "sampled_id": 1,
        "message_id": session.exec(select(OutboxMessage.id).where(OutboxMessage.return_id == w.ret.id)).first(),
    }
    return TwoPartnerships(hackney, camden)


def returns_of(session: Session, camden: Neighbour):
    from models import AuditReturn

    return list(session.exec(select(AuditReturn).where(AuditReturn.cycle_id == camden.cycle.id)))


def camden_people(camden: Neighbour, session: Session) -> dict[str, User]:
    """Camden's person in each role (its lead and executive made here)."""
    from models.user import Role
    from tests.web.conftest import add_person

    return {
        "coordinator": camden.coordinator, "qa": camden.qa, "agency_user": camden.agency_user,
        "lead": add_person(session, name="Cam Lead", roles={Role.LEAD_PERSON}, agency=camden.agency),
        "executive": add_person(session, name="Cam Executive", roles={Role.EXECUTIVE}, agency=camden.agency),
    }
