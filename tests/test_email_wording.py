"""E-mails write a name's possessive as people do: "Children's Services' return", never "Services's"."""

import re
from pathlib import Path

from notifications.messages import SUBJECTS, render
from notifications.wording import possessive

EMAIL_TEMPLATES = Path(__file__).parents[1] / "notifications" / "templates" / "email"


def test_a_name_ending_in_s_takes_the_apostrophe_alone():
    assert possessive("Riverside Children's Services") == "Riverside Children's Services'"
    assert possessive("HACKNEY CAMHS") == "HACKNEY CAMHS'"
    assert possessive("Riverside Police") == "Riverside Police's"


def test_the_subject_and_body_of_an_email_use_it():
    context = {"to_name": "Ada", "agency_name": "Riverside Children's Services", "cycle_name": "2026-27",
               "reason": "Merged", "return_id": 1}
    message = render("withdrawn", context)
    assert message.subject == "Section 11 2026-27: Riverside Children's Services' return was withdrawn"
    assert "Riverside Children's Services' Section 11 return" in message.text_body
    assert "Services's" not in message.text_body + message.html_body
    police = render("withdrawn", {**context, "agency_name": "Riverside Police"})
    assert "Riverside Police's Section 11 return" in police.text_body


def test_no_email_writes_a_possessive_by_hand():
    by_hand = re.compile(r"\}\}\s*['’]s\b")
    texts = {path.name: path.read_text() for path in EMAIL_TEMPLATES.glob("*.*")}
    texts.update({f"subject of {kind}": subject for kind, subject in SUBJECTS.items()})
    assert [name for name, text in texts.items() if by_hand.search(text)] == []
