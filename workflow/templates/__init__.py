"""Templates: the file format of standards and rating scales, reading template files, installing them.

Imports only the ground floor (errors, clock, access).
"""
