"""What a move is and how it is recorded: the state machines, the one way a status changes, the history.

Imports the ground floor, templates, mail and people.
"""
