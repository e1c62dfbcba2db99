"""A gateway that counts reasoning inside completion_tokens: `--reasoning-tokens included` reads its log as the
contract's, and a run that reads it as apart says what it saw."""

from __future__ import annotations

import duckdb
import orjson
import pytest

from distillwatch.cli import main
from distillwatch.detect import REASONING_EVIDENCE_EVENTS, reasoning_convention_note
from pipelines.config import DetectConfig
from pipelines.contract import REASONING_INCLUDED
from pipelines.validate import REASONING_ABOVE_COMPLETION, WITH_REASONING
from simulator.generator import SimulationConfig, generate_events


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """One simulated hour as a contract gateway writes it, and as one counting reasoning inside the completion."""
    directory = tmp_path_factory.mktemp("reasoning")
    events = list(generate_events(SimulationConfig(seed=3, accounts=40, duration_hours=1, campaign_sizes=())))
    assert sum(bool(e.get("reasoning_tokens")) for e in events) >= REASONING_EVIDENCE_EVENTS
    inside = [{**e, "completion_tokens": e["completion_tokens"] + (e.get("reasoning_tokens") or 0)} for e in events]
    paths = {}
    for name, rows in (("apart", events), ("inside", inside)):
        paths[name] = directory / f"{name}.jsonl"
        paths[name].write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return paths


def _detect(capsys, log, store, *options) -> tuple[list[tuple], str]:
    assert main(["detect", "--input", str(log), "--output", str(store), *options]) == 0
    with duckdb.connect(str(store), read_only=True) as db:
        scores = db.execute("select account_id, window_end, score from account_scores order by all").fetchall()
    return scores, capsys.readouterr().out


def test_included_reasoning_is_scored_as_the_contracts_and_a_misread_log_is_pointed_out(capsys, logs, tmp_path):
    apart, apart_out = _detect(capsys, logs["apart"], tmp_path / "apart.duckdb")
    included, _ = _detect(capsys, logs["inside"], tmp_path / "included.duckdb", "--reasoning-tokens", "included")
    misread, misread_out = _detect(capsys, logs["inside"], tmp_path / "misread.duckdb")
    assert apart and included == apart
    assert misread != apart
    assert "note:" not in apart_out
    assert f"--reasoning-tokens {REASONING_INCLUDED}" in misread_out


@pytest.mark.parametrize(
    ("totals", "noted"),
    [
        ({WITH_REASONING: REASONING_EVIDENCE_EVENTS, REASONING_ABOVE_COMPLETION: 0}, True),
        ({WITH_REASONING: REASONING_EVIDENCE_EVENTS, REASONING_ABOVE_COMPLETION: 1}, False),
        ({WITH_REASONING: REASONING_EVIDENCE_EVENTS - 1, REASONING_ABOVE_COMPLETION: 0}, False),  # too few to tell
        ({}, False),
    ],
)
def test_the_note_needs_enough_reasoning_and_none_above_the_completion(totals, noted):
    config = DetectConfig(input="in.jsonl", output="out.duckdb")
    assert (reasoning_convention_note(config, totals) is not None) == noted
    included = DetectConfig(input="in.jsonl", output="out.duckdb", reasoning_tokens=REASONING_INCLUDED)
    assert reasoning_convention_note(included, totals) is None


def test_an_unknown_convention_is_refused():
    with pytest.raises(ValueError, match="--reasoning-tokens inside: must be one of separate, included"):
        DetectConfig(input="in.jsonl", output="out.duckdb", reasoning_tokens="inside")
