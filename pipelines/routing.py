"""Routing: unsuppressed alerts and campaign alerts go to a Pub/Sub topic as JSON, for Slack/PagerDuty bridges.

Each message carries `severity` and `kind` (account | campaign) as attributes, so a subscription can filter
(`attributes.severity = "critical"`) without parsing the body. Beam's own WriteToPubSub publishes them: since
Beam 2.6x its non-Dataflow path is a batched DoFn over the official google-cloud-pubsub client, which runs on
the FnApiRunner (batch replays) and the BundleBasedDirectRunner (streaming) alike, attributes included.
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import orjson
from apache_beam.io.gcp.pubsub import PubsubMessage, WriteToPubSub

ACCOUNT = "account"
CAMPAIGN = "campaign"


def alert_message(row: dict[str, Any], kind: str) -> PubsubMessage:
    """The row as the message body; what subscribers filter on as attributes."""
    return PubsubMessage(
        data=orjson.dumps({"kind": kind, **row}, default=str),
        attributes={"severity": row["severity"], "kind": kind},
    )


def is_routed(row: dict[str, Any]) -> bool:
    return row.get("suppressed_by") is None


class PublishAlerts(beam.PTransform):
    """{kind: PCollection of alert rows} -> messages on `topic` (projects/P/topics/T), suppressed rows skipped."""

    def __init__(self, topic: str) -> None:
        super().__init__()
        self._topic = topic

    def expand(self, rows_by_kind: dict[str, beam.PCollection]) -> beam.pvalue.PDone:
        messages = [
            rows | f"Routed_{kind}" >> beam.Filter(is_routed) | f"Message_{kind}" >> beam.Map(alert_message, kind)
            for kind, rows in rows_by_kind.items()
        ]
        return (
            messages
            | "AllAlertMessages" >> beam.Flatten()
            | "WriteToPubSub" >> WriteToPubSub(self._topic, with_attributes=True)
        )
