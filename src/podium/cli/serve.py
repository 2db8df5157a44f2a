"""``podium serve``: run the orchestrator's gRPC service until SIGTERM or SIGINT.

Every flag can also be given as a ``PODIUM_*`` environment variable (docs/configuration.md). The
settings are parsed and checked here, once. With ``--processes N`` (N > 1) the command forks N
workers before any gRPC object exists; they share the gRPC port through ``SO_REUSEPORT``, worker
``i`` serves HTTP on the HTTP port + ``i``, and the parent forwards signals and exits with 0 when
every worker did. SIGHUP reloads the channel configuration.
"""

import dataclasses
import gc
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Final

import typer

from podium.api.channels import ChannelConfigError
from podium.api.logs import configure_logging
from podium.api.settings import (
    DEFAULT_DATABASE_URL,
    MIB,
    Settings,
    SettingsError,
    ensure_sqlite_directory,
    split_address,
)
from podium.api.tls import TlsConfigError
from podium.store import SqlDatabase
from podium.store import open_database as open_store

logger = logging.getLogger("podium.serve")

SHUTDOWN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def serve(
    *,
    database_url: Annotated[
        str, typer.Option(envvar="PODIUM_DATABASE_URL", help="Database URL.")
    ] = DEFAULT_DATABASE_URL,
    listen: Annotated[str, typer.Option(envvar="PODIUM_LISTEN", help="gRPC host:port.")] = "127.0.0.1:9000",
    http_listen: Annotated[
        str,
        typer.Option(envvar="PODIUM_HTTP_LISTEN", help="host:port of /metrics and /healthz; 'off' disables."),
    ] = "127.0.0.1:8484",
    channel_config: Annotated[
        Path | None, typer.Option(envvar="PODIUM_CHANNEL_CONFIG", help="Channel YAML file.")
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", envvar="PODIUM_INSECURE", help="Serve plain text.")
    ] = False,
    tls_cert: Annotated[
        Path | None, typer.Option(envvar="PODIUM_TLS_CERT", help="Server certificate (PEM).")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option(envvar="PODIUM_TLS_KEY", help="Server private key (PEM).")
    ] = None,
    mtls: Annotated[
        bool, typer.Option("--mtls", envvar="PODIUM_MTLS", help="Require client certificates.")
    ] = False,
    tls_server_ca: Annotated[
        Path | None, typer.Option(envvar="PODIUM_TLS_SERVER_CA", help="CA added to the pool.")
    ] = None,
    tls_client_ca_dir: Annotated[
        Path | None, typer.Option(envvar="PODIUM_TLS_CLIENT_CA_DIR", help="Directory of <MSPID>/ CA folders.")
    ] = None,
    verify_client_msp_id: Annotated[
        bool,
        typer.Option(
            "--verify-client-msp-id",
            envvar="PODIUM_VERIFY_CLIENT_MSP_ID",
            help="Check mspid against the cert.",
        ),
    ] = False,
    max_message_bytes: Annotated[
        int, typer.Option(envvar="PODIUM_MAX_MESSAGE_BYTES", help="Max message size.")
    ] = 64 * MIB,
    tx_retry_budget_seconds: Annotated[float, typer.Option(envvar="PODIUM_TX_RETRY_BUDGET_SECONDS")] = 2.0,
    log_level: Annotated[str, typer.Option(envvar="PODIUM_LOG_LEVEL")] = "info",
    processes: Annotated[
        int, typer.Option(envvar="PODIUM_PROCESSES", help="Server processes sharing the port.")
    ] = 1,
    threads: Annotated[int, typer.Option(envvar="PODIUM_THREADS", help="RPC threads per process.")] = 32,
    keepalive_time_seconds: Annotated[float, typer.Option(envvar="PODIUM_KEEPALIVE_TIME_SECONDS")] = 60.0,
    keepalive_timeout_seconds: Annotated[
        float, typer.Option(envvar="PODIUM_KEEPALIVE_TIMEOUT_SECONDS")
    ] = 20.0,
    keepalive_min_time_seconds: Annotated[
        float, typer.Option(envvar="PODIUM_KEEPALIVE_MIN_TIME_SECONDS")
    ] = 30.0,
    keepalive_permit_without_stream: Annotated[
        bool,
        typer.Option("--keepalive-permit-without-stream", envvar="PODIUM_KEEPALIVE_PERMIT_WITHOUT_STREAM"),
    ] = False,
    replay_batch_size: Annotated[int, typer.Option(envvar="PODIUM_REPLAY_BATCH_SIZE")] = 500,
    max_subscribers: Annotated[
        int, typer.Option(envvar="PODIUM_MAX_SUBSCRIBERS", help="Open event streams per process.")
    ] = 256,
    shutdown_grace_seconds: Annotated[float, typer.Option(envvar="PODIUM_SHUTDOWN_GRACE_SECONDS")] = 10.0,
) -> None:
    """Run the orchestrator's gRPC service."""
    try:
        settings = Settings(
            database_url=database_url,
            listen=listen,
            http_listen=http_listen,
            channel_config=channel_config,
            insecure=insecure,
            tls_cert=tls_cert,
            tls_key=tls_key,
            mtls=mtls,
            tls_server_ca=tls_server_ca,
            tls_client_ca_dir=tls_client_ca_dir,
            verify_client_msp_id=verify_client_msp_id,
            max_message_bytes=max_message_bytes,
            tx_retry_budget_seconds=tx_retry_budget_seconds,
            log_level=log_level,
            processes=processes,
            threads=threads,
            keepalive_time_seconds=keepalive_time_seconds,
            keepalive_timeout_seconds=keepalive_timeout_seconds,
            keepalive_min_time_seconds=keepalive_min_time_seconds,
            keepalive_permit_without_stream=keepalive_permit_without_stream,
            replay_batch_size=replay_batch_size,
            max_subscribers=max_subscribers,
            shutdown_grace_seconds=shutdown_grace_seconds,
        ).check()
    except SettingsError as error:
        typer.echo(f"podium serve: {error}", err=True)
        raise typer.Exit(2) from error
    configure_logging(settings.log_level)
    code = run_worker(settings) if settings.processes == 1 else supervise(settings)
    raise typer.Exit(code)


def open_database(settings: Settings, *, migrate: bool | None = None) -> SqlDatabase:
    """The storage named by ``settings.database_url``, creating the SQLite folder (the embedded mode
    migrates its schema by itself; PostgreSQL must be migrated by ``podium migrate``)."""
    ensure_sqlite_directory(settings.database_url)
    return open_store(settings.database_url, auto_migrate=migrate)


def run_worker(settings: Settings, *, migrate: bool | None = None) -> int:
    """Serve in this process until SIGTERM/SIGINT; return the exit code. ``migrate=False`` when the
    supervisor has migrated already."""
    from podium.api.server import build_server  # grpc objects only after any fork

    try:
        database = open_database(settings, migrate=migrate)
    except Exception as error:
        logger.error("cannot open the database: %s", error)
        return 1
    try:
        running = build_server(settings, database)
    except (ChannelConfigError, TlsConfigError, RuntimeError, OSError) as error:
        logger.error("cannot start: %s", error)
        database.close()
        return 1
    tune_garbage_collector()
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info("received %s", signal.Signals(signum).name)
        stop.set()

    def reload(signum: int, frame: FrameType | None) -> None:
        running.channels.reload()

    for signum in SHUTDOWN_SIGNALS:
        signal.signal(signum, request_stop)
    signal.signal(signal.SIGHUP, reload)
    # Bounded waits so that signal handlers run promptly in the main thread.
    while not stop.wait(0.5):
        pass
    running.stop()
    return 0


GC_THRESHOLDS: Final = (10_000, 50, 100)
"""The cyclic garbage collector's thresholds in a serving process (Python's default: 700, 10, 10)."""


def tune_garbage_collector() -> None:
    """Collect cycles less often in a serving process. A request allocates thousands of objects (a
    10,000-task registration, millions) and nearly all are freed by reference counting; with the
    default thresholds the collector ran every 700 allocations and fully every 70,000, scanning every
    live object each time: 25-30% of a registration's CPU (docs/performance.md). ``gc.freeze()`` first
    moves what startup built (modules, settings, the schema, the server) out of the collector's sight."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def supervise(settings: Settings) -> int:
    """Fork ``settings.processes`` workers, forward signals to them, return 0 when all exit with 0."""
    try:
        # Migrate (embedded mode) once, here, rather than racing in every worker; no connection
        # may cross the fork.
        open_database(settings).close()
    except Exception as error:
        logger.error("cannot open the database: %s", error)
        return 1
    children: list[int] = []
    for index in range(settings.processes):
        pid = os.fork()
        if pid == 0:
            os._exit(run_worker(_worker_settings(settings, index), migrate=False))
        children.append(pid)
    logger.info("started %d worker processes: %s", len(children), children)

    def forward(signum: int, frame: FrameType | None) -> None:
        for child in children:
            try:
                os.kill(child, signum)
            except ProcessLookupError:
                continue

    for signum in (*SHUTDOWN_SIGNALS, signal.SIGHUP):
        signal.signal(signum, forward)
    worst = 0
    for child in children:
        _, status = os.waitpid(child, 0)
        worst = max(worst, abs(os.waitstatus_to_exitcode(status)))
    sys.stderr.flush()
    return worst


def _worker_settings(settings: Settings, index: int) -> Settings:
    if not settings.http_enabled or index == 0:
        return settings
    host, port = split_address(settings.http_listen, "PODIUM_HTTP_LISTEN")
    if port == 0:
        return settings
    return dataclasses.replace(settings, http_listen=f"{host}:{port + index}")
