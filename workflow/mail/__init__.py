"""E-mail as data: outbox rows queued inside a change, telling people about a return, bounces.

Imports the ground floor and templates.
"""
