"""The audit engine, in rooms: every door (web, scheduler, CLI) calls these; see ARCHITECTURE.md.

From the ground up: errors, clock, access (this folder); templates; mail; people; lifecycle;
answering; review; calendar; reporting; cli. A room imports only itself and the rooms below it
(tests/test_architecture.py holds it to that).
"""
