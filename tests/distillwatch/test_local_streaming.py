"""The fast local streaming mode: bundles gathered from several pulls, DoFn specs worked out once per class, and
the streaming oracle (every closed window equal to the offline computation) holding with both on."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import pytest
from apache_beam.coders import StrUtf8Coder
from apache_beam.transforms import userstate
from google.api_core.exceptions import DeadlineExceeded

from distillwatch import local_streaming
from distillwatch.local_streaming import MAX_MESSAGES_PER_PULL, _dofn_specs_once_per_class, _PullsMany
from tests.integration import test_streaming_pubsub as oracle

emulator = oracle.emulator
manifest_path = oracle.manifest_path


class FakeSubscriber:
    """Answers each pull with the next batch of `batches` (a DeadlineExceeded instance is raised)."""

    def __init__(self, batches: list[Any]) -> None:
        self._batches = list(batches)
        self.asked: list[tuple[int, float]] = []

    def pull(self, subscription: str, max_messages: int, timeout: float) -> Any:
        self.asked.append((max_messages, timeout))
        batch = self._batches.pop(0)
        if isinstance(batch, Exception):
            raise batch
        return type("Response", (), {"received_messages": [f"m{i}" for i in range(batch)]})()


def test_a_bundle_gathers_full_pulls_until_a_short_one():
    client = FakeSubscriber([100, 100, 40, 100])
    assert len(_PullsMany(client, per_bundle=2000).pull("s", max_messages=10, timeout=30).received_messages) == 240
    assert [asked for asked, _ in client.asked] == [MAX_MESSAGES_PER_PULL] * 3
    assert client.asked[0][1] == 30 and client.asked[1][1] == local_streaming.FOLLOW_UP_DEADLINE_S


def test_a_bundle_stops_at_its_size_and_at_an_empty_subscription():
    assert len(_PullsMany(FakeSubscriber([100] * 5), per_bundle=250).pull("s", 10, 30).received_messages) == 300
    drained = FakeSubscriber([100, DeadlineExceeded("empty")])
    assert len(_PullsMany(drained, per_bundle=2000).pull("s", 10, 30).received_messages) == 100
    idle = FakeSubscriber([0])
    assert _PullsMany(idle, per_bundle=2000).pull("s", 10, 30).received_messages == []
    assert len(idle.asked) == 1


class Stateful(beam.DoFn):
    SEEN = userstate.SetStateSpec("seen", StrUtf8Coder())

    def process(self, element: Any, seen: Any = beam.DoFn.StateParam(SEEN)) -> Any:
        yield element


def test_specs_once_per_class_are_the_uncached_specs():
    assert _dofn_specs_once_per_class(Stateful()) == local_streaming._uncached_dofn_specs(Stateful())
    assert _dofn_specs_once_per_class(Stateful()) == ({Stateful.SEEN}, set())
    # A method bound on the instance may declare other specs: worked out for that instance.
    wrapped = beam.transforms.core.CallableWrapperDoFn(Stateful().process)
    assert _dofn_specs_once_per_class(wrapped) == local_streaming._uncached_dofn_specs(wrapped)


@pytest.fixture
def fast_local_streaming():
    local_streaming.use_fast_local_streaming()
    yield
    local_streaming.use_fast_local_streaming(False)


@pytest.mark.integration
@pytest.mark.slow
def test_the_streaming_oracle_holds_in_the_fast_mode(fast_local_streaming, emulator, manifest_path, tmp_path):
    oracle.test_streaming_pipeline_scores_alerts_and_dead_letters_pubsub_events(emulator, manifest_path, tmp_path)
