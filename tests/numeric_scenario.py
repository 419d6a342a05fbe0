"""Two partnerships' own kinds of template, run through submission and QA moderation, for the
tests of figures on numeric scales (tests/test_numeric_scales.py and the report pages' tests).

Three agencies answer: Alder Health Trust (Health, statutory), Birch Police (Police, statutory)
and Cedar Youth Club (Voluntary, not statutory, so not asked the statutory-only 2.2). QA
moderates two of Alder's elements down on each template. The figures each test expects are
worked out by hand from the answers below, in the tests.
"""

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, select

from models import Agency, Question, Template, User
from models.user import Role
from tests.factories import act, add_agency, add_person, launch_cycle
from workflow.answering import returns
from workflow.clock import today
from workflow.review import qa
from workflow.templates import installing as templates
from workflow.templates.spec import RatingScale

SAMPLES = Path(__file__).parent / "sample_templates"
SCORED = SAMPLES / "scored-moderated.yaml"
PERCENTAGE = SAMPLES / "percentage-5.yaml"

# What each agency rates (by ref), and what QA moderates, per template.
SCORED_ANSWERS = {
    "alder": {"1.1": "3", "1.2": "1", "2.1": "2", "2.2": "3"},
    "birch": {"1.1": "2", "1.2": "2", "2.1": "not_applicable", "2.2": "0"},
    "cedar": {"1.1": "3", "1.2": "3", "2.1": "1"},
}
SCORED_MODERATIONS = {"alder": {"1.1": "2", "2.2": "1"}}
PERCENTAGE_ANSWERS = {
    "alder": {"1.1": "100", "1.2": "85", "2.1": "60", "2.2": "95"},
    "birch": {"1.1": "not_applicable", "1.2": "40", "2.1": "80", "2.2": "75"},
    "cedar": {"1.1": "95", "1.2": "100", "2.1": "20"},
}
PERCENTAGE_MODERATIONS = {"alder": {"1.1": "80", "2.2": "70"}}

AGENCIES = {
    "alder": ("Alder Health Trust", "Health", True),
    "birch": ("Birch Police", "Police", True),
    "cedar": ("Cedar Youth Club", "Voluntary", False),
}


def partnership(session: Session) -> dict[str, Agency | User]:
    """The agencies, one person each, a coordinator and a QA reviewer."""
    people: dict = {
        "coordinator": add_person(session, name="Cora Ordinator", roles={Role.COORDINATOR}),
        "qa": add_person(session, name="Quinn Reviewer", roles={Role.QA_REVIEWER}),
    }
    for key, (name, sector, statutory) in AGENCIES.items():
        people[f"{key}_agency"] = add_agency(session, name=name, sector=sector, statutory=statutory)
        people[key] = add_person(
            session, name=f"{key.title()} User", roles={Role.AGENCY_USER, Role.LEAD_PERSON}, agency=people[f"{key}_agency"]
        )
    return people


def install(session: Session, path: Path) -> Template:
    template = templates.install_file(session, None, path)
    session.commit()
    return template


def run_year(
    engine,
    session: Session,
    people: dict,
    template: Template,
    answers: dict[str, dict[str, str]],
    moderations: dict[str, dict[str, str]],
    *,
    name: str,
    previous: int | None = None,
):
    """Launch a cycle for the agencies in `answers`, answer and submit each return (with evidence
    and actions where the scale asks), then QA moderates; returns the cycle."""
    agencies = [people[f"{key}_agency"] for key in answers]
    cycle, launched = launch_cycle(
        engine, people["coordinator"], agencies, template=template, name=name, previous_cycle_id=previous
    )
    questions = {q.ref: q for q in session.exec(select(Question).where(Question.template_id == template.id))}
    scale = RatingScale.from_json(template.scale)
    key_of = {people[f"{key}_agency"].id: key for key in answers}
    for ret in launched:
        key = key_of[ret.agency_id]
        user = people[key]
        for ref, value in answers[key].items():
            question = questions[ref]
            act(
                engine,
                returns.save_answer,
                user,
                ret.id,
                question.id,
                rating=value,
                evidence_description="Policy" if value != "not_applicable" and scale.needs_evidence(value) else "",
                not_applicable_reason=(
                    "We employ no staff" if value == "not_applicable" and scale.not_applicable_needs_reason else ""
                ),
            )
            if value != "not_applicable" and scale.needs_action(value):
                act(
                    engine,
                    returns.add_action,
                    user,
                    ret.id,
                    question.id,
                    description="Fix it",
                    lead_user_id=user.id,
                    target_date=today() + timedelta(days=60),
                )
        act(engine, returns.submit, user, ret.id, declaration_confirmed=True)
        for ref, value in moderations.get(key, {}).items():
            act(engine, qa.moderate, people["qa"], ret.id, questions[ref].id, rating=value)
    return cycle
