"""The README's campaign tables equal the reports `python -m models.campaign_evaluation` writes: campaigns found,
members in campaign rows per campaign size, campaign rows, member precision and benign accounts in campaign rows,
scenario by scenario in report order, from models/report/CAMPAIGNS.md (the default seed) and from
CAMPAIGNS_SEED_141.md and CAMPAIGNS_SEED_241.md (`--seed`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
REPORTS = ROOT / "models" / "report"
SIZES = ("20", "150", "500", "2,000")
OTHER_SEEDS = (141, 241)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _sections(report: str) -> list[str]:
    return [s for s in re.split(r"\n(?=## )", report) if s.startswith("## ") and "Scaling" not in s[:20]]


def _readme_rows(header: str) -> list[list[str]]:
    start = README.index(header)
    lines = README[start:].split("\n\n", 1)[0].splitlines()[2:]
    return [_cells(line) for line in lines]


def _benign(section: str) -> str:
    (line,) = [line for line in section.splitlines() if line.startswith("| benign accounts in campaign rows |")]
    return _cells(line)[1]


def _percent(cell: str) -> float:
    return float(cell.rstrip(" %"))


def _campaigns(section: str) -> list[tuple[float, int, float]]:
    """Per campaign of a report section: member recall, rows, share of members in any campaign row."""
    table = [_cells(line) for line in section.splitlines() if line.startswith("| ")]
    if section.startswith("## Simulator"):
        # The recall table: its rows column is a count (the table beside it has only shares there).
        recall = [c for c in table if re.fullmatch(r"campaign-\d+", c[0]) and len(c) == 8 and c[6].isdigit()]
        return [(_percent(c[4]), int(c[6]), _percent(c[7])) for c in recall]
    recall = [c for c in table if c[0] in SIZES and len(c) == 6]
    return [(_percent(c[3]), int(c[4]), _percent(c[5])) for c in recall]


def _numbers(cell: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", cell)]


def _measure(section: str, name: str) -> str:
    (line,) = [line for line in section.splitlines() if line.startswith(f"| {name} |")]
    return _cells(line)[1]


def _rows_in_window(section: str) -> int:
    if section.startswith("## Simulator"):  # each of its campaigns is apart: their rows add up
        return sum(rows for _, rows, _ in _campaigns(section))
    return int(_measure(section, "campaign rows"))


def test_the_readme_campaign_table_is_the_reports():
    sections = _sections((REPORTS / "CAMPAIGNS.md").read_text())
    rows = _readme_rows("| scenario (per-member rate, scheduler) |")
    assert len(rows) == len(sections)
    for row, section in zip(rows, sections, strict=True):
        expected = _campaigns(section)
        found = sum(anywhere >= 50 for _, _, anywhere in expected)
        assert row[1] == f"{found} / {len(expected)}", row[0]
        shown = _numbers(row[2])
        assert len(shown) == len(expected) == 4, row[0]
        assert all(abs(s - anywhere) <= 0.5 for s, (_, _, anywhere) in zip(shown, expected, strict=True)), row[0]
        assert int(row[3]) == _rows_in_window(section), row[0]
        if not section.startswith("## Simulator"):
            assert row[4] == _measure(section, "member precision, members of rows that are campaign members"), row[0]
        assert row[5] == _benign(section), row[0]


def test_the_readme_other_seed_table_is_their_reports():
    reports = [_sections((REPORTS / f"CAMPAIGNS_SEED_{seed}.md").read_text()) for seed in OTHER_SEEDS]
    rows = _readme_rows("| scenario | seed 141: member recall")
    assert len(rows) == len(reports[0]) == len(reports[1])
    for row, *sections in zip(rows, *reports, strict=True):
        for cell, section in zip(row[1:3], sections, strict=True):
            shown, expected = _numbers(cell), _campaigns(section)
            exact = [recall for recall, _, _ in expected] + [anywhere for _, _, anywhere in expected]
            assert len(shown) == len(exact) == 8, row[0]
            assert all(abs(s - e) <= 0.5 for s, e in zip(shown, exact, strict=True)), row[0]
        assert row[3] == " / ".join(_benign(s).split(" of ")[0] for s in sections), row[0]
