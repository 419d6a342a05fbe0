"""The agency's return and its action plan: answers, submission rules, ratings, evidence, actions.

Also the views of a return and of an action. Imports lifecycle and the rooms below it.
"""
