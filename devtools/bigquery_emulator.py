"""A local BigQuery emulator (bqemulator) for tests and the local streaming demo; production never uses it.

`running_emulator()` starts `bqemulator` in its own process group on free loopback ports and stops the whole
group afterwards. `EmulatorBigQueryClient` lets Beam's real `WriteToBigQuery` (STREAMING_INSERTS) talk to it:
Beam's `BigQueryWrapper` uses its `test_client` both as the apitools `BigqueryV2` (tables/datasets/jobs) and as
the google-cloud-bigquery client (`insert_rows_json`), and the DoFn holding it is pickled, so the proxy pickles
as (project, url) and builds both real clients, without credentials, on first use in the worker.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devtools.processes import EmulatorUnavailableError, free_port, start_in_own_group, stop_group, wait_until_ready
from pipelines.sinks import schemas

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


def _bundled_spatial_extension() -> Path:
    """The spatial extension file shipped by the `duckdb-extension-spatial` wheel for this DuckDB version."""
    import duckdb

    try:
        import duckdb_extension_spatial
    except ImportError as error:
        raise EmulatorUnavailableError("duckdb-extension-spatial is not installed") from error
    package_dir = Path(duckdb_extension_spatial.__file__).parent
    candidates = sorted(package_dir.glob(f"extensions/v{duckdb.__version__}/**/spatial.duckdb_extension"))
    if not candidates:
        raise EmulatorUnavailableError(
            f"duckdb-extension-spatial ships no spatial extension for duckdb {duckdb.__version__}"
        )
    return candidates[0]


def install_spatial_extension() -> None:
    """Install DuckDB's spatial extension from the wheel into the user's extension directory.

    bqemulator refuses to start without spatial, and DuckDB would download it from the internet; installing the
    bundled file (DuckDB copies it to ~/.duckdb/extensions/<version>/<platform>/) works offline.
    """
    import duckdb

    with duckdb.connect() as connection:
        installed = connection.execute(
            "SELECT installed FROM duckdb_extensions() WHERE extension_name = 'spatial'"
        ).fetchone()
        if installed and installed[0]:
            return
        source = str(_bundled_spatial_extension()).replace("'", "''")
        connection.execute(f"INSTALL '{source}'")


@dataclass(frozen=True)
class BigQueryEmulator:
    """A running emulator: where it listens and which project it serves by default."""

    project: str
    rest_port: int
    grpc_port: int
    log_path: Path

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def client(self) -> Any:
        """An official `google.cloud.bigquery.Client` pointed at the emulator."""
        return emulator_client(self.project, self.rest_url)

    def beam_client(self) -> EmulatorBigQueryClient:
        """A picklable client to pass as `WriteToBigQuery(test_client=...)`."""
        return EmulatorBigQueryClient(self.project, self.rest_url)


def emulator_client(project: str, rest_url: str) -> Any:
    """google-cloud-bigquery client for `rest_url` with anonymous credentials, so it never looks for real ones."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=rest_url)
    )


class EmulatorBigQueryClient:
    """Beam `test_client` for the emulator: the real apitools and google-cloud clients behind one picklable object."""

    def __init__(self, project: str, rest_url: str) -> None:
        self.project = project
        self.rest_url = rest_url
        self._apitools: Any = None
        self._google_cloud: Any = None

    def __getstate__(self) -> dict[str, str]:
        # Live HTTP clients do not pickle; the worker rebuilds them from the endpoint.
        return {"project": self.project, "rest_url": self.rest_url}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.project = state["project"]
        self.rest_url = state["rest_url"]
        self._apitools = None
        self._google_cloud = None

    def _apitools_client(self) -> Any:
        if self._apitools is None:
            from apache_beam.io.gcp.internal.clients import bigquery as apitools_bigquery

            # No credentials and get_credentials=False: apitools sends unauthenticated requests and never asks
            # the metadata server, which is what an emulator on loopback wants.
            self._apitools = apitools_bigquery.BigqueryV2(
                url=f"{self.rest_url}/bigquery/v2/",
                credentials=None,
                get_credentials=False,
                response_encoding="utf8",
            )
        return self._apitools

    def _google_cloud_client(self) -> Any:
        if self._google_cloud is None:
            self._google_cloud = emulator_client(self.project, self.rest_url)
        return self._google_cloud

    # The apitools services BigQueryWrapper calls as `client.<service>.<Method>(request)`.
    @property
    def datasets(self) -> Any:
        return self._apitools_client().datasets

    @property
    def tables(self) -> Any:
        return self._apitools_client().tables

    @property
    def tabledata(self) -> Any:
        return self._apitools_client().tabledata

    @property
    def jobs(self) -> Any:
        return self._apitools_client().jobs

    def insert_rows_json(self, *args: Any, **kwargs: Any) -> Any:
        """BigQueryWrapper streams rows through google-cloud-bigquery's `insert_rows_json`."""
        return self._google_cloud_client().insert_rows_json(*args, **kwargs)


def _is_healthy(rest_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{rest_url}/healthz", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextlib.contextmanager
def running_emulator(
    project: str = "distillwatch-local", log_path: Path | None = None, timeout_s: float = STARTUP_TIMEOUT_S
) -> Iterator[BigQueryEmulator]:
    """Start an ephemeral bqemulator on free loopback ports; stop its whole process group on exit.

    Raises EmulatorUnavailableError when bqemulator or the bundled spatial extension is not installed.
    """
    try:
        import bqemulator  # noqa: F401
    except ImportError as error:
        raise EmulatorUnavailableError("bqemulator is not installed (pip install -e '.[test]')") from error
    install_spatial_extension()

    if log_path is None:
        log_path = Path(tempfile.mkdtemp(prefix="bqemulator-")) / "bqemulator.log"
    rest_port, grpc_port = free_port(), free_port()
    command = [
        sys.executable, "-m", "bqemulator", "start",
        "--rest-host", "127.0.0.1", "--rest-port", str(rest_port),
        "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port),
        "--project", project, "--ephemeral", "--log-level", "warning",
    ]  # fmt: skip
    process = start_in_own_group(command, log_path)
    try:
        emulator = BigQueryEmulator(project, rest_port, grpc_port, log_path)
        wait_until_ready(process, lambda: _is_healthy(emulator.rest_url), "bqemulator", log_path, timeout_s)
        yield emulator
    finally:
        stop_group(process, STOP_TIMEOUT_S)


def create_dataset_and_tables(client: Any, dataset: str) -> None:
    """Create `dataset` and the output tables (DAY-partitioned, clustered) as Terraform does in production."""
    from google.cloud import bigquery

    client.create_dataset(dataset, exists_ok=True)
    for table in schemas.TABLES.values():
        bq_table = bigquery.Table(
            f"{client.project}.{dataset}.{table.name}",
            schema=[bigquery.SchemaField.from_api_repr(f) for f in schemas.bigquery_schema(table)["fields"]],
        )
        bq_table.description = table.description
        bq_table.time_partitioning = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.DAY, field=table.partition_field
        )
        bq_table.clustering_fields = list(table.clustering)
        client.create_table(bq_table, exists_ok=True)
