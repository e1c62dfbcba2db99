"""Fault injection for sink tests: an HTTP proxy in front of an emulator that fails the requests it is told to."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}

# What to do with a request: None = forward it, an int = answer that HTTP status without forwarding,
# "drop" = close the connection without any answer (the request never reaches the emulator).
Fault = int | str | None


@dataclass
class FaultyProxy:
    target: str  # http://host:port of the real endpoint
    plan: Callable[[str, str], Fault]  # (method, path) -> fault
    url: str = ""
    seen: list[tuple[str, str, Fault]] = field(default_factory=list)

    def faults(self, path_part: str) -> list[Fault]:
        return [fault for _, path, fault in self.seen if path_part in path and fault is not None]


def fail_first(count: int, path_part: str, fault: Fault) -> Callable[[str, str], Fault]:
    """A plan failing the first `count` requests whose path contains `path_part`."""
    remaining = {"n": count}
    lock = threading.Lock()

    def plan(method: str, path: str) -> Fault:
        if path_part not in path:
            return None
        with lock:
            if remaining["n"] <= 0:
                return None
            remaining["n"] -= 1
            return fault

    return plan


@contextmanager
def faulty_proxy(target: str, plan: Callable[[str, str], Fault]) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(target, plan)
    upstream = urlsplit(target)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: a dropped connection drops one request

        def log_message(self, *args: object) -> None:
            pass

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = proxy.plan(self.command, self.path)
            proxy.seen.append((self.command, self.path, fault))
            if fault == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if isinstance(fault, int):
                payload = b'{"error": {"code": %d, "message": "injected", "errors": []}}' % fault
                self.send_response(fault)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _relay

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="faulty-proxy", daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
