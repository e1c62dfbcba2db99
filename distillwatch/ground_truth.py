"""Alerts against ground truth: which alerted accounts are truly extraction, which extraction accounts were missed,
and which benign accounts were alerted. Used by `distillwatch detect --labels` and the streaming demo.

A labels file is JSON lines, one account per line, as `distillwatch simulate` writes it (`<out>.labels.jsonl`):
`{"account_id": ..., "label": "extraction" | "benign", ...}`; other fields are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from pathlib import Path

import orjson

from distillwatch.errors import UsageError

EXTRACTION = "extraction"


def read_labels(path: str | Path) -> dict[str, bool]:
    """account_id -> whether it is an extraction account, from a labels JSONL file."""
    labels: dict[str, bool] = {}
    try:
        lines = Path(path).read_bytes().splitlines()
    except OSError as error:
        raise UsageError(f"--labels {path}: {error.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
            labels[str(record["account_id"])] = record["label"] == EXTRACTION
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise UsageError(f"--labels {path}:{number}: not a labels record with account_id and label") from None
    return labels


@dataclass(frozen=True)
class AlertOutcome:
    """How a run's alerted accounts compare with the labels."""

    extraction: frozenset[str]
    benign: frozenset[str]
    alerted: frozenset[str]

    @property
    def true_alerts(self) -> frozenset[str]:
        return self.alerted & self.extraction

    @property
    def missed(self) -> frozenset[str]:
        return self.extraction - self.alerted

    @property
    def false_alarms(self) -> frozenset[str]:
        return self.alerted & self.benign

    @property
    def unlabelled_alerts(self) -> frozenset[str]:
        return self.alerted - self.extraction - self.benign

    def lines(self) -> list[str]:
        """The closing summary's ground-truth lines."""
        lines = [
            f"alerted accounts truly extraction: {len(self.true_alerts)} of {len(self.alerted)} alerted",
            f"extraction accounts alerted: {len(self.true_alerts)}/{len(self.extraction)} (missed {len(self.missed)})",
            f"benign accounts alerted (false alarms): {len(self.false_alarms)}/{len(self.benign)}",
        ]
        if self.unlabelled_alerts:
            lines.append(f"alerted accounts without a label: {len(self.unlabelled_alerts)}")
        return lines


def compare_alerts(alerted: Set[str], is_extraction: Mapping[str, bool]) -> AlertOutcome:
    """`alerted` account ids against labels (account_id -> whether it is extraction)."""
    return AlertOutcome(
        extraction=frozenset(a for a, extraction in is_extraction.items() if extraction),
        benign=frozenset(a for a, extraction in is_extraction.items() if not extraction),
        alerted=frozenset(alerted),
    )
