"""What a save of answers reads, in one statement: the return, whether this person may change it
now, the questions asked about with their saved answers, the rating scale, and the head of the
return's sealed history.

A save of one answer then costs four statements (this read, the answer, the return's version and
the history record; or the hold, this read, the answer and the record). When anything is not as
a save needs it (another agency, a return no longer being written, a closed cycle, a question not
on the return) the read says so with None, and the caller takes the full path, which refuses in
the usual words: a refusal may cost more statements, a save never does.
"""

import json
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, func, or_
from sqlmodel import Session, select

from models import Agency, Answer, AuditReturn, Cycle, HistoryRecord, Question, Template, User, UserRole
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.user import Role
from workflow.lifecycle.history import ChainHead
from workflow.templates.spec import RatingScale

# A return is changed by its agency while it is being written.
EDITABLE_STATES = {ReturnState.INVITED, ReturnState.IN_PROGRESS}


@dataclass
class Editing:
    """A return this person may change now, and what the save compares and chains onto."""

    ret: AuditReturn
    actor_id: int
    actor_name: str
    scale: RatingScale
    questions: dict[int, Question]
    answers: dict[int, Answer]
    head: ChainHead


def read_for_saving(
    session: Session,
    actor_id: int,
    return_id: int,
    *,
    question_ids: Collection[int] | None = None,
    standard_id: int | None = None,
) -> Editing | None:
    """The return and the asked questions (by id, or a standard's), if this person may change it now."""
    params: dict = {"actor_id": actor_id, "return_id": return_id}
    if question_ids is not None:
        params["question_ids"] = list(question_ids)
    if standard_id is not None:
        params["standard_id"] = standard_id
    rows = session.exec(_statement(question_ids is not None, standard_id is not None), params=params).all()
    if not rows:
        return None
    ret, cycle_status, scale, name, active, agency_id, agency_user, seq, seal, _q, _a = rows[0]
    if not (active and agency_user and agency_id == ret.agency_id):
        return None
    if ret.status not in EDITABLE_STATES or cycle_status != CycleState.OPEN:
        return None
    head = ChainHead("return", ret.id, seq, seal) if seq is not None else ChainHead("return", ret.id)
    questions = {row[9].id: row[9] for row in rows if row[9] is not None}
    answers = {row[10].question_id: row[10] for row in rows if row[10] is not None}
    return Editing(ret, actor_id, name, _scale(scale), questions, answers, head)


@cache
def _statement(by_question: bool, by_standard: bool) -> Select:
    """Built once (a save runs often): the return, cycle, template, agency and person, the chain's
    head, and the asked questions with their answers, one row per question."""
    actor_id, return_id = bindparam("actor_id"), bindparam("return_id")
    is_agency_user = exists().where(UserRole.user_id == actor_id, UserRole.role == Role.AGENCY_USER.value)
    last_seq = (
        select(func.max(HistoryRecord.seq))
        .where(HistoryRecord.subject_type == "return", HistoryRecord.subject_id == return_id)
        .scalar_subquery()
    )
    asked = and_(
        Question.template_id == Cycle.template_id,
        or_(Question.statutory_only == False, Agency.statutory == True),  # noqa: E712 (SQL comparison)
    )
    if by_question:
        asked = and_(asked, Question.id.in_(bindparam("question_ids", expanding=True)))
    if by_standard:
        asked = and_(asked, Question.standard_id == bindparam("standard_id"))
    return (
        select(
            AuditReturn,
            Cycle.status,
            Template.scale,
            User.name,
            User.active,
            User.agency_id,
            is_agency_user.label("agency_user"),
            HistoryRecord.seq,
            HistoryRecord.hash,
            Question,
            Answer,
        )
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(Template, Template.id == Cycle.template_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .join(User, User.id == actor_id)
        .outerjoin(
            HistoryRecord,
            and_(
                HistoryRecord.subject_type == "return",
                HistoryRecord.subject_id == AuditReturn.id,
                HistoryRecord.seq == last_seq,
            ),
        )
        .outerjoin(Question, asked)
        .outerjoin(Answer, and_(Answer.return_id == AuditReturn.id, Answer.question_id == Question.id))
        .where(AuditReturn.id == return_id)
        .order_by(Question.position)
    )


def _scale(stored: dict) -> RatingScale:
    """A template's scale, parsed once per version of it (templates are not changed once installed)."""
    key = json.dumps(stored, sort_keys=True)
    if key not in _SCALES:
        _SCALES[key] = RatingScale.from_json(stored)
    return _SCALES[key]


_SCALES: dict[str, RatingScale] = {}
