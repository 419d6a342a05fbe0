"""What the Board and agencies take away: figures, charts, exports, PDFs, the e-mailed copy of a return.

Imports calendar and the rooms below it.
"""
