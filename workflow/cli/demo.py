"""Demo data: a partnership mid-cycle, with a return in every state, so each role has work to see;
a neighbouring partnership with its own coordinator, agencies and cycle, sharing the police; and a
joint cycle of both partnerships that the police answer once."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from models import Agency, AuditReturn, Partnership, Question, User
from models.cycle import CycleKind
from models.user import Role
from workflow import partnerships
from workflow.answering import returns
from workflow.answering.content import load
from workflow.calendar import cycles
from workflow.clock import today
from workflow.people import agencies, agency_choice, users
from workflow.review import commissioner_comments, qa, statements
from workflow.survey import counts as survey_counts
from workflow.survey import responding as survey_responding
from workflow.survey import settings as survey_settings
from workflow.templates import installing as templates
from workflow.templates.standard import DEFAULT_TEMPLATE_PATH, TEMPLATE_DIR

DEMO_PASSWORD = "demo-password-2026"
FIRST_PARTNERSHIP = "Riverside Safeguarding Children Partnership"
NEIGHBOUR = "Northvale Safeguarding Children Partnership"
NEIGHBOUR_AGENCIES = [
    ("Northvale Children's Services", "Local authority", True),
    ("Northvale NHS Foundation Trust", "Health", True),
]

DEMO_AGENCIES = [
    ("Riverside Children's Services", "Local authority", True),
    ("Riverside University Hospitals NHS Trust", "Health", True),
    ("Riverside Police", "Police", True),
    ("Riverside Probation Service", "Probation", True),
    ("Riverside Youth Justice Service", "Youth justice", True),
    ("Riverside Community Health NHS Trust", "Health", True),
    ("Riverside Housing", "Local authority", True),
    ("Northbank Youth Club", "Voluntary", False),
    ("Safe Families Charity", "Voluntary", False),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str
    agency: str


def build(session: Session) -> list[DemoLogin]:
    """Load the default template, agencies and people, then launch a cycle and move its returns
    to every state of the lifecycle. The caller commits."""
    _name_first_partnership(session)
    template = templates.install_file(session, None, DEFAULT_TEMPLATE_PATH)
    coordinator = _person(session, "Cara Coordinator", "coordinator@demo.example.org", {Role.COORDINATOR})
    made = {name: _agency(session, coordinator, name, sector, statutory) for name, sector, statutory in DEMO_AGENCIES}
    # The children's services commission the voluntary sector's services, and oversee their returns.
    commissioner = made["Riverside Children's Services"]
    for provider in ("Northbank Youth Club", "Safe Families Charity"):
        made[provider].commissioned_by_id = commissioner.id
        session.add(made[provider])
    reviewer = _person(session, "Quentin Reviewer", "qa@demo.example.org", {Role.QA_REVIEWER})
    staff = {}
    for index, agency in enumerate(made.values(), start=1):
        staff[agency.id] = {
            "user": _person(session, f"Agency User {index}", f"agency{index}@demo.example.org", {Role.AGENCY_USER}, agency),
            "lead": _person(session, f"Lead Person {index}", f"lead{index}@demo.example.org", {Role.LEAD_PERSON}, agency),
            "executive": _person(
                session, f"Chief Executive {index}", f"executive{index}@demo.example.org", {Role.EXECUTIVE}, agency
            ),
        }
    start = today() - timedelta(days=20)
    dates = cycles.CycleDates(
        opens_on=start,
        submission_deadline=start + timedelta(days=42),
        qa_window_ends=start + timedelta(days=70),
        action_plan_review=start + timedelta(days=180),
        statement_deadline=start + timedelta(days=200),
    )
    cycle = cycles.create_cycle(
        session,
        coordinator,
        name=f"Section 11 audit {start.year}-{(start.year + 1) % 100:02d}",
        kind=CycleKind.FULL_AUDIT,
        template_id=template.id,
        dates=dates,
        agency_ids=[a.id for a in made.values()],
    )
    launched = {r.agency_id: r for r in cycles.launch(session, coordinator, cycle.id)}
    _play_out(session, list(made.values()), launched, staff, reviewer)
    _staff_survey(session, coordinator, cycle.id, start)
    commissioner_comments.comment(
        session, staff[commissioner.id]["user"], launched[made["Northbank Youth Club"].id].id,
        text="Thank you. Please send us the volunteers' training dates for next term.",
    )
    ordered = list(made.values())
    neighbour = _neighbour(session, made["Riverside Police"], made["Riverside University Hospitals NHS Trust"], dates)
    joint = _joint_cycle(session, template.id, made, staff, dates)
    # Logins where each role has work waiting: a return half done, a challenge to answer, live actions.
    writing, challenged, live = ordered[1], ordered[3], ordered[5]
    return [
        DemoLogin("Coordinator", coordinator.email, coordinator.name, ""),
        DemoLogin("QA reviewer", reviewer.email, reviewer.name, ""),
        _login("Agency user", staff, writing),
        _login("Agency user", staff, challenged),
        _login("Lead person", staff, live),
        _login("Executive", staff, live),
        DemoLogin("Commissioner", staff[commissioner.id]["user"].email, staff[commissioner.id]["user"].name, commissioner.name),
        *neighbour,
        *joint,
    ]


def _name_first_partnership(session: Session) -> None:
    """The partnership migration 0015 made (named "Partnership" unless S11_PARTNERSHIP_NAME says otherwise)."""
    first = session.get(Partnership, partnerships.home_partnership(session, None))
    first.name, first.slug = FIRST_PARTNERSHIP, "riverside"
    session.add(first)
    session.flush()


def _neighbour(session: Session, police: Agency, hospitals: Agency, dates: cycles.CycleDates) -> list[DemoLogin]:
    """Northvale: its own coordinator, QA reviewer, agencies, template and cycle. The police serve
    both partnerships; a named nurse acts for a Riverside trust and a Northvale one."""
    northvale = partnerships.add_partnership(session, NEIGHBOUR, "northvale")
    coordinator = users.add_user(session, None, email="coordinator@northvale.demo.example.org", name="Nell Coordinator",
                                 roles={Role.COORDINATOR}, password=DEMO_PASSWORD, partnership_id=northvale.id)
    users.add_user(session, None, email="qa@northvale.demo.example.org", name="Noor Reviewer",
                   roles={Role.QA_REVIEWER}, password=DEMO_PASSWORD, partnership_id=northvale.id)
    own = [_agency(session, coordinator, name, sector, statutory) for name, sector, statutory in NEIGHBOUR_AGENCIES]
    partnerships.join(session, agency_id=police.id, partnership_ids=[northvale.id])
    for index, agency in enumerate(own, start=1):
        _person(session, f"Northvale User {index}", f"agency{index}@northvale.demo.example.org", {Role.AGENCY_USER}, agency)
    nurse = _person(session, "Nadia Nurse", "nurse@demo.example.org", {Role.AGENCY_USER}, hospitals)
    agency_choice.let_act_for(session, None, nurse, own[1].id)
    template = templates.install_file(session, coordinator, TEMPLATE_DIR / "scored-0-3.yaml")
    cycle = cycles.create_cycle(
        session, coordinator, name=f"Northvale Section 11 audit {dates.opens_on.year}-{(dates.opens_on.year + 1) % 100:02d}",
        kind=CycleKind.FULL_AUDIT, template_id=template.id, dates=dates, agency_ids=[a.id for a in [*own, police]],
    )
    cycles.launch(session, coordinator, cycle.id)
    return [
        DemoLogin("Coordinator", coordinator.email, coordinator.name, f"({NEIGHBOUR})"),
        DemoLogin("Agency user", nurse.email, nurse.name, f"{hospitals.name} and {own[1].name}"),
    ]


def _joint_cycle(
    session: Session, template_id: int, made: dict[str, Agency], staff: dict, dates: cycles.CycleDates
) -> list[DemoLogin]:
    """Riverside and Northvale's pan-area audit of the police and health services that serve both:
    made by a coordinator of both partnerships. The police (in both) answer it once, and have; each
    partnership's own coordinator sees it beside their own agencies only."""
    northvale = session.exec(select(Partnership).where(Partnership.slug == "northvale")).one()
    riverside = partnerships.home_partnership(session, None)
    lead = users.add_user(session, None, email="joint@demo.example.org", name="Jay Joint", roles={Role.COORDINATOR},
                          password=DEMO_PASSWORD, partnership_id=riverside)
    partnerships.join(session, user_id=lead.id, partnership_ids=[northvale.id])
    northvale_trust = session.exec(select(Agency).where(Agency.name == "Northvale NHS Foundation Trust")).one()
    police = made["Riverside Police"]
    taking_part = [police, made["Riverside University Hospitals NHS Trust"], northvale_trust]
    cycle = cycles.create_cycle(
        session, lead, name=f"Pan-area police and health audit {dates.opens_on.year}-{(dates.opens_on.year + 1) % 100:02d}",
        kind=CycleKind.FULL_AUDIT, template_id=template_id, dates=dates, agency_ids=[a.id for a in taking_part],
        partnership_ids=[riverside, northvale.id],
    )
    launched = {r.agency_id: r for r in cycles.launch(session, lead, cycle.id)}
    _complete(session, launched[police.id], staff[police.id])
    returns.submit(session, staff[police.id]["user"], launched[police.id].id, declaration_confirmed=True)
    return [DemoLogin("Coordinator", lead.email, lead.name, "(both partnerships: the joint cycle)")]


def _login(role: str, staff: dict, agency: Agency) -> DemoLogin:
    person = staff[agency.id][{"Agency user": "user", "Lead person": "lead", "Executive": "executive"}[role]]
    return DemoLogin(role, person.email, person.name, agency.name)


def _agency(session: Session, coordinator: User, name: str, sector: str, statutory: bool) -> Agency:
    slug = name.lower().replace("'", "").replace(" ", "-")
    details = agencies.AgencyDetails(
        name=name,
        sector=sector,
        statutory=statutory,
        contact_name="Safeguarding lead",
        contact_email=f"safeguarding@{slug}.example.org",
        executive_name="Chief executive",
        executive_email=f"ceo@{slug}.example.org",
    )
    return agencies.save_agency(session, coordinator, details)


def _person(session: Session, name: str, email: str, roles: set[Role], agency: Agency | None = None) -> User:
    return users.add_user(
        session, None, email=email, name=name, roles=roles, agency_id=agency.id if agency else None, password=DEMO_PASSWORD
    )


def _complete(session: Session, ret: AuditReturn, people: dict[str, User], *, partly: int = 2) -> None:
    """Answer the whole return: mostly Fully met with evidence, a few Partly met with an action."""
    content = load(session, ret)
    for position, question in enumerate(content.questions):
        _answer(session, ret, question, people, partly=position < partly)


def _answer(session: Session, ret: AuditReturn, question: Question, people: dict[str, User], *, partly: bool) -> None:
    user = people["user"]
    if partly:
        returns.save_answer(
            session,
            user,
            ret.id,
            question.id,
            rating="partly_met",
            narrative="The policy exists but is not yet known to every team.",
        )
        returns.add_action(
            session,
            user,
            ret.id,
            question.id,
            description="Brief every team manager on the policy and check understanding in supervision",
            lead_user_id=people["lead"].id,
            target_date=today() + timedelta(days=120),
        )
    else:
        returns.save_answer(
            session,
            user,
            ret.id,
            question.id,
            rating="fully_met",
            narrative="In place and reviewed this year.",
            evidence_description="Policy document and board minutes, reviewed annually",
        )


def _play_out(session: Session, agency_list: list[Agency], launched: dict[int, AuditReturn], staff: dict, reviewer: User) -> None:
    """Leave returns spread across the lifecycle, one step further for each agency."""
    for step, agency in enumerate(agency_list):
        ret, people = launched[agency.id], staff[agency.id]
        if step == 0:
            continue  # invited
        if step == 1:
            content_questions = _questions(session, ret)[:5]
            for question in content_questions:
                _answer(session, ret, question, people, partly=False)
            continue  # in progress
        _complete(session, ret, people)
        returns.submit(session, people["user"], ret.id, declaration_confirmed=True)
        if step == 2:
            continue  # submitted
        challenge = qa.raise_challenge(session, reviewer, ret.id, text="How do you know front-line staff apply the policy?")
        if step == 3:
            continue  # under QA challenge
        due = today() + timedelta(days=14)
        request = qa.request_evidence(session, reviewer, ret.id, description="The 2026 supervision audit summary", due_date=due)
        if step == 4:
            continue  # evidence requested
        qa.answer_challenge(session, people["user"], challenge.id, response="Quarterly supervision audits check it.")
        qa.provide_evidence(session, people["user"], request.id, response="Summary attached to question 1.1.")
        qa.accept(session, reviewer, ret.id, note="Good assurance.")
        if step in (5, 6):
            continue  # action plan open
        statements.sign(session, people["executive"], ret.id, signed_name=people["executive"].name, declaration_confirmed=True)


def _staff_survey(session: Session, coordinator: User, cycle_id: int, start) -> None:
    """The staff survey open, with answers from each agency's staff (a few agencies too few to show):
    most staff agree, but at every third agency few know who the safeguarding lead is."""
    settings = survey_settings.SurveySettings(start, start + timedelta(days=35), 5, 50, 80)
    survey_settings.set_up_survey(session, coordinator, cycle_id, settings)
    for n, link in enumerate(survey_counts.cycle_links(session, coordinator, cycle_id)):
        page = survey_responding.survey_page(session, link.token)
        scale = page.scale
        for person in range(3 if n % 4 == 3 else 6 + n % 5):
            doubtful = n % 3 == 0 and person % 4 != 0
            usual = ("agree", "strongly_agree", "dont_know")
            answers = {
                q.id: "disagree" if doubtful and q.ref in ("S4", "S5") else usual[(person + q.number) % 3]
                for q in page.questions
            }
            survey_responding.add_response(session, page.link_id, scale, answers, submission_key=f"demo-{n}-{person}")


def _questions(session: Session, ret: AuditReturn) -> list[Question]:
    return load(session, ret).questions
