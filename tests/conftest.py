"""Fixtures shared across test packages."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from devtools.bigquery_emulator import BigQueryEmulator, EmulatorUnavailableError, running_emulator

BIGQUERY_PROJECT = "distillwatch-test"


@pytest.fixture(scope="module")
def bigquery_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryEmulator]:
    """A `bqemulator` server for the module's tests; skips them, with the reason, where it cannot start."""
    with contextlib.ExitStack() as stack:
        try:
            running = stack.enter_context(
                running_emulator(BIGQUERY_PROJECT, log_path=tmp_path_factory.mktemp("bqemulator") / "bqemulator.log")
            )
        except EmulatorUnavailableError as error:
            pytest.skip(f"BigQuery emulator unavailable: {error}")
        yield running
