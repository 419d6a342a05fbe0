"""What happens to a submitted return: QA challenges, evidence requests, the QA queue, statements.

Imports answering and the rooms below it.
"""
