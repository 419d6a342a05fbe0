"""A partnership's agency list as people keep it, saved the ways spreadsheets save it: shared by
the engine's, the page's and the command line's import tests."""

import csv
import io

from openpyxl import Workbook

from workflow.people.sectors import SECTOR_NAMES

HEADINGS = ["Name", "Sector", "Statutory", "Commissioned by", "Contact name", "Contact e-mail", "Executive name",
            "Executive e-mail"]


def partnership_list() -> list[list[str]]:
    """The shape of a real partnership's list: 31 rows with apostrophes, ampersands and accents,
    statutory bodies written as people write them, commissioned providers, and four bad rows."""
    rows = [
        ["Riverside Children's Services", "Local authority", "Yes", "", "Siân O'Neill", "sian@riverside.example.org"],
        ["Riverside University Hospitals NHS Foundation Trust", "NHS", "yes", "", "Zoë Brontë", "zoe@ruh.example.org"],
        ["Riverside & District Integrated Care Board", "ICB", "Yes", "", "Ciarán Ó Dúill", "ciaran@icb.example.org"],
        ["Riverside Police", "Police", "yes", "", "Renée Côté", "renee@police.example.org"],
        ["British Transport Police (North)", "British Transport Police", "yes", "", "Dev Patel", "dev@btp.example.org"],
        ["Riverside Probation Delivery Unit", "Probation service", "yes", "", "Jo Smith", "jo@probation.example.org"],
        ["HMP & YOI Riverside", "Prison or young offender institution", "yes", "", "Ali Khan", "ali@hmp.example.org"],
        ["Riverside Youth Justice Service", "Youth offending service", "yes", "", "Max Müller", "max@yjs.example.org"],
        ["Riverside Housing", "Council", "yes", "", "Lee Chan", "lee@housing.example.org"],
        ["Riverside Community Health NHS Trust", "Health", "yes", "", "Ana Souza", "ana@rch.example.org"],
    ]
    for i in range(1, 11):
        rows.append([f"St Mary's & St Joseph's Youth Club {i}", "Voluntary", "no", "", f"Café Owner {i}",
                     f"club{i}@voluntary.example.org"])
    for i in range(1, 6):
        rows.append([f"Riverside Mosque & Church Forum {i}", "Faith", "no", "", f"Imam Élodie {i}", f"faith{i}@example.org"])
    rows += [
        ["Acorn Children's Homes Ltd", "Commissioned service", "no", "Riverside Children's Services", "Ruth Ng",
         "ruth@acorn.example.org"],
        ["Brightside Counselling CIC", "Commissioned service", "no", "Riverside & District Integrated Care Board",
         "Tom Hale", "tom@brightside.example.org"],
        # The four bad rows: a duplicate, a sector from nowhere, no e-mail, an unknown commissioner.
        ["Riverside Police", "Police", "yes", "", "Renée Côté", "renee@police.example.org"],
        ["Moonbase Alpha Safeguarding", "moon base", "no", "", "Neil Armstrong", "neil@moon.example.org"],
        ["Hope & Co. Family Support", "Voluntary", "no", "", "Ama Mensah", ""],
        ["Little Stars Nursery", "Commissioned service", "no", "Riverside Borough Council", "Ivy Lee",
         "ivy@stars.example.org"],
    ]
    return [HEADINGS[:6]] + rows


BAD_ROWS_NAMED = [
    "Row 29: “Riverside Police” is already on row 5: keep one row for each agency.",
    f"Row 30: “moon base” is not a sector Section 11 knows: use one of {', '.join(SECTOR_NAMES)}.",
    "Row 31: enter the contact e-mail: the invitation to each cycle goes there until the agency has users.",
    "Row 32: the commissioning agency “Riverside Borough Council” is neither in the file nor in the list of agencies: "
    "check its spelling or add a row for it.",
]


def as_csv(rows: list[list[str]], encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # as Excel writes it
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SAVED_AS = {
    "agencies.csv (Windows-1252, from older Excel)": ("agencies.csv", lambda rows: as_csv(rows, "cp1252")),
    "agencies.csv (CSV UTF-8, with a byte-order mark)": ("agencies.csv", lambda rows: as_csv(rows, "utf-8-sig")),
    "agencies.csv (UTF-8)": ("agencies.csv", lambda rows: as_csv(rows, "utf-8")),
    "agencies.xlsx": ("agencies.xlsx", as_xlsx),
}
