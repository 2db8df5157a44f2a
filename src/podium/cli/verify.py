"""``podium verify``: check a channel's hash chain as served by the orchestrator.

Reads the channel's head, streams its events from the beginning up to that head and verifies the
chain (docs/ledger.md); prints the verified head, or the first bad position and why (exit 1).
``--from-position/--from-hash`` start from a head verified earlier (events before it are skipped,
the one at that position must have that hash).
"""

from typing import Annotated

import typer

from podium.cli.common import (
    EXIT_FAILED,
    EXIT_SETTINGS,
    Channel,
    Home,
    Identity,
    Insecure,
    Json,
    Orchestrator,
    Org,
    TlsCa,
    TlsCert,
    TlsKey,
    fail,
    sdk_client,
)
from podium.cli.output import console, print_json
from podium.domain.ledger import GENESIS_HASH
from podium.sdk import verify_channel


def verify(
    *,
    channel: Channel = None,
    from_position: Annotated[int, typer.Option(help="Position of a trusted head (0: genesis).")] = 0,
    from_hash: Annotated[str, typer.Option(help="Hash of the trusted head.")] = GENESIS_HASH,
    timeout: Annotated[float, typer.Option(help="Seconds to stream at most.")] = 600.0,
    json_output: Json = False,
    org: Org = None,
    orchestrator: Orchestrator = None,
    home: Home = None,
    insecure: Insecure = False,
    tls_ca: TlsCa = None,
    tls_cert: TlsCert = None,
    tls_key: TlsKey = None,
) -> None:
    """Verify the hash chain of a channel's events; exit 1 at the first bad position."""
    if from_position > 0 and from_hash == GENESIS_HASH:
        fail("--from-position needs --from-hash (the hash you verified at that position)", code=EXIT_SETTINGS)
    identity = Identity(org, channel, orchestrator, home, insecure, tls_ca, tls_cert, tls_key)
    with sdk_client(identity) as client:
        try:
            result = verify_channel(
                client.orchestrator, start_position=from_position, start_hash=from_hash, timeout=timeout
            )
        except ValueError as error:
            fail(str(error), code=EXIT_SETTINGS)
        name = client.orchestrator.channel
    if json_output:
        print_json(
            {
                "channel": name,
                "ok": result.ok,
                "head_position": result.head_position,
                "head_hash": result.head_hash,
                "first_bad_position": result.first_bad_position,
                "reason": result.reason,
            }
        )
    elif result.ok:
        console().print(f"channel {name}: OK, {result.reason}")
        console().print(f"verified head: position {result.head_position} hash {result.head_hash}")
    else:
        console().print(f"channel {name}: BROKEN at position {result.first_bad_position}: {result.reason}")
        console().print(f"last good head: position {result.head_position} hash {result.head_hash}")
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
