"""The machines allow exactly the moves written out by hand in tests/lifecycles_by_hand.py."""

from types import SimpleNamespace

import pytest

from tests import lifecycles_by_hand as by_hand
from workflow.lifecycle.machines import ACTION_LIFECYCLE, CYCLE_LIFECYCLE, RETURN_LIFECYCLE, Lifecycle, MachineError

LIFECYCLES = [
    pytest.param(RETURN_LIFECYCLE, by_hand.RETURN_MOVES, by_hand.RETURN_ROLES, id="return"),
    pytest.param(ACTION_LIFECYCLE, by_hand.ACTION_MOVES, by_hand.ACTION_ROLES, id="action"),
    pytest.param(CYCLE_LIFECYCLE, by_hand.CYCLE_MOVES, by_hand.CYCLE_ROLES, id="cycle"),
]


@pytest.mark.parametrize("lifecycle,moves,roles", LIFECYCLES)
def test_the_machine_moves_exactly_as_written_by_hand_from_every_state(lifecycle: Lifecycle, moves, roles):
    """Fire every trigger from every state on the real machine: where it lands, or that it refuses."""
    expected = {(trigger, source): dest for trigger, source, dest in moves}
    assert set(lifecycle.moves) == set(roles), "a trigger was added or removed"
    for trigger in lifecycle.moves:
        for state in lifecycle.states:
            row = SimpleNamespace(status=state)
            if (trigger, state) in expected:
                lifecycle.fire(trigger, row)
                assert row.status == expected[(trigger, state)], (trigger, state)
                assert lifecycle.allows(trigger, state)
            else:
                with pytest.raises(MachineError):
                    lifecycle.fire(trigger, row)
                assert not lifecycle.allows(trigger, state), (trigger, state)


@pytest.mark.parametrize("lifecycle,moves,roles", LIFECYCLES)
def test_each_move_may_be_made_only_by_the_roles_written_by_hand(lifecycle: Lifecycle, moves, roles):
    assert {trigger: set(move.roles) for trigger, move in lifecycle.moves.items()} == roles
