"""The lifecycles as `transitions` state machines, and their diagrams.

One machine per lifecycle is shared by every row (model=None; see ECOSYSTEM.md: a machine cannot
be attached to a SQLModel row). Operations in `answering/returns.py`, `answering/actions.py`, `calendar/cycles.py` and
`review/peer_reviews.py` check who
may act and the guards, then fire the event here, which moves the row's `status` or refuses with
MachineError when the move is not in the lifecycle at all.
"""

from dataclasses import dataclass

from transitions import Machine, MachineError
from transitions.extensions import GraphMachine

from models.action import ActionState
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.peer_review import PeerReviewState
from models.user import AGENCY_ROLES, Role

S = ReturnState


@dataclass(frozen=True)
class Move:
    """One transition: the event, where it may start, where it ends, who may fire it, in words."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[Role]
    title: str

    def as_transition(self) -> dict:
        return {"trigger": self.trigger, "source": list(self.sources), "dest": self.dest}


def _move(trigger: str, sources, dest, roles, title: str) -> Move:
    return Move(trigger, tuple(str(s) for s in sources), str(dest), frozenset(roles), title)


# A signed statement ends the return's year; a withdrawn return is gone from it.
WITHDRAWABLE_STATES = [s for s in S if s not in (S.WITHDRAWN, S.COMPLIANCE_STATEMENT_SIGNED)]
QA_STATES = [S.SUBMITTED, S.UNDER_QA_CHALLENGE, S.EVIDENCE_REQUESTED]

RETURN_MOVES = [
    _move("start", [S.INVITED], S.IN_PROGRESS, {Role.AGENCY_USER}, "start the return"),
    _move("submit", [S.IN_PROGRESS], S.SUBMITTED, {Role.AGENCY_USER}, "submit the return"),
    _move("challenge", [S.SUBMITTED, S.UNDER_QA_CHALLENGE], S.UNDER_QA_CHALLENGE, {Role.QA_REVIEWER}, "raise a challenge"),
    _move("request_evidence", QA_STATES, S.EVIDENCE_REQUESTED, {Role.QA_REVIEWER}, "request evidence"),
    _move(
        "evidence_provided", [S.EVIDENCE_REQUESTED], S.UNDER_QA_CHALLENGE, {Role.AGENCY_USER}, "provide the evidence requested"
    ),
    _move("accept", [S.SUBMITTED, S.UNDER_QA_CHALLENGE], S.ACTION_PLAN_OPEN, {Role.QA_REVIEWER}, "accept the return"),
    _move("release", [S.SUBMITTED], S.ACTION_PLAN_OPEN, {Role.COORDINATOR}, "open the action plan without QA"),
    _move("return_for_amendment", QA_STATES, S.IN_PROGRESS, {Role.COORDINATOR, Role.QA_REVIEWER}, "return it for amendment"),
    _move("withdraw", WITHDRAWABLE_STATES, S.WITHDRAWN, {Role.COORDINATOR}, "withdraw the return"),
    _move(
        "sign_statement",
        [S.ACTION_PLAN_OPEN, S.INVITED, S.IN_PROGRESS],
        S.COMPLIANCE_STATEMENT_SIGNED,
        {Role.EXECUTIVE},
        "sign the statement of compliance",
    ),
    _move("choose_peer_review", [S.INVITED], S.IN_PROGRESS, {Role.EXECUTIVE}, "choose a re-audit by peer review"),
]

ACTION_MOVES = [
    _move("begin", [ActionState.OPEN], ActionState.IN_PROGRESS, {Role.LEAD_PERSON, Role.AGENCY_USER}, "start the action"),
    _move(
        "complete",
        [ActionState.OPEN, ActionState.IN_PROGRESS],
        ActionState.COMPLETED,
        {Role.LEAD_PERSON, Role.AGENCY_USER},
        "complete the action",
    ),
    _move(
        "cancel",
        [ActionState.OPEN, ActionState.IN_PROGRESS],
        ActionState.CANCELLED,
        {Role.LEAD_PERSON, Role.AGENCY_USER},
        "cancel the action",
    ),
    _move(
        "reopen",
        [ActionState.COMPLETED, ActionState.CANCELLED],
        ActionState.IN_PROGRESS,
        {Role.LEAD_PERSON, Role.AGENCY_USER},
        "reopen the action",
    ),
]

CYCLE_MOVES = [
    _move("launch", [CycleState.DRAFT], CycleState.OPEN, {Role.COORDINATOR}, "launch the cycle"),
    _move("close", [CycleState.OPEN], CycleState.CLOSED, {Role.COORDINATOR}, "close the cycle"),
    _move("reopen", [CycleState.CLOSED], CycleState.OPEN, {Role.COORDINATOR}, "reopen the cycle"),
]


P = PeerReviewState

# Arranging a review creates it `arranged`. The reviewer is named on the review itself (a person of
# the peer organisation, holding any agency role there); `review/peer_reviews.py` checks it is them.
PEER_REVIEW_MOVES = [
    _move("submit", [P.ARRANGED], P.SUBMITTED, AGENCY_ROLES, "submit the peer review"),
    _move("answer", [P.SUBMITTED], P.ANSWERED, {Role.AGENCY_USER}, "answer the peer review"),
    _move("cancel", [P.ARRANGED], P.CANCELLED, {Role.COORDINATOR}, "cancel the peer review"),
]


class Lifecycle:
    """A shared machine plus the table of moves it was built from."""

    def __init__(self, name: str, states: list[str], moves: list[Move], initial: str) -> None:
        self.name = name
        self.states = states
        self.moves = {m.trigger: m for m in moves}
        self.initial = initial
        self.machine = Machine(
            model=None,
            states=states,
            transitions=[m.as_transition() for m in moves],
            initial=None,
            model_attribute="status",
            auto_transitions=False,
        )

    def allows(self, trigger: str, state: str) -> bool:
        """Whether the lifecycle has this move from this state (who and guards aside)."""
        return state in self.moves[trigger].sources

    def fire(self, trigger: str, row) -> None:
        """Move the row's status; raises MachineError if the move is not in the lifecycle."""
        self.machine.events[trigger].trigger(row)

    def triggers_from(self, state: str) -> list[str]:
        return [t for t, m in self.moves.items() if state in m.sources]

    def mermaid(self, current: str | None = None) -> str:
        """The lifecycle as a mermaid stateDiagram, drawn from the machine itself."""
        holder = _DiagramModel()
        GraphMachine(
            model=holder,
            states=self.states,
            transitions=[m.as_transition() for m in self.moves.values()],
            initial=current or self.initial,
            auto_transitions=False,
            graph_engine="mermaid",
            title=self.name,
            show_state_attributes=False,
        )
        return holder.get_graph().draw(None)


class _DiagramModel:
    """A plain object the diagram machine may decorate (table rows cannot be)."""


RETURN_LIFECYCLE = Lifecycle("Return", [str(s) for s in ReturnState], RETURN_MOVES, str(S.INVITED))
ACTION_LIFECYCLE = Lifecycle("Action", [str(s) for s in ActionState], ACTION_MOVES, str(ActionState.OPEN))
CYCLE_LIFECYCLE = Lifecycle("Cycle", [str(s) for s in CycleState], CYCLE_MOVES, str(CycleState.DRAFT))
PEER_REVIEW_LIFECYCLE = Lifecycle("Peer review", [str(s) for s in PeerReviewState], PEER_REVIEW_MOVES, str(P.ARRANGED))

__all__ = [
    "ACTION_LIFECYCLE",
    "CYCLE_LIFECYCLE",
    "PEER_REVIEW_LIFECYCLE",
    "RETURN_LIFECYCLE",
    "Lifecycle",
    "MachineError",
    "Move",
]
