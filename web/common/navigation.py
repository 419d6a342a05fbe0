"""The header's navigation: each role's pages, shown only when the page exists in this build.

Later blueprints (QA, agency returns, reports) add their entries here and they appear by
themselves for the roles that hold them.
"""

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from models.user import Role


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    roles: frozenset[Role]
    # Endpoints starting with this prefix mark the item as the current section.
    section: str


ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.COORDINATOR, Role.QA_REVIEWER})

NAV_ITEMS = [
    NavItem("Home", "home.index", ALL_ROLES, "home."),
    NavItem("Cycles", "coordinator.cycles", frozenset({Role.COORDINATOR}), "coordinator.cycle"),
    NavItem("Agencies", "coordinator.agencies", frozenset({Role.COORDINATOR}), "coordinator.agenc"),
    NavItem("People", "coordinator.people", frozenset({Role.COORDINATOR}), "coordinator.people"),
    NavItem("Templates", "coordinator.templates", frozenset({Role.COORDINATOR}), "coordinator.template"),
    NavItem("Peer reviews", "peer_arrange.index", frozenset({Role.COORDINATOR}), "peer_arrange."),
    NavItem("E-mail delivery", "delivery.index", frozenset({Role.COORDINATOR}), "delivery."),
    NavItem("Partnerships", "partnerships.index", frozenset({Role.COORDINATOR}), "partnerships."),
    NavItem("Quality assurance", "qa.index", frozenset({Role.QA_REVIEWER}), "qa."),
    NavItem("Intelligence", "intelligence.index", STAFF, "intelligence."),
    NavItem("Your returns", "returns.index", frozenset({Role.AGENCY_USER, Role.EXECUTIVE}), "returns."),
    NavItem("Staff survey", "survey_agency.index", frozenset({Role.AGENCY_USER}), "survey_agency."),
    NavItem("Your actions", "actions.index", frozenset({Role.LEAD_PERSON}), "actions."),
    NavItem("Commissioned services", "commissioner.index",
            frozenset({Role.COORDINATOR, Role.AGENCY_USER, Role.EXECUTIVE}), "commissioner."),
    NavItem("Reports", "reports.index", STAFF, "reports."),
    NavItem("Good practice", "good_practice.library", ALL_ROLES, "good_practice."),
]


def navigation() -> list[dict[str, Any]]:
    """GOV.UK service navigation items for the signed-in person."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    for item in NAV_ITEMS:
        if item.endpoint not in current_app.view_functions or not current_user.has(*item.roles):
            continue
        items.append({"text": item.text, "href": url_for(item.endpoint), "active": endpoint.startswith(item.section)})
    return items


def has_page(endpoint: str) -> bool:
    """Whether this build has the page, so a template links only to pages that exist."""
    return endpoint in current_app.view_functions


def register(app: Flask) -> None:
    app.context_processor(lambda: {"navigation": navigation})
    app.add_template_global(has_page)
