"""Prometheus metrics of one server process, and the HTTP endpoint serving them with ``/healthz``.

Each ``Metrics`` owns its ``CollectorRegistry`` (several servers may live in one test process). The
app layer cannot import this package; the assembly hands it the ``Metrics`` object, whose methods
(``transition``, ``events_appended``, ``subscriber_joined``…) are the hooks it calls.

Per-RPC metrics follow the names of the Go gRPC middleware that Substra exposes:
``grpc_server_started_total``, ``grpc_server_handled_total`` (with ``grpc_code``) and the
``grpc_server_handling_seconds`` histogram, labelled ``grpc_type``, ``grpc_service``, ``grpc_method``.
"""

import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

RPC_LABELS = ("grpc_type", "grpc_service", "grpc_method")
TaskCounts = Callable[[], Mapping[tuple[str, str], int]]
"""Returns the number of tasks by ``(channel, status)``."""


class _TaskStatusCollector(Collector):
    def __init__(self) -> None:
        self.source: TaskCounts | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "podium_tasks", "Compute tasks by channel and status.", labels=["channel", "status"]
        )
        if self.source is not None:
            for (channel, status), count in sorted(self.source().items()):
                family.add_metric([channel, status], count)
        yield family


class Metrics:
    """The counters, gauges and histograms of one server process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.rpc_started = Counter("grpc_server_started", "RPCs started.", RPC_LABELS, registry=r)
        self.rpc_handled = Counter(
            "grpc_server_handled", "RPCs completed.", (*RPC_LABELS, "grpc_code"), registry=r
        )
        self.rpc_seconds = Histogram(
            "grpc_server_handling_seconds", "RPC handling time.", RPC_LABELS, registry=r
        )
        self.task_transitions = Counter(
            "podium_task_transitions",
            "Task status changes by target status.",
            ("channel", "status"),
            registry=r,
        )
        self.events = Counter(
            "podium_events_appended", "Events appended to the log.", ("channel",), registry=r
        )
        self.subscribers = Gauge("podium_live_subscribers", "Open event streams.", ("channel",), registry=r)
        self.tx_retries = Counter(
            "podium_transaction_retries", "Transactions run again after a conflict.", ("method",), registry=r
        )
        self.transactions = Counter(
            "podium_transactions", "Transactions by mode and outcome.", ("mode", "outcome"), registry=r
        )
        self._tasks = _TaskStatusCollector()
        r.register(self._tasks)

    # Hooks for the app and the servicers.
    def transition(self, channel: str, status: str, count: int = 1) -> None:
        """Count ``count`` tasks moved to ``status``."""
        self.task_transitions.labels(channel, status).inc(count)

    def events_appended(self, channel: str, count: int) -> None:
        """Count events written (after commit)."""
        self.events.labels(channel).inc(count)

    def subscriber_joined(self, channel: str) -> None:
        """An event stream opened."""
        self.subscribers.labels(channel).inc()

    def subscriber_left(self, channel: str) -> None:
        """An event stream ended."""
        self.subscribers.labels(channel).dec()

    def transaction_retry(self, method: str) -> None:
        """A unit of work is run again after a serialization conflict."""
        self.tx_retries.labels(method).inc()

    def transaction_retried(self) -> None:
        """``app.service.Telemetry``: a unit of work is run again after a conflict."""
        self.tx_retries.labels("").inc()

    def transaction_finished(self, read_only: bool, committed: bool) -> None:
        """``app.service.Telemetry``: one transaction attempt ended."""
        mode = "read" if read_only else "write"
        self.transactions.labels(mode, "commit" if committed else "rollback").inc()

    def set_task_counts_source(self, source: TaskCounts) -> None:
        """Give the function read at each scrape for the ``podium_tasks`` gauge."""
        self._tasks.source = source

    def rpc_done(self, labels: tuple[str, str, str], code: str, seconds: float) -> None:
        """Record one finished RPC; ``labels`` is ``(grpc_type, grpc_service, grpc_method)``."""
        self.rpc_handled.labels(*labels, code).inc()
        self.rpc_seconds.labels(*labels).observe(seconds)


def rpc_labels(full_method: str, rpc_type: str) -> tuple[str, str, str]:
    """``("/pkg.Service/Method", type)`` -> ``(type, "pkg.Service", "Method")``."""
    service, _, method = full_method.lstrip("/").partition("/")
    return rpc_type, service, method


class HttpEndpoint:
    """``/metrics`` (Prometheus text) and ``/healthz`` (200 while serving, else 503) on a thread."""

    def __init__(self, host: str, port: int, metrics: Metrics, is_serving: Callable[[], bool]) -> None:
        registry = metrics.registry

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/metrics":
                    self._answer(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif self.path == "/healthz":
                    serving = is_serving()
                    self._answer(200 if serving else 503, b"ok\n" if serving else b"shutting down\n")
                else:
                    self._answer(404, b"not found\n")

            def _answer(self, status: int, body: bytes, content_type: str = "text/plain") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Scrapes are not worth a log line."""

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="podium-http", daemon=True)

    def start(self) -> None:
        """Serve in a daemon thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
