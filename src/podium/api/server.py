"""Server assembly: ``build_server`` wires settings, identity, interceptor, servicers, health,
reflection, metrics and transport security into a started ``RunningServer``.

To add a service, extend ``register_servicers``: register the servicer and return its full name so
that health and reflection list it. Long-lived streaming handlers must watch ``shutdown_event`` and
end when it is set, so that shutdown finishes within the grace period and clients resume from their
cursor.
"""

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from podium.api.channels import ChannelRegistry
from podium.api.generated import info_pb2, info_pb2_grpc
from podium.api.identity import Identifier
from podium.api.info_servicer import InfoServicer
from podium.api.interceptors import RequestInterceptor
from podium.api.metrics import HttpEndpoint, Metrics
from podium.api.servicers.registry import register_orchestrator_services
from podium.api.settings import Settings, split_address
from podium.api.tls import ClientCAs, server_credentials
from podium.app.ports import Database
from podium.app.retry import RetryPolicy
from podium.app.service import Orchestrator

logger = logging.getLogger(__name__)


def register_servicers(
    server: grpc.Server,
    orchestrator: Orchestrator | None,
    shutdown_event: threading.Event,
    settings: Settings | None = None,
) -> list[str]:
    """Register the ``orchestrator.*`` servicers on ``server``.

    Args:
        server: the gRPC server, not started yet.
        orchestrator: the use cases; ``None`` when serving without storage (only ``InfoService``).
        shutdown_event: set when the server stops; streaming handlers end when it is set.
        settings: replay batch size and subscriber limit of the event service (defaults otherwise).

    Returns:
        The full names of the registered services (for health and reflection).
    """
    info_pb2_grpc.add_InfoServiceServicer_to_server(InfoServicer(), server)
    names = [info_pb2.DESCRIPTOR.services_by_name["InfoService"].full_name]
    if orchestrator is not None:
        settings = settings or Settings()
        names += register_orchestrator_services(
            server,
            orchestrator,
            shutdown_event,
            replay_batch_size=settings.replay_batch_size,
            max_subscribers=settings.max_subscribers,
        )
    return names


@dataclass
class RunningServer:
    """A started server and what its owner needs to observe and stop it."""

    settings: Settings
    server: Any
    port: int
    health: health.HealthServicer
    channels: ChannelRegistry
    metrics: Metrics
    shutdown_event: threading.Event
    database: Database | None
    http: HttpEndpoint | None
    services: list[str] = field(default_factory=list)
    executor: ThreadPoolExecutor | None = None
    _stopped: bool = False

    @property
    def http_port(self) -> int | None:
        """The bound port of the HTTP endpoint, ``None`` when disabled."""
        return None if self.http is None else self.http.port

    def is_serving(self) -> bool:
        """True until ``stop`` begins."""
        return not self.shutdown_event.is_set()

    def stop(self, grace: float | None = None) -> None:
        """Shut down in order: health NOT_SERVING, streams told to end, refuse new calls and wait up
        to ``grace`` seconds (default from settings) for running ones, stop HTTP, close the database.
        Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        logger.info("shutting down (grace %.1fs)", grace)
        self.health.enter_graceful_shutdown()
        self.shutdown_event.set()
        self.server.stop(grace).wait(grace + 5.0)
        self._drain_handlers(grace + 5.0)
        if self.http is not None:
            self.http.stop()
        close = getattr(self.database, "close", None)
        if callable(close):
            close()
        logger.info("stopped")

    def _drain_handlers(self, timeout: float) -> None:
        # gRPC stops dispatching but does not stop handler threads: an event stream notices the
        # shutdown event at its next wake-up. Wait for them (bounded) so that none still holds a
        # database connection when the database closes.
        if self.executor is None:
            return
        drained = threading.Thread(
            target=self.executor.shutdown, kwargs={"wait": True, "cancel_futures": True}
        )
        drained.start()
        drained.join(timeout)
        if drained.is_alive():
            logger.warning(
                "handlers still running %.1fs after shutdown; closing the database anyway", timeout
            )

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the gRPC server terminates or ``timeout`` passes; True when it terminated."""
        return bool(self.server.wait_for_termination(timeout))


def build_server(
    settings: Settings,
    database: Database | None,
    orchestrator: Orchestrator | None = None,
    *,
    channels: ChannelRegistry | None = None,
    extra_handlers: Sequence[Any] = (),
) -> RunningServer:
    """Assemble, bind and start the server described by ``settings``.

    Args:
        settings: checked settings (``Settings.check``).
        database: the storage; closed by ``RunningServer.stop``. ``None`` serves ``InfoService`` only.
        orchestrator: the use cases; built over ``database`` when ``None``.
        channels: the membership registry; loaded from ``settings.channel_config`` when ``None``.
        extra_handlers: more generic RPC handlers (tests use them to exercise the interceptor).

    Raises:
        ChannelConfigError, TlsConfigError: unreadable configuration.
        RuntimeError: the address cannot be bound.
    """
    channels = channels or ChannelRegistry.from_path(settings.channel_config)
    client_cas = ClientCAs.load(settings.tls_client_ca_dir) if settings.tls_client_ca_dir else None
    metrics = Metrics()
    if orchestrator is None and database is not None:
        retry = RetryPolicy(budget=settings.tx_retry_budget_seconds)
        orchestrator = Orchestrator(database, retry=retry, telemetry=metrics)
    identifier = Identifier(channels, client_cas if settings.verify_client_msp_id else None)
    # Event streams hold a thread each for their whole life: give them their own share of the pool so
    # that subscribers never starve unary requests (the event service refuses streams past the limit).
    executor = ThreadPoolExecutor(
        max_workers=settings.threads + settings.max_subscribers, thread_name_prefix="podium-rpc"
    )
    server = grpc.server(
        executor,
        interceptors=[RequestInterceptor(identifier, metrics)],
        options=settings.grpc_options(),
    )
    shutdown_event = threading.Event()
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    services = register_servicers(server, orchestrator, shutdown_event, settings)
    if extra_handlers:
        server.add_generic_rpc_handlers(tuple(extra_handlers))
    reflection.enable_server_reflection(
        (*services, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
        server,
    )
    port = _bind(server, settings, client_cas)
    running = RunningServer(
        settings,
        server,
        port,
        health_servicer,
        channels,
        metrics,
        shutdown_event,
        database,
        None,
        services,
        executor=executor,
    )
    if settings.http_enabled:
        host, http_port = split_address(settings.http_listen, "PODIUM_HTTP_LISTEN")
        running.http = HttpEndpoint(host, http_port, metrics, running.is_serving)
    server.start()
    if running.http is not None:
        running.http.start()
    for name in ("", *services):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    logger.info(
        "serving on %s:%d (%s)",
        split_address(settings.listen, "PODIUM_LISTEN")[0],
        port,
        "plain text" if settings.insecure else ("mTLS" if settings.mtls else "TLS"),
    )
    return running


def _bind(server: Any, settings: Settings, client_cas: ClientCAs | None) -> int:
    if settings.insecure:
        logger.warning("serving PLAIN TEXT on %s: no transport security (--insecure)", settings.listen)
        port = server.add_insecure_port(settings.listen)
    else:
        assert settings.tls_cert is not None  # Settings.check
        assert settings.tls_key is not None
        credentials = server_credentials(
            settings.tls_cert,
            settings.tls_key,
            server_ca_path=settings.tls_server_ca if settings.mtls else None,
            client_cas=(client_cas or ClientCAs({}, b"")) if settings.mtls else None,
        )
        port = server.add_secure_port(settings.listen, credentials)
    if not port:
        raise RuntimeError(f"cannot listen on {settings.listen}")
    return int(port)
