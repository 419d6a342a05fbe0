"""The year: cycles and their dates, extensions, the cycle calendar, progress, reminders.

Imports review and the rooms below it.
"""
