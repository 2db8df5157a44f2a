"""``podium agent``: one organization's event-driven scheduler, asset server and recovery sweeper.

Start: register the organization (its address is the asset server's URL; already registered is
fine), serve its files over mutual TLS (permissions asked to the orchestrator), re-derive pending
work from the orchestrator (``recovery.sweep(at_start=True)``), then follow the channel
(``ChannelConsumer``) and sweep periodically. Exit codes: 0 stopped by a signal, 3 the ledger is
broken (the agent refuses to act and says where and why), 1 another fatal error.
"""

import logging
import threading
import time
from typing import Final

from podium.agent.assets import AssetServer, OrchestratorPermissions, server_context
from podium.agent.consumer import ChannelConsumer
from podium.agent.cursor import CursorStore
from podium.agent.executor import Executor
from podium.agent.housekeeping import Housekeeping
from podium.agent.leases import LeaseStore
from podium.agent.node import NodeConfig
from podium.agent.queue import make_app
from podium.agent.recovery import Sweeper, sweep
from podium.agent.storage import LocalStorage
from podium.client import AlreadyExists, OrchestratorClient, OrchestratorError, TransientError
from podium.domain.ledger import LedgerBroken

logger = logging.getLogger("podium.agent")

EXIT_LEDGER_BROKEN: Final = 3
START_TIMEOUT: Final = 120.0


def asset_base_url(config: NodeConfig, server: AssetServer | None) -> str:
    if config.asset_url:
        return config.asset_url.rstrip("/")
    return server.url if server is not None else f"https://{config.asset_listen}"


def start_asset_server(
    config: NodeConfig, client: OrchestratorClient, storage: LocalStorage
) -> AssetServer | None:
    if not (config.tls_ca and config.tls_cert and config.tls_key):
        logger.warning("no TLS files: the asset server is not started (peers cannot download from us)")
        return None
    host, _, port = config.asset_listen.rpartition(":")
    server = AssetServer(
        storage,
        OrchestratorPermissions(client),
        server_context(config.tls_cert, config.tls_key, [config.tls_ca]),
        host=host.strip("[]") or "127.0.0.1",
        port=int(port or 0),
    )
    server.start()
    logger.info("asset server listening at %s", server.url)
    return server


def _register(client: OrchestratorClient, address: str, stop: threading.Event) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            client.register_organization(address=address)
            logger.info("organization registered with address %s", address)
            return
        except AlreadyExists:
            return
        except TransientError:
            if time.monotonic() > deadline or stop.wait(1.0):
                raise


def run_agent(config: NodeConfig, stop: threading.Event) -> int:
    """Run until ``stop`` is set; return the exit code."""
    storage = LocalStorage(config.storage_dir)
    leases = LeaseStore(config.leases_path)
    cursors = CursorStore(config.cursors_dir)
    client = OrchestratorClient(config.client_config())
    server: AssetServer | None = None
    fatal: list[int] = []
    try:
        server = start_asset_server(config, client, storage)
        _register(client, asset_base_url(config, server), stop)
        executor = Executor(config, client, make_app(config), storage, leases)
        sweep(executor, at_start=True)
        housekeeping = Housekeeping(executor.execute, stop)
        housekeeping.start()
        consumer = ChannelConsumer(
            client.for_channel(config.channel),
            config.channel,
            executor,
            cursors,
            stop,
            housekeeping=housekeeping,
        )

        def consume() -> None:
            try:
                consumer.run()
            except LedgerBroken as broken:
                logger.error(
                    "LEDGER BROKEN in channel %s at position %d: %s. The agent refuses to act on this "
                    "channel and stops.",
                    config.channel,
                    broken.position,
                    broken.reason,
                )
                fatal.append(EXIT_LEDGER_BROKEN)
            except Exception:
                logger.exception("channel %s: the consumer failed", config.channel)
                fatal.append(1)
            finally:
                stop.set()

        thread = threading.Thread(target=consume, name=f"channel-{config.channel}", daemon=True)
        thread.start()
        sweeper = Sweeper(executor, stop)
        sweeper.start()
        while not stop.wait(0.5):
            pass
        consumer.cancel_stream()
        thread.join(timeout=10)
        sweeper.join(timeout=10)
        housekeeping.join()
    except OrchestratorError as error:
        logger.error("cannot reach the orchestrator: %s", error)
        return 1
    finally:
        if server is not None:
            server.stop()
        client.close()
    return fatal[0] if fatal else 0
