"""People and agencies: accounts and sign-in, users, agencies and their import, who gets told, lists.

Imports the ground floor, templates and mail.
"""
