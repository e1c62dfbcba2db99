"""A user's mistake on the command line ends in one line on stderr and exit status 2; a bug keeps its traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from distillwatch import detect
from distillwatch.cli import main
from pipelines.artifact import ModelManifest
from pipelines.config import DEFAULT_MODEL_MANIFEST
from pipelines.features.spec import FEATURE_SPEC_VERSION
from tests.distillwatch.query_rows import write_duckdb_store
from tests.events import event_bytes


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(event_bytes(n) for n in range(5)) + b"\n")
    return str(path)


def _usage_error(capsys, argv) -> str:
    """The one line `main(argv)` prints for the user's mistake (after checking it exited 2, without traceback)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith(f"distillwatch {argv[0]}: ")]
    return line


def test_an_input_matching_no_files(capsys, tmp_path):
    line = _usage_error(capsys, ["detect", "--input", "/nonexistent/x.jsonl", "--output", str(tmp_path / "s.duckdb")])
    assert line == "distillwatch detect: --input /nonexistent/x.jsonl: no files match"
    assert not (tmp_path / "s.duckdb").exists()  # refused before the store was created


def test_an_input_that_is_not_a_readable_file(capsys, tmp_path, events, monkeypatch):
    output = str(tmp_path / "s.duckdb")
    assert "is not a readable file" in _usage_error(capsys, ["detect", "--input", str(tmp_path), "--output", output])
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # the tests may run as root, who reads anything
    assert f"{events} is not a readable file" in _usage_error(capsys, ["detect", "--input", events, "--output", output])


def test_an_output_that_cannot_be_written(capsys, events):
    line = _usage_error(capsys, ["detect", "--input", events, "--output", "/nonexistent/dir/s.duckdb"])
    assert "cannot open DuckDB store /nonexistent/dir/s.duckdb" in line
    bad_bigquery = _usage_error(capsys, ["detect", "--input", events, "--output", "bq:just-a-project"])
    assert "bq:PROJECT:DATASET" in bad_bigquery


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--window-size", "3000", "--window-period", "700"], "must be a multiple of the period"),
        (["--window-period", "-5"], "must be positive"),
        (["--allowed-lateness", "-1"], "allowed lateness must be >= 0"),
        (["--alert-cooldown", "-60"], "alert cooldown must be >= 0 seconds, got -60"),
        (["--min-requests", "-1"], "minimum requests per alert must be >= 0"),
        (["--inference-batch-size", "0"], "inference batch size must be >= 1"),
    ],
)
def test_bad_option_values(capsys, tmp_path, events, options, says):
    line = _usage_error(capsys, ["detect", "--input", events, "--output", str(tmp_path / "s.duckdb"), *options])
    assert says in line


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--protocol", "lofo", "--scale", "-1"], "argument --scale: must be > 0, got -1"),
        (["--hours", "0"], "argument --hours: must be > 0, got 0"),
        (["--protocol", "perturbation", "--perturbation-hours", "-0.5"], "argument --perturbation-hours: must be > 0"),
        (["--workers", "0"], "argument --workers: must be > 0"),
        (["--alert-threshold", "1.5"], "argument --alert-threshold: must be within [0, 1], got 1.5"),
    ],
)
def test_bad_evaluate_option_values(capsys, tmp_path, options, says):
    # argparse refuses them before anything runs: its usage line, then the error naming the option.
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--report-dir", str(tmp_path), *options])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and says in err.splitlines()[-1]


def test_an_unknown_reasoning_convention(capsys, tmp_path, events):
    with pytest.raises(SystemExit) as exit_info:
        main(["detect", "--input", events, "--output", str(tmp_path / "s.duckdb"), "--reasoning-tokens", "inside"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "argument --reasoning-tokens: invalid choice: 'inside'" in err.splitlines()[-1]


def test_a_pubsub_topic_instead_of_a_subscription(capsys, tmp_path):
    topic = "projects/p/topics/usage-events"
    line = _usage_error(capsys, ["detect", "--input", topic, "--output", str(tmp_path / "s.duckdb")])
    assert "must be a subscription" in line


def test_a_missing_model_manifest(capsys, tmp_path, events):
    manifest = str(tmp_path / "nowhere" / "manifest.json")
    argv = ["detect", "--input", events, "--output", str(tmp_path / "s.duckdb"), "--model", manifest]
    assert _usage_error(capsys, argv) == f"distillwatch detect: --model {manifest}: no model manifest there"


@pytest.fixture
def older_release_model(tmp_path) -> str:
    """The shipped artifact, its manifest recording another feature spec (a model of an older release)."""
    directory = tmp_path / "older"
    directory.mkdir()
    shipped = ModelManifest.read(DEFAULT_MODEL_MANIFEST)
    shutil.copy(Path(DEFAULT_MODEL_MANIFEST).parent / shipped.model_file, directory / shipped.model_file)
    replace(shipped, feature_spec="2026.12.4").write(directory / "manifest.json")
    return str(directory / "manifest.json")


@pytest.mark.parametrize("command", ["detect", "evaluate"])
def test_a_model_of_another_feature_spec(capsys, tmp_path, events, older_release_model, command):
    argv = {
        "detect": ["detect", "--input", events, "--output", str(tmp_path / "s.duckdb")],
        "evaluate": ["evaluate", "--hours", "0.1", "--accounts", "10", "--no-update-manifest"],
    }[command]
    line = _usage_error(capsys, [*argv, "--model", older_release_model])
    assert line.endswith(
        f"trained on feature spec 2026.12.4, this pipeline computes {FEATURE_SPEC_VERSION}: "
        "retrain it (distillwatch train) or run it with the release it was trained with"
    )


@pytest.fixture
def locked_store(tmp_path):
    """A DuckDB store held open for writing by another process, as a running `detect` or a `duckdb` shell would."""
    path = write_duckdb_store(str(tmp_path / "locked.duckdb"), [], [], [])
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            connection = duckdb.connect({path!r})
            print("holding", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield path
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_store_locked_by_another_process(capsys, events, locked_store):
    line = _usage_error(capsys, ["detect", "--input", events, "--output", locked_store])
    assert f"DuckDB store {locked_store} is in use by another process" in line
    line = _usage_error(capsys, ["query", "top_risky_accounts", "--db", locked_store])
    assert f"DuckDB store {locked_store} is in use by another process" in line


def test_unknown_queries_and_parameters(capsys, tmp_path):
    store = write_duckdb_store(str(tmp_path / "s.duckdb"), [], [], [])
    assert "no saved query 'top_risky'" in _usage_error(capsys, ["query", "top_risky", "--db", store])
    line = _usage_error(capsys, ["query", "top_risky_accounts", "--db", store, "--param", "lookback=3"])
    assert "top_risky_accounts has no parameter lookback" in line
    line = _usage_error(capsys, ["query", "top_risky_accounts", "--db", store, "--param", "max_accounts=many"])
    assert "parameter max_accounts is INT64, not 'many'" in line
    assert "no DuckDB store at" in _usage_error(capsys, ["query", "top_risky_accounts", "--db", str(tmp_path / "x")])


def test_a_path_the_user_named_that_cannot_be_written(capsys, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    line = _usage_error(capsys, ["simulate", "--output", str(a_file / "events.jsonl")])
    assert str(a_file) in line


def test_a_bug_keeps_its_traceback(monkeypatch, events, tmp_path):
    def broken(args, beam_args):
        raise KeyError("a bug")

    monkeypatch.setattr(detect, "run", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["detect", "--input", events, "--output", str(tmp_path / "s.duckdb")])
