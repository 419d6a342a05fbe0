"""Saving one answer and the moves (submit, challenge, accept), each beside the same rows written
on a bare connection in one transaction. Each floor reads what the same rows need
(the chain's head for a seal, the answers for a frozen copy) and writes them."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, text, update
from sqlmodel import Session, select

from bench.measure import Figure, Lap, ratio_figure
from models import Answer, AuditReturn, OutboxMessage, Question, Template, User
from models.user import Role
from tests.factories import act, add_agency, add_person, launch_cycle
from tests.statement_log import statements_sent
from workflow.answering import returns
from workflow.review import qa
from workflow.templates.spec import RatingScale

TARGETS = {"sqlite": {"save one answer": 5, "move": 10}, "postgresql": {"save one answer": 5, "move": 3}}
HISTORY = """INSERT INTO history_record (subject_type, subject_id, seq, return_id, actor_id, actor_name, at, trigger,
             from_state, to_state, reason, details, prev_hash, hash)
             VALUES ('return', :r, :seq, :r, :actor, 'Bench', :at, :trigger, :was, :to, '', '{}', :h, :h)"""
# A sealed record's seal takes the one before it: every floor that writes a record reads the head
# of the return's chain first, as the product must (a constant in its place would be a forged seal).
HEAD = ("SELECT seq, hash FROM history_record WHERE subject_type = 'return' AND subject_id = :r "
        "ORDER BY seq DESC LIMIT 1")
# What a submission is checked against and frozen from: the asked questions and the return's answers.
ANSWERS = """SELECT q.id, q.ref, q.text, a.rating, a.narrative, a.evidence_description, a.not_applicable_reason
             FROM question q JOIN standard s ON s.id = q.standard_id
             LEFT JOIN answer a ON a.return_id = :r AND a.question_id = q.id
             WHERE s.template_id = (SELECT c.template_id FROM audit_return r JOIN cycle c ON c.id = r.cycle_id WHERE r.id = :r)
             ORDER BY s.position, q.position"""
OUTBOX = """INSERT INTO outbox_message (kind, to_email, to_name, subject, text_body, html_body, context, return_id, status,
            attempts, next_attempt_at, last_error, provider_message_id, created_at, claim_token)"""
OUTBOX_ROW = """(:kind, 'contact@example.org', 'Contact', 'Subject', 'Body', '', '{}', :r, 'pending', 0, :at, '', '', :at, '')"""


def measure(engine: Engine, template: Template, *, repeat: int) -> list[Figure]:
    people, returns_ = _returns_ready_to_submit(engine, template, count=2 * repeat)
    ours, floors = returns_[:repeat], returns_[repeat:]
    limits = TARGETS[engine.dialect.name]
    questions = _questions(engine, template)
    figures = []

    lap = Lap()
    values = ["fully_met", "fully_met"]  # a save the submission still accepts
    for i in range(repeat):
        q = questions[i % len(questions)]
        lap.product(
            lambda q=q, i=i: act(
                engine,
                returns.save_answer,
                people["agency"],
                ours[0],
                q,
                rating=values[i % 2],
                narrative="Why",
                evidence_description="Minutes",
            )
        )
        lap.floor(
            lambda q=q, i=i: _floor(
                engine,
                [
                    (
                        "UPDATE answer SET rating = :v, narrative = 'Why', evidence_description = 'Minutes', updated_at = :at, "
                        "updated_by_id = :actor WHERE return_id = :r AND question_id = :q",
                        {"v": values[i % 2], "r": floors[0], "q": q},
                    ),
                    ("UPDATE audit_return SET last_activity_at = :at WHERE id = :r", {"r": floors[0]}),
                    # the sealed record of the change, as every move's floor writes one
                    (HEAD, {"r": floors[0]}),
                    (HISTORY, {"r": floors[0], "seq": 100 + i, "trigger": "answer", "was": "", "to": "", "h": "3" * 64}),
                ],
                people["agency"].id,
            )
        )
    with statements_sent(engine) as statements:
        act(engine, returns.save_answer, people["agency"], ours[0], questions[0], rating="fully_met", evidence_description="x")
    figures.append(ratio_figure("save one answer", lap.product_ms, lap.floor_ms, limits["save one answer"], len(statements)))
    if len(statements) > 4:
        figures.append(Figure("  save one answer: statements", None, None, len(statements), "<= 4", False, ""))

    frozen = _frozen_copy(questions)
    # each floor: (return, the kinds of the e-mails the product's same move queued, one row each)
    steps: list[tuple[str, Callable[[int], object], Callable[[int, list[str]], list]]] = [
        (
            "submit",
            lambda r: act(engine, returns.submit, people["agency"], r, declaration_confirmed=True),
            lambda r, told: _submit_floor(r, told, frozen),
        ),
        ("challenge", lambda r: act(engine, qa.raise_challenge, people["qa"], r, text="Show us"), _challenge_floor),
        ("accept", lambda r: _accept(engine, people, r), _accept_floor),
    ]
    for name, product, floor in steps:
        lap = Lap()
        counted = 0
        for ours_r, floor_r in zip(ours, floors, strict=True):
            if name == "accept":
                _answer_challenges(engine, people, ours_r)
            before = _last_message(engine)
            with statements_sent(engine) as statements:
                lap.product(lambda r=ours_r, product=product: product(r))
            counted = len(statements)
            told = _kinds_since(engine, before)  # read outside the timing: as many e-mails as the product wrote
            lap.floor(lambda r=floor_r, floor=floor, told=told: _floor(engine, floor(r, told), people["qa"].id))
        figures.append(ratio_figure(f"move: {name}", lap.product_ms, lap.floor_ms, limits["move"], counted))
    return figures


def _accept(engine: Engine, people: dict[str, User], return_id: int) -> object:
    return act(engine, qa.accept, people["qa"], return_id)


def _answer_challenges(engine: Engine, people: dict[str, User], return_id: int) -> None:
    from models import Challenge

    with Session(engine) as session:
        ids = session.exec(select(Challenge.id).where(Challenge.return_id == return_id, Challenge.status == "open")).all()
    for challenge_id in ids:
        act(engine, qa.answer_challenge, people["agency"], challenge_id, response="Here it is")


def _submit_floor(r: int, told: list[str], frozen: str) -> list:
    return [
        (ANSWERS, {"r": r}),
        (HEAD, {"r": r}),
        ("UPDATE audit_return SET status = 'submitted', submitted_at = :at, submitted_by_id = :actor WHERE id = :r", {"r": r}),
        # the frozen copy of what was submitted, which the submit record's seal covers
        (
            "INSERT INTO submission_copy (return_id, number, submitted_at, submitted_by_id, canonical_json, sha256) "
            "VALUES (:r, 1, :at, :actor, :copy, :sha)",
            {"r": r, "copy": frozen, "sha": "4" * 64},
        ),
        (HISTORY, {"r": r, "seq": 2, "trigger": "submit", "was": "in_progress", "to": "submitted", "h": "0" * 64}),
        *_outbox(r, told),
    ]


def _frozen_copy(questions: list[int]) -> str:
    """A frozen copy the size of the product's for these returns (every question answered alike),
    built once outside the timing (the product builds its own as it submits)."""
    answers = [
        {
            "question_id": q, "ref": f"{i}.1", "rating": "fully_met", "narrative": "", "evidence_description": "Minutes",
            "not_applicable_reason": "", "evidence_files": [], "actions": [],
        }
        for i, q in enumerate(questions)
    ]
    document = {"return_id": 0, "cycle_id": 0, "agency": {"id": 0, "name": "Bench Moves Agency"}, "questions": answers}
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _challenge_floor(r: int, told: list[str]) -> list:
    return [
        ("UPDATE audit_return SET status = 'under_qa_challenge' WHERE id = :r", {"r": r}),
        (
            "INSERT INTO qa_selection (return_id, method, reason, seed, selected_by_id, selected_at) "
            "VALUES (:r, 'by_hand', 'Bench', '', :actor, :at)",
            {"r": r},
        ),
        (
            "INSERT INTO challenge (return_id, text, status, raised_by_id, raised_at, response) "
            "VALUES (:r, 'Show us', 'open', :actor, :at, '')",
            {"r": r},
        ),
        # the return picked for QA as it is challenged, and the move: two records, one INSERT, as the product writes them
        (HEAD, {"r": r}),
        (
            HISTORY + """, ('return', :r, 4, :r, :actor, 'Bench', :at, 'challenge', 'submitted', 'under_qa_challenge', '', '{}',
                           :h, :h)""",
            {"r": r, "seq": 3, "trigger": "pick_for_qa", "was": "", "to": "", "h": "1" * 64},
        ),
        *_outbox(r, told),
    ]


def _accept_floor(r: int, told: list[str]) -> list:
    return [
        ("UPDATE audit_return SET status = 'action_plan_open' WHERE id = :r", {"r": r}),
        ("UPDATE challenge SET status = 'closed' WHERE return_id = :r AND status = 'answered'", {"r": r}),
        (HEAD, {"r": r}),
        (HISTORY, {"r": r, "seq": 5, "trigger": "accept", "was": "under_qa_challenge", "to": "action_plan_open", "h": "2" * 64}),
        *_outbox(r, told),
    ]


def _outbox(r: int, kinds: list[str]) -> list[tuple[str, dict]]:
    """One row per e-mail, all in one multi-row INSERT (the set-based way); none when nobody is told."""
    if not kinds:
        return []
    rows = ", ".join(OUTBOX_ROW.replace(":kind", f":kind_{i}") for i in range(len(kinds)))
    return [(f"{OUTBOX} VALUES {rows}", {"r": r, **{f"kind_{i}": kind for i, kind in enumerate(kinds)}})]


def _last_message(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.max(OutboxMessage.id))).one() or 0


def _kinds_since(engine: Engine, last: int) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage.kind).where(OutboxMessage.id > last).order_by(OutboxMessage.id)))


def _floor(engine: Engine, statements: list[tuple[str, dict]], actor: int) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for sql, params in statements:
            result = conn.execute(text(sql), {"at": now, "actor": actor, **params})
            if result.returns_rows:
                result.all()


def _questions(engine: Engine, template: Template) -> list[int]:
    with Session(engine) as session:
        return list(session.exec(select(Question.id).where(Question.template_id == template.id).order_by(Question.id)))


def _returns_ready_to_submit(engine: Engine, template: Template, *, count: int) -> tuple[dict[str, User], list[int]]:
    """One agency in `count` launched cycles, every answer given (Fully met, with evidence)."""
    with Session(engine, expire_on_commit=False) as session:
        agency = add_agency(session, name="Bench Moves Agency", statutory=True)
        people = {
            "coordinator": add_person(session, name="Moves Coordinator", roles={Role.COORDINATOR}),
            "qa": add_person(session, name="Moves Reviewer", roles={Role.QA_REVIEWER}),
            "agency": add_person(session, name="Moves Agency User", roles={Role.AGENCY_USER}, agency=agency),
        }
    ids = []
    for i in range(count):
        _cycle, launched = launch_cycle(engine, people["coordinator"], [agency], template=template, name=f"Moves {i}")
        ids.append(launched[0].id)
    top = RatingScale.from_json(template.scale).top_value.value
    questions = _questions(engine, template)
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.execute(
            insert(Answer),
            [
                {
                    "return_id": r,
                    "question_id": q,
                    "rating": top,
                    "narrative": "",
                    "evidence_description": "Minutes",
                    "not_applicable_reason": "",
                    "updated_at": now,
                }
                for r in ids
                for q in questions
            ],
        )
        session.execute(update(AuditReturn).where(AuditReturn.id.in_(ids)).values(status="in_progress"))
        session.commit()

    return people, ids
