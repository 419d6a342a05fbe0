"""A second partnership beside the `partnership` fixture's: its own coordinator, QA reviewer,
agency and cycle, and the police in both (tests of isolation between partnerships)."""

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from models import Agency, Cycle, Partnership, Template, User
from models.user import Role
from tests.factories import launch_cycle
from workflow import partnerships
from workflow.people import agencies, users
from workflow.templates import installing
from workflow.templates.standard import TEMPLATE_DIR


@dataclass
class Neighbour:
    partnership: Partnership
    coordinator: User
    qa: User
    agency: Agency
    agency_user: User
    police: Agency
    template: Template
    cycle: Cycle


def details(name: str, sector: str = "Health") -> agencies.AgencyDetails:
    slug = name.lower().replace(" ", "-")
    return agencies.AgencyDetails(
        name=name, sector=sector, statutory=True, contact_name=f"{name} contact",
        contact_email=f"contact@{slug}.example.org", executive_name=f"{name} chief",
        executive_email=f"ceo@{slug}.example.org",
    )


def add_neighbour(session: Session, engine: Engine, first_coordinator: User, *, password: str | None = None) -> Neighbour:
    """Camden beside Hackney: the Met Police is in both, Camden's trust only in Camden."""
    camden = partnerships.add_partnership(session, "Camden Safeguarding Children Partnership")
    session.commit()

    def person(name: str, roles: set[Role], agency: Agency | None = None) -> User:
        email = name.lower().replace(" ", ".") + "@camden.example.org"
        user = users.add_user(session, None, email=email, name=name, roles=roles, password=password,
                              agency_id=agency.id if agency else None, partnership_id=camden.id)
        session.commit()
        return user

    coordinator = person("Cam Coordinator", {Role.COORDINATOR})
    qa = person("Cam Reviewer", {Role.QA_REVIEWER})
    police = agencies.save_agency(session, first_coordinator, details("Metropolitan Police", "Police"))
    partnerships.join(session, agency_id=police.id, partnership_ids=[camden.id])
    trust = agencies.save_agency(session, coordinator, details("Camden Health Trust"))
    session.commit()
    agency_user = person("Cam Agency", {Role.AGENCY_USER}, trust)
    template = installing.install_file(session, coordinator, TEMPLATE_DIR / "scored-0-3.yaml")
    session.commit()
    cycle, _ = launch_cycle(engine, coordinator, [trust, police], template=template, name="Camden audit 2026-27")
    return Neighbour(camden, coordinator, qa, trust, agency_user, police, template, cycle)
