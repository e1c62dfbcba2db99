"""The README's campaign table equals models/report/CAMPAIGNS.md (`python -m models.campaign_evaluation`): member
recall and rows per campaign size, and benign accounts in campaign rows, scenario by scenario in report order."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
REPORT = (ROOT / "models" / "report" / "CAMPAIGNS.md").read_text()
SIZES = ("20", "150", "500", "2,000")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _sections() -> list[str]:
    return [s for s in re.split(r"\n(?=## )", REPORT) if s.startswith("## ") and "Scaling" not in s[:20]]


def _readme_rows() -> list[list[str]]:
    start = README.index("| scenario (per-member rate, scheduler) |")
    lines = README[start:].split("\n\n", 1)[0].splitlines()[2:]
    return [_cells(line) for line in lines]


def _benign(section: str) -> str:
    (line,) = [line for line in section.splitlines() if line.startswith("| benign accounts in campaign rows |")]
    return _cells(line)[1]


def test_the_readme_campaign_table_is_the_reports():
    sections, rows = _sections(), _readme_rows()
    assert len(rows) == len(sections)
    for row, section in zip(rows, sections, strict=True):
        recall = [int(n) for n in re.findall(r"\d+", row[2])]
        shown_rows = [int(n) for n in re.findall(r"\d+", row[3])]
        lines = [line for line in section.splitlines() if line.startswith("| campaign")]
        if section.startswith("## Simulator"):
            # The recall table's rows: seven cells (the diagnosis tables have other widths).
            table = [c for c in map(_cells, lines) if re.fullmatch(r"campaign-\d+", c[0]) and len(c) == 7]
            expected = [(float(c[4].rstrip(" %")), int(c[6])) for c in table]
        else:
            table = [_cells(line) for line in section.splitlines() if _cells(line)[0] in SIZES]
            expected = [(float(c[3].rstrip(" %")), int(c[4])) for c in table]
        assert len(recall) == len(shown_rows) == len(expected), row[0]
        for shown, rows_shown, (exact, exact_rows) in zip(recall, shown_rows, expected, strict=True):
            assert abs(shown - exact) <= 0.5 and rows_shown == exact_rows, row[0]
        assert row[5] == _benign(section), row[0]
