"""How long each typed field may be, and which characters no field may hold: one definition each.

The tables' column sizes, the web forms, the agency import and the command line all read these
numbers, so a value the form accepts always fits its column, and an import refuses what the form
would. Free-text fields (stored as unbounded text) get sizes that fit their use: a reason is a
paragraph or two, a narrative a page or so.
"""

import re

# Short fields, stored in VARCHAR columns of exactly these sizes.
EMAIL = 254  # the longest address SMTP allows
PERSON_NAME = 200
JOB_TITLE = 200
AGENCY_NAME = 200
SECTOR = 80
CYCLE_NAME = 200
SIGNED_NAME = 200
PASSWORD = 200  # long passphrases welcome; megabytes would only slow the hash down
SEED = 100

# Free text, stored in TEXT columns: sizes that fit what is written there.
REASON = 2_000  # why a deadline moved, a return was withdrawn, a rating does not apply
ACTION_DESCRIPTION = 2_000
ACTION_NOTE = 4_000
EVIDENCE_DESCRIPTION = 4_000
CHALLENGE = 4_000
COMMENT = 4_000  # a commissioner's comment on a provider's return
IMPROVEMENT = 4_000
NARRATIVE = 10_000  # about four pages: the longest answer a return needs
RESPONSE = 10_000
DECLARATION = 4_000

# Anything typed that has no size of its own above.
DEFAULT_TEXT = 10_000

# The size of each form field, by the name the forms give it.
BY_FIELD_NAME: dict[str, int] = {
    "email": EMAIL,
    "contact_email": EMAIL,
    "executive_email": EMAIL,
    "name": PERSON_NAME,  # people, agencies and cycles: all 200
    "contact_name": PERSON_NAME,
    "executive_name": PERSON_NAME,
    "signed_name": SIGNED_NAME,
    "job_title": JOB_TITLE,
    "sector": SECTOR,
    "commissioned_by": AGENCY_NAME,
    "password": PASSWORD,
    "confirmation": PASSWORD,
    "seed": SEED,
    "reason": REASON,
    "not_applicable_reason": REASON,
    "narrative": NARRATIVE,
    "evidence_description": EVIDENCE_DESCRIPTION,
    "description": ACTION_DESCRIPTION,
    "note": ACTION_NOTE,
    "text": CHALLENGE,
    "comment": COMMENT,
    "response": RESPONSE,
}

# Control characters (C0 and C1, NUL included) except tab and line breaks in multi-line text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ON_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def limit_for(field_name: str) -> int:
    """The size of a form field; a field inside a list ("q-12-narrative") goes by its last part."""
    return BY_FIELD_NAME.get(field_name.rsplit("-", 1)[-1], DEFAULT_TEXT)


def text_problems(label: str, value: str, limit: int, *, multiline: bool = False) -> list[str]:
    """What is wrong with a typed value, in words that say what to fix; empty when it is fine."""
    problems = []
    if len(value) > limit:
        problems.append(f"{label} must be {limit:,} characters or fewer (it has {len(value):,}).")
    if (_CONTROL if multiline else _CONTROL_ON_ONE_LINE).search(value) or _has_unpaired_surrogate(value):
        problems.append(f"{label} contains an invisible control character: retype it, or paste it as plain text.")
    return problems


def _has_unpaired_surrogate(value: str) -> bool:
    """A lone surrogate cannot be stored as UTF-8 (a browser never sends one; a script can)."""
    return any("\ud800" <= c <= "\udfff" for c in value)


# PostgreSQL's integer: an id beyond it can name no row, and asking the database would be an error.
LARGEST_ID = 2**31 - 1


def is_database_id(value: object) -> bool:
    """Whether `value` could be a row's id (a form or a script may send anything)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= LARGEST_ID


def is_whole_number(value: object) -> bool:
    """Whether a typed or posted value is plain digits that `int` reads and a column can hold.
    `str.isdigit` alone is not enough: it accepts '²' and other digits `int` refuses."""
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10 and int(value) <= LARGEST_ID
