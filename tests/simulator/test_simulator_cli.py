import argparse
import gzip
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from simulator.cli import add_arguments, default_labels_path, run

REPO = Path(__file__).resolve().parents[2]
SMALL_ARGS = ["--accounts", "30", "--hours", "0.5", "--extraction-fraction", "0.3", "--campaign-sizes", "8"]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    ("events", "labels"),
    [
        ("out/events.jsonl", "out/events.labels.jsonl"),
        ("out/events.jsonl.gz", "out/events.labels.jsonl"),
        ("run.gz", "run.labels.jsonl"),
    ],
)
def test_default_labels_path_sits_beside_the_output(events, labels):
    assert default_labels_path(Path(events)) == Path(labels)


def test_simulate_writes_gzip_events_and_separate_labels(tmp_path, capsys):
    output = tmp_path / "nested" / "events.jsonl.gz"
    assert run(parse(["--output", str(output), "--seed", "3", *SMALL_ARGS])) == 0

    lines = gzip.decompress(output.read_bytes()).splitlines()
    events = [orjson.loads(line) for line in lines]
    labels = [orjson.loads(line) for line in (tmp_path / "nested" / "events.labels.jsonl").read_bytes().splitlines()]
    assert len(labels) == 30
    assert {e["account_id"] for e in events} <= {label["account_id"] for label in labels}
    assert all("label" not in e and "archetype" not in e for e in events)

    summary = capsys.readouterr().out
    assert f"Simulated {len(events):,} events from 30 accounts" in summary
    assert "distributed_campaign 8" in summary


def test_same_arguments_give_byte_identical_files(tmp_path):
    first, second = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    for output in (first, second):
        assert run(parse(["--output", str(output), "--labels", str(output) + ".labels", *SMALL_ARGS])) == 0
    assert first.read_bytes() == second.read_bytes()
    assert Path(str(first) + ".labels").read_bytes() == Path(str(second) + ".labels").read_bytes()


def test_duplicates_and_held_out_variants_flags(tmp_path):
    output = tmp_path / "events.jsonl"
    argv = ["--output", str(output), *SMALL_ARGS, "--duplicate-fraction", "0.1", "--held-out-variants"]
    assert run(parse(argv)) == 0
    ids = [orjson.loads(line)["event_id"] for line in output.read_bytes().splitlines()]
    assert len(set(ids)) < len(ids)
    variants = {orjson.loads(line)["variant"] for line in (tmp_path / "events.labels.jsonl").read_bytes().splitlines()}
    assert "staggered" in variants


def test_invalid_configuration_is_reported_not_raised(tmp_path, capsys):
    argv = ["--output", str(tmp_path / "e.jsonl"), "--accounts", "10", "--campaign-sizes", "8"]
    assert run(parse(argv)) == 2
    assert "campaigns need" in capsys.readouterr().err
    assert not (tmp_path / "e.jsonl").exists()


def test_python_dash_m_simulator_runs(tmp_path):
    output = tmp_path / "events.jsonl"
    completed = subprocess.run(
        [sys.executable, "-m", "simulator", "--output", str(output), *SMALL_ARGS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Simulated" in completed.stdout
    assert output.exists() and (tmp_path / "events.labels.jsonl").exists()
