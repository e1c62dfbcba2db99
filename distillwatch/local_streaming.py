"""The fastest local streaming mode: the BundleBasedDirectRunner, same graph, with its two per-bundle costs cut.

Profiled on `python -m benchmarks.streaming` (results and profile summary in benchmarks/RESULTS_streaming.md),
the local runner's time goes to bundles, not events:

- its Pub/Sub evaluator pulls at most 10 messages, and every pull is one bundle through the whole graph. Here the
  same evaluator gathers up to MESSAGES_PER_BUNDLE: while a pull comes back full (the emulator returns at most
  100 per pull), it pulls again with a short deadline;
- at every bundle start of every ParDo it works out the DoFn's state and timer specs again by inspecting the
  signature of every method (`userstate.get_dofn_specs`, a quarter of all samples). The specs are declared on
  the DoFn's class, so here they are worked out once per class.

The graph, the timestamps, the watermark and the acknowledgement stay the runner's own; only local runs use this
(Dataflow has neither cost).
"""

from __future__ import annotations

import types
import weakref
from dataclasses import dataclass
from typing import Any

from apache_beam.runners.direct import transform_evaluator
from apache_beam.runners.direct.direct_runner import _DirectReadFromPubSub
from apache_beam.transforms import userstate
from google.api_core.exceptions import DeadlineExceeded

# The Pub/Sub API's largest pull; one bundle gathers up to MESSAGES_PER_BUNDLE.
MAX_MESSAGES_PER_PULL = 1000
MESSAGES_PER_BUNDLE = 2000
# A follow-up pull only waits this long: the subscription may have been emptied by the previous one.
FOLLOW_UP_DEADLINE_S = 0.5


@dataclass
class _Pulled:
    received_messages: list[Any]


class _PullsMany:
    """A SubscriberClient whose `pull` gathers up to `per_bundle` messages, whatever the caller asked for."""

    def __init__(self, client: Any, per_bundle: int) -> None:
        self._client = client
        self._per_bundle = per_bundle

    def pull(self, subscription: str, max_messages: int, timeout: float) -> _Pulled:
        first = self._client.pull(subscription=subscription, max_messages=MAX_MESSAGES_PER_PULL, timeout=timeout)
        received = list(first.received_messages)
        last = len(received)
        while last and len(received) < self._per_bundle:
            try:
                more = self._client.pull(
                    subscription=subscription, max_messages=MAX_MESSAGES_PER_PULL, timeout=FOLLOW_UP_DEADLINE_S
                )
            except DeadlineExceeded:
                break
            last = len(more.received_messages)
            received.extend(more.received_messages)
            if last < len(first.received_messages):  # a short pull: the backlog is drained
                break
        return _Pulled(received)

    def acknowledge(self, subscription: str, ack_ids: list[str]) -> None:
        self._client.acknowledge(subscription=subscription, ack_ids=ack_ids)


class _PubSubReadManyEvaluator(transform_evaluator._PubSubReadEvaluator):
    @classmethod
    def _get_subscriber_client(cls, transform: Any) -> _PullsMany:
        return _PullsMany(super()._get_subscriber_client(transform), MESSAGES_PER_BUNDLE)


_uncached_dofn_specs = userstate.get_dofn_specs
_specs_by_class: weakref.WeakKeyDictionary[type, tuple[set[Any], set[Any]]] = weakref.WeakKeyDictionary()


def _dofn_specs_once_per_class(dofn: Any) -> tuple[set[Any], set[Any]]:
    # A method bound on the instance (e.g. beam.Map(obj.method)) could declare its own specs: not cached.
    if any(isinstance(value, types.MethodType) for value in vars(dofn).values()):
        return _uncached_dofn_specs(dofn)
    specs = _specs_by_class.get(type(dofn))
    if specs is None:
        specs = _specs_by_class[type(dofn)] = _uncached_dofn_specs(dofn)
    return set(specs[0]), set(specs[1])


def use_fast_local_streaming(fast: bool = True) -> None:
    """Applies both to every BundleBasedDirectRunner started later in this process; `fast=False` undoes them
    (the benchmark measures the runner as shipped that way)."""
    overrides = transform_evaluator.TransformEvaluatorRegistry._test_evaluators_overrides
    specs = _dofn_specs_once_per_class if fast else _uncached_dofn_specs
    if fast:
        overrides[_DirectReadFromPubSub] = _PubSubReadManyEvaluator
    else:
        overrides.pop(_DirectReadFromPubSub, None)
    userstate.get_dofn_specs = specs
    transform_evaluator.get_dofn_specs = specs
