"""Partnerships of a given size, written as rows in bulk (the operations would take minutes at
this size). The benchmark (`bench/world.py`) and the tests of the Board's reports both build theirs here.

A cycle of N agencies on a template: every question answered, returns spread over the lifecycle,
and for each return a launch and a submit record, an extension, an evidence request, a challenge
and an action, so every report has work to do. The history records are not sealed: these worlds
are for reading.
"""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, bindparam, insert, text
from sqlmodel import Session, select

from models import (
    Action,
    Agency,
    AgencyPartnership,
    Answer,
    AuditReturn,
    Challenge,
    Cycle,
    DeadlineExtension,
    EvidenceRequest,
    HistoryRecord,
    Question,
    Template,
    User,
)
from workflow import partnerships
from workflow.templates.spec import RatingScale

LAUNCH = date(2026, 4, 1)
READ_ON = LAUNCH + timedelta(days=60)
STATES = ["invited", "in_progress", "submitted", "action_plan_open", "evidence_requested", "under_qa_challenge"]


def at(day: int) -> datetime:
    """Noon UTC on the given day after launch."""
    return datetime(LAUNCH.year, LAUNCH.month, LAUNCH.day, 12, tzinfo=UTC) + timedelta(days=day)


def bulk_cycle(engine: Engine, *, name: str, agencies: int, template: Template, user: User, previous: int | None = None) -> int:
    """A launched cycle of `agencies` agencies; returns its id."""
    with Session(engine) as session:
        questions = session.exec(select(Question).where(Question.template_id == template.id)).all()
        values = [v.value for v in RatingScale.from_json(template.scale).values]
        cycle = Cycle(
            name=name,
            template_id=template.id,
            status="open",
            opens_on=LAUNCH,
            submission_deadline=LAUNCH + timedelta(days=42),
            qa_window_ends=LAUNCH + timedelta(days=70),
            action_plan_review=LAUNCH + timedelta(days=180),
            statement_deadline=LAUNCH + timedelta(days=200),
            launched_at=at(0),
            previous_cycle_id=previous,
        )
        session.add(cycle)
        session.flush()
        agency_ids = _agencies(session, previous, agencies)
        session.execute(
            insert(AuditReturn),
            [
                {
                    "cycle_id": cycle.id,
                    "agency_id": agency_id,
                    "status": STATES[i % len(STATES)],
                    "version_id": 1,
                    "declaration": "",
                    "created_at": at(0),
                    "last_activity_at": at(0),
                    "submitted_at": at(9),
                }
                for i, agency_id in enumerate(agency_ids)
            ],
        )
        return_ids = session.exec(select(AuditReturn.id).where(AuditReturn.cycle_id == cycle.id)).all()
        _answers(session, cycle.id, template.id, values)
        _records(session, return_ids, user, questions)
        session.commit()
        return cycle.id


def _answers(session: Session, cycle_id: int, template_id: int, values: list[str]) -> None:
    """Every question of every return answered, in one INSERT ... SELECT (tens of thousands of rows):
    the rating turns through the scale by return and question, and one in five is moderated to the
    lowest value."""
    rating = "CASE (r.id + q.id + :cycle) % :count " + " ".join(f"WHEN {i} THEN :v{i}" for i in range(len(values))) + " END"
    statement = text(
        f"""
        INSERT INTO answer (return_id, question_id, rating, moderated_rating, narrative, evidence_description,
                            not_applicable_reason, updated_at)
        SELECT r.id, q.id, {rating}, CASE WHEN (r.id + q.id) % 5 = 0 THEN :v0 END, '', 'Minutes', '', :updated
        FROM audit_return r CROSS JOIN question q
        WHERE r.cycle_id = :cycle AND q.template_id = :template"""
    ).bindparams(bindparam("updated", type_=Answer.__table__.c.updated_at.type))
    session.execute(
        statement,
        {"cycle": cycle_id, "template": template_id, "count": len(values), "updated": at(1)}
        | {f"v{i}": value for i, value in enumerate(values)},
    )


def _agencies(session: Session, previous: int | None, count: int) -> list[int]:
    """The previous cycle's agencies (year on year), or `count` new ones."""
    if previous is not None:
        return list(session.exec(select(AuditReturn.agency_id).where(AuditReturn.cycle_id == previous).order_by(AuditReturn.id)))
    first = session.exec(select(Agency.id).order_by(Agency.id.desc())).first() or 0
    session.execute(
        insert(Agency),
        [
            {
                "name": f"Agency {first + i:05d}",
                "sector": ["Health", "Police", "Voluntary", "Education"][i % 4],
                "statutory": i % 2 == 0,
                "contact_name": "Contact",
                "contact_email": f"contact{first + i}@example.org",
                "executive_name": "Chief",
                "executive_email": f"chief{first + i}@example.org",
                "active": True,
            }
            for i in range(count)
        ],
    )
    made = list(session.exec(select(Agency.id).where(Agency.id > first).order_by(Agency.id)))
    # In the deployment's first partnership, as an agency added by its coordinator would be.
    home = partnerships.home_partnership(session, None)
    session.execute(insert(AgencyPartnership), [{"agency_id": a, "partnership_id": home} for a in made])
    return made


def _records(session: Session, return_ids: list[int], user: User, questions: list[Question]) -> None:
    common = {"actor_name": "System", "reason": "", "details": {}, "prev_hash": "0" * 64, "hash": "0" * 64}
    moves = [(1, 0, "launch", "", "invited"), (2, 9, "submit", "in_progress", "submitted")]
    session.execute(
        insert(HistoryRecord),
        [
            {
                **common,
                "subject_type": "return",
                "subject_id": r,
                "return_id": r,
                "seq": seq,
                "at": at(day),
                "trigger": trigger,
                "from_state": was,
                "to_state": to,
            }
            for r in return_ids
            for seq, day, trigger, was, to in moves
        ],
    )
    session.execute(
        insert(DeadlineExtension),
        [
            {
                "return_id": r,
                "new_deadline": LAUNCH + timedelta(days=50),
                "reason": "Busy",
                "granted_by_id": user.id,
                "granted_at": at(2),
            }
            for r in return_ids
        ],
    )
    session.execute(
        insert(EvidenceRequest),
        [
            {
                "return_id": r,
                "question_id": questions[0].id,
                "description": "Policy",
                "due_date": LAUNCH + timedelta(days=20),
                "status": "open",
                "requested_by_id": user.id,
                "requested_at": at(10),
                "response": "",
            }
            for r in return_ids
        ],
    )
    session.execute(
        insert(Challenge),
        [
            {
                "return_id": r,
                "question_id": None,
                "text": "Why?",
                "status": "answered",
                "raised_by_id": user.id,
                "raised_at": at(10),
                "response": "Because",
                "responded_at": at(12),
            }
            for r in return_ids
        ],
    )
    session.execute(
        insert(Action),
        [
            {
                "return_id": r,
                "question_id": questions[1 + r % min(30, len(questions) - 1)].id,
                "description": "Fix",
                "lead_user_id": user.id,
                "target_date": LAUNCH + timedelta(days=30 + r % 60),
                "status": ["open", "in_progress", "completed"][r % 3],
                "created_by_id": user.id,
                "created_at": at(3),
                "closed_at": at(20) if r % 3 == 2 else None,
                "closing_reason": "",
            }
            for r in return_ids
        ],
    )
