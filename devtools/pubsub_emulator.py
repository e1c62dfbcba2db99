"""The Google Pub/Sub emulator for tests and the local streaming demo; production never uses it.

`PubSubEmulator` starts the emulator shipped with the Cloud SDK on a free loopback port, in its own
process group, and points every Pub/Sub client of this process at it through `PUBSUB_EMULATOR_HOST`
(google-cloud-pubsub, and so Beam's `ReadFromPubSub` on the DirectRunner, read that variable). On exit
it restores the variable and signals the whole process group, so a JVM the launcher forks (rather than
execs, as the Cloud SDK's does) cannot outlive it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent import futures
from pathlib import Path
from types import TracebackType
from typing import Any

from devtools.processes import EmulatorUnavailableError, free_port, start_in_own_group, stop_group, wait_until_ready
from pipelines.contract import UsageEvent, encode_event

EMULATOR_HOST_ENV = "PUBSUB_EMULATOR_HOST"
# Where the Cloud SDK's `pubsub-emulator` component installs its launcher; overridable for other layouts.
EMULATOR_BINARY_ENV = "DISTILLWATCH_PUBSUB_EMULATOR"
DEFAULT_BINARY = Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")
READY_LINE = "Server started"
STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
PUBLISH_TIMEOUT_S = 30.0
DEFAULT_PROJECT = "distillwatch-local"
# Attributes the pipeline reads: `event_time` is ReadFromPubSub's timestamp_attribute (RFC 3339), `event_id`
# the dedup attribute on Dataflow (`--pubsub-id-label event_id`).
EVENT_TIME_ATTRIBUTE = "event_time"
EVENT_ID_ATTRIBUTE = "event_id"


def emulator_binary() -> Path:
    """The emulator launcher, after checking that it and `java` exist; raises EmulatorUnavailableError."""
    binary = Path(os.environ.get(EMULATOR_BINARY_ENV) or DEFAULT_BINARY)
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise EmulatorUnavailableError(
            f"Pub/Sub emulator not found at {binary} (install the Cloud SDK `pubsub-emulator` component "
            f"or set {EMULATOR_BINARY_ENV})"
        )
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home) / "bin" / "java" if java_home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise EmulatorUnavailableError("the Pub/Sub emulator needs Java, and no `java` was found (PATH, JAVA_HOME)")
    return binary


class PubSubEmulator:
    """Context manager: a running emulator, with `PUBSUB_EMULATOR_HOST` set for this process while inside.

    Usage: `with PubSubEmulator() as emulator: subscription = emulator.create_topic_and_subscription("t1", "s1")`.
    Raises EmulatorUnavailableError on entry when the emulator or Java is not installed.
    """

    def __init__(
        self,
        project: str = DEFAULT_PROJECT,
        log_path: Path | None = None,
        startup_timeout_s: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self.project = project
        self.log_path = log_path
        self.startup_timeout_s = startup_timeout_s
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._saved_host: str | None = None
        self._own_log_dir: Path | None = None  # created here when no log_path is given; removed on exit

    @property
    def host(self) -> str:
        """`127.0.0.1:PORT`, the value of PUBSUB_EMULATOR_HOST for clients in other processes."""
        if self.port is None:
            raise RuntimeError("the emulator is not running")
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> PubSubEmulator:
        binary = emulator_binary()
        if self.log_path is None:
            self._own_log_dir = Path(tempfile.mkdtemp(prefix="pubsub-emulator-"))
            self.log_path = self._own_log_dir / "emulator.log"
        self.port = free_port()
        log_path = self.log_path
        self._process = start_in_own_group([str(binary), "--host=127.0.0.1", f"--port={self.port}"], log_path)
        try:
            wait_until_ready(
                self._process,
                lambda: READY_LINE in log_path.read_text(errors="replace"),
                "Pub/Sub emulator",
                log_path,
                self.startup_timeout_s,
            )
        except BaseException:
            self._stop()
            raise
        self._saved_host = os.environ.get(EMULATOR_HOST_ENV)
        os.environ[EMULATOR_HOST_ENV] = self.host
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._saved_host is None:
            os.environ.pop(EMULATOR_HOST_ENV, None)
        else:
            os.environ[EMULATOR_HOST_ENV] = self._saved_host
        self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_group(process, STOP_TIMEOUT_S)
        # A failed start has already put the log's tail into its exception.
        if self._own_log_dir is not None:
            shutil.rmtree(self._own_log_dir, ignore_errors=True)
            self._own_log_dir = self.log_path = None

    def create_topic_and_subscription(self, topic: str, subscription: str, ack_deadline_s: int = 60) -> str:
        """Creates `topic` and a pull `subscription` on it in this emulator's project; returns the subscription path."""
        return create_topic_and_subscription(self.project, topic, subscription, ack_deadline_s)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic}"


def create_topic_and_subscription(project: str, topic: str, subscription: str, ack_deadline_s: int = 60) -> str:
    """Creates topic and pull subscription with the official client (emulator via PUBSUB_EMULATOR_HOST)."""
    from google.cloud import pubsub_v1

    with pubsub_v1.PublisherClient() as publisher, pubsub_v1.SubscriberClient() as subscriber:
        topic_path = publisher.topic_path(project, topic)
        subscription_path = subscriber.subscription_path(project, subscription)
        publisher.create_topic(name=topic_path)
        subscriber.create_subscription(name=subscription_path, topic=topic_path, ack_deadline_seconds=ack_deadline_s)
    return subscription_path


def rfc3339(moment: dt.datetime) -> str:
    """UTC, microseconds, `Z`: a form both Beam's timestamp_attribute and BigQuery parse."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_attributes(event: UsageEvent) -> dict[str, str]:
    return {EVENT_TIME_ATTRIBUTE: rfc3339(event.event_time), EVENT_ID_ATTRIBUTE: event.event_id}


class EventPublisher:
    """Publishes contract-v1 events (UTF-8 JSON data, `event_time`/`event_id` attributes) to one topic."""

    def __init__(self, topic_path: str) -> None:
        from google.cloud import pubsub_v1

        self.topic_path = topic_path
        self._client = pubsub_v1.PublisherClient()

    def publish_events(self, events: Iterable[UsageEvent], timeout_s: float = PUBLISH_TIMEOUT_S) -> list[str]:
        """Publishes and waits for every message to be accepted; returns the message ids in order."""
        return self._wait(
            [self._client.publish(self.topic_path, encode_event(e), **event_attributes(e)) for e in events], timeout_s
        )

    def publish_raw(
        self, data: bytes, attributes: dict[str, str] | None = None, timeout_s: float = PUBLISH_TIMEOUT_S
    ) -> str:
        """Any payload, e.g. a malformed record; without `event_time` the publish time is its timestamp."""
        return self._wait([self._client.publish(self.topic_path, data, **(attributes or {}))], timeout_s)[0]

    @staticmethod
    def _wait(pending: list[Any], timeout_s: float) -> list[str]:
        _, not_done = futures.wait(pending, timeout=timeout_s)
        if not_done:
            raise TimeoutError(f"{len(not_done)} of {len(pending)} messages not published after {timeout_s}s")
        return [future.result() for future in pending]

    def close(self) -> None:
        self._client.stop()  # every publish above already waited for its futures: nothing is left to flush
        self._client.transport.close()

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class PacedPublisher(threading.Thread):
    """Publishes whatever `produce(now)` returns every `interval_s` (POSIX `now`) until `stop()`.

    A live feed for the demo, a heartbeat for tests: the BundleBasedDirectRunner runs one worker thread
    whose Pub/Sub pull blocks for up to 30 s on an idle subscription, stalling the watermark, timers and
    `cancel()`; steady traffic keeps every pull short. `bytes` items are published as raw (malformed) records.
    """

    def __init__(
        self,
        publisher: EventPublisher,
        produce: Callable[[float], Iterable[UsageEvent | bytes]],
        interval_s: float = 0.5,
    ) -> None:
        super().__init__(name="distillwatch-paced-publisher", daemon=True)
        self._publisher = publisher
        self._produce = produce
        self._interval_s = interval_s
        self._stop_requested = threading.Event()
        self.published = 0
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            while not self._stop_requested.wait(self._interval_s):
                items = list(self._produce(time.time()))
                events = [item for item in items if isinstance(item, UsageEvent)]
                self.published += len(self._publisher.publish_events(events))
                for item in items:
                    if isinstance(item, bytes):
                        self._publisher.publish_raw(item)
                        self.published += 1
        except Exception as error:  # noqa: BLE001 - the owner thread checks `error` and decides
            self.error = error

    def stop(self, timeout_s: float = PUBLISH_TIMEOUT_S) -> None:
        self._stop_requested.set()
        if self.is_alive():
            self.join(timeout=timeout_s)
