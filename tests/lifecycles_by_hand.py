"""Every allowed move of each lifecycle, written out by hand from PRODUCT.md, not read from the code.

The tests compare `workflow/lifecycle/machines.py` with these lists, so a move added to (or
dropped from) the machines by mistake fails a test instead of being tested by its own table.
Each line: (trigger, from, to); then who may fire each trigger.
"""

from models.user import Role

C, Q, A, L, E = Role.COORDINATOR, Role.QA_REVIEWER, Role.AGENCY_USER, Role.LEAD_PERSON, Role.EXECUTIVE

RETURN_MOVES = {
    ("start", "invited", "in_progress"),
    ("submit", "in_progress", "submitted"),
    ("challenge", "submitted", "under_qa_challenge"),
    ("challenge", "under_qa_challenge", "under_qa_challenge"),
    ("request_evidence", "submitted", "evidence_requested"),
    ("request_evidence", "under_qa_challenge", "evidence_requested"),
    ("request_evidence", "evidence_requested", "evidence_requested"),
    ("evidence_provided", "evidence_requested", "under_qa_challenge"),
    ("accept", "submitted", "action_plan_open"),
    ("accept", "under_qa_challenge", "action_plan_open"),
    ("release", "submitted", "action_plan_open"),
    ("return_for_amendment", "submitted", "in_progress"),
    ("return_for_amendment", "under_qa_challenge", "in_progress"),
    ("return_for_amendment", "evidence_requested", "in_progress"),
    ("withdraw", "invited", "withdrawn"),
    ("withdraw", "in_progress", "withdrawn"),
    ("withdraw", "submitted", "withdrawn"),
    ("withdraw", "under_qa_challenge", "withdrawn"),
    ("withdraw", "evidence_requested", "withdrawn"),
    ("withdraw", "action_plan_open", "withdrawn"),
    # A statement year's return is signed straight from invited or in progress.
    ("sign_statement", "action_plan_open", "compliance_statement_signed"),
    ("sign_statement", "invited", "compliance_statement_signed"),
    ("sign_statement", "in_progress", "compliance_statement_signed"),
    ("choose_peer_review", "invited", "in_progress"),
}
RETURN_ROLES = {
    "start": {A},
    "submit": {A},
    "challenge": {Q},
    "request_evidence": {Q},
    "evidence_provided": {A},
    "accept": {Q},
    "release": {C},
    "return_for_amendment": {C, Q},
    "withdraw": {C},
    "sign_statement": {E},
    "choose_peer_review": {E},
}

ACTION_MOVES = {
    ("begin", "open", "in_progress"),
    ("complete", "open", "completed"),
    ("complete", "in_progress", "completed"),
    ("cancel", "open", "cancelled"),
    ("cancel", "in_progress", "cancelled"),
    ("reopen", "completed", "in_progress"),
    ("reopen", "cancelled", "in_progress"),
}
ACTION_ROLES = {trigger: {L, A} for trigger in ("begin", "complete", "cancel", "reopen")}

CYCLE_MOVES = {
    ("launch", "draft", "open"),
    ("close", "open", "closed"),
    ("reopen", "closed", "open"),
}
CYCLE_ROLES = {trigger: {C} for trigger in ("launch", "close", "reopen")}
