"""A gateway that leaves out an optional field the detector reads: the batch summary says so."""

from __future__ import annotations

import orjson
import pytest

from distillwatch.cli import main
from distillwatch.detect import FIELD_LOSS, REASONING_EVIDENCE_EVENTS, missing_field_notes
from pipelines.validate import WITH_REASONING, WITHOUT_FIELD
from simulator.generator import SimulationConfig, generate_events

PARSED = REASONING_EVIDENCE_EVENTS


def _totals(**without: int) -> dict[str, int]:
    return {"events_parsed": PARSED, WITH_REASONING: 1, **{WITHOUT_FIELD[f]: n for f, n in without.items()}}


@pytest.mark.parametrize("field", list(FIELD_LOSS))
def test_a_field_no_event_carries_is_named(field):
    (note,) = missing_field_notes(_totals(**{field: PARSED}))
    assert f"`{field}`" in note and FIELD_LOSS[field] in note


def test_a_field_some_events_carry_or_too_few_events_are_not_named():
    assert missing_field_notes(_totals(params=PARSED - 1)) == []
    few = {"events_parsed": PARSED - 1, WITHOUT_FIELD["params"]: PARSED - 1}
    assert missing_field_notes(few) == []


def test_no_reasoning_at_all_is_named():
    (note,) = missing_field_notes({"events_parsed": PARSED})
    assert "reasoning_tokens" in note


def test_detect_names_the_blocks_a_gateway_left_out(capsys, tmp_path):
    events = list(generate_events(SimulationConfig(seed=5, accounts=30, duration_hours=1, campaign_sizes=())))
    assert len(events) >= PARSED
    log = tmp_path / "partial.jsonl"
    log.write_bytes(
        b"".join(orjson.dumps({k: v for k, v in e.items() if k not in ("params", "account")}) + b"\n" for e in events)
    )
    assert main(["detect", "--input", str(log), "--output", str(tmp_path / "store.duckdb")]) == 0
    notes = [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("note:")]
    assert [n for n in notes if "`params`" in n] and [n for n in notes if "`account.created_at`" in n]
    assert not [n for n in notes if "`prompt`" in n or "`client`" in n]
