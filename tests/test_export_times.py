"""Times in the Board's files are UK time, as every page shows them: a submission at 23:30 UTC on
31 May was made at 12:30am on 1 June in London, and the spreadsheet and CSV say so."""

import csv
import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from workflow.reporting import exports
from workflow.reporting.exports import Sheet

SUMMER = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)  # BST: 00:30 on 1 June in London
WINTER = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)  # GMT: the same in London
FROM_SQLITE = datetime(2026, 7, 1, 8, 0)  # SQLite drops the zone: the product stores UTC


def test_csv_and_spreadsheet_times_are_uk_time_either_side_of_the_clock_change():
    sheet = Sheet("Statements", ["Signed at"], [[SUMMER], [WINTER], [FROM_SQLITE]])

    rows = list(csv.reader(io.StringIO(exports.sheet_csv(sheet).decode("utf-8-sig"))))
    assert rows[1:] == [["2026-06-01 00:30"], ["2026-12-02 14:05"], ["2026-07-01 09:00"]]
    workbook = load_workbook(io.BytesIO(exports.workbook_bytes([sheet])))
    cells = [row[0].value for row in workbook["Statements"].iter_rows(min_row=2)]
    assert cells == [datetime(2026, 6, 1, 0, 30), datetime(2026, 12, 2, 14, 5), datetime(2026, 7, 1, 9, 0)]
