"""A fixed corpus of hostile values, several hundred strong, for posting to every form.

Fixed rather than random so a failure names the value and repeats exactly: the kinds of input an
attacker (or a careless paste) sends: control characters, sizes beyond every column, numbers
beyond every integer, dates that are not dates, markup, SQL, format strings, odd Unicode.
"""

from models import field_limits

SEEDS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 50,
    "\x01\x02\x03\x1b[31m",
    "\x7f",
    "\x85\x9f",
    "line\r\nBcc: victim@example.org",
    "\t\n\r",
    "\u202e\u2066reversed",
    "\ufeff",
    "\u200b\u200c\u200d",
    "é" * 300,
    "😀" * 120,
    "𝕏" * 3,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "'; DROP TABLE agency; --",
    "%s%s%s%n",
    "{0}{1}{__class__}",
    "{{ 7*7 }}",
    "../../../../etc/passwd",
    "=HYPERLINK(\"http://evil.example\")",
    "-1",
    "0",
    "2147483648",
    "99999999999999999999999",
    "-99999999999999999999999",
    "1e309",
    "NaN",
    "²",
    "١٢",
    "0x10",
    "31 2 2026",
    "0 0 0",
    "99 99 99999",
    "-1 -1 -1",
    "29 2 2027",
    "1 1 1",
    "true",
    "null",
    "[]",
    "{}",
    "a" * (field_limits.EMAIL + 1),
    "a" * (field_limits.PERSON_NAME + 1),
    "x" * (field_limits.DEFAULT_TEXT + 1),
    "y" * (field_limits.NARRATIVE * 3),
    "@" * 255 + "@example.org",
    "a@b",
    "cora.ordinator@example.org\x00",
    "fully_met",
    "not_applicable",
    "qa_reviewer",
    "coordinator",
]

# Several hundred in all: each seed, and each seed inside ordinary words, doubled, and trimmed.
CORPUS = list(
    dict.fromkeys(
        [
            *SEEDS,
            *(f"Ordinary words {s} more words" for s in SEEDS),
            *(s + s for s in SEEDS if len(s) < 1000),
            *(s[: len(s) // 2] for s in SEEDS if len(s) > 1),
            *(s.upper() for s in SEEDS),
            *(f"{s}\x00{s}" for s in SEEDS if len(s) < 1000),
        ]
    )
)
