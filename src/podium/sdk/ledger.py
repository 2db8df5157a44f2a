"""Verifying a channel's hash chain from the wire: ``event_from_message`` and ``verify_channel``.

An ``orchestrator.Event`` carries the ledger in its extension fields ``position`` and ``hash``
(docs/decisions/2026-11-28-ledger-on-the-wire.md). Its asset is rebuilt into the snapshot the server
hashed — the protobuf JSON mapping with proto field names, fields without presence always present,
unset optional fields omitted, enums by name, timestamps as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` and
floats as the binary64 widening of their binary32 value (docs/ledger.md) — by walking the message
descriptor, not with ``MessageToDict``, which prints timestamps and binary32 floats differently.
"""

import threading
from collections.abc import Iterator

from podium.api.generated import event_pb2
from podium.client import OrchestratorClient
from podium.client.ledger import event_from_message
from podium.domain.kinds import SortOrder
from podium.domain.ledger import GENESIS_HASH, ChainVerifier, LedgerBroken, Verification


def channel_head(client: OrchestratorClient) -> tuple[int, str]:
    """The position and hash of the client's channel's last event; ``(0, GENESIS_HASH)`` if empty."""
    for event in client.query_events(sort=SortOrder.DESCENDING, page_size=1):
        return int(event.position), event.hash
    return 0, GENESIS_HASH


def verify_channel(
    client: OrchestratorClient,
    *,
    start_position: int = 0,
    start_hash: str = GENESIS_HASH,
    timeout: float = 600.0,
) -> Verification:
    """Verify the client's channel from a trusted head up to the channel's current head.

    The head is read first (``QueryEvents`` descending, one event). With a trusted head past genesis,
    its event is fetched directly (``OrchestratorClient.event_at``) and must have ``start_hash``
    (else the trusted head is not in this history: reported at that position); the events after it
    are then streamed (``SubscribeToEvents`` from its id) until the head position. Against a server
    whose page tokens are not offsets, the stream starts at the channel's beginning and the events
    up to ``start_position`` are skipped, with the same check of the one at ``start_position``.

    Args:
        client: bound to the channel to verify.
        start_position, start_hash: the trusted head; position 0 and ``GENESIS_HASH`` for all.
        timeout: seconds after which an unfinished stream is cut (reported as not verified).

    Raises:
        ValueError: a negative position or malformed hash.
        OrchestratorError: the orchestrator refused the query or the stream.
    """
    verifier = ChainVerifier(start_position, start_hash, channel=client.channel)
    head_position, _ = channel_head(client)
    if head_position < start_position:
        return _broken(verifier, start_position, f"the channel's head is at position {head_position}")
    if head_position == start_position and start_position == 0:
        return Verification(True, 0, start_hash, None, "the channel has no events")
    after = ""  # stream from the first event, unless the trusted head's event is found directly
    if start_position > 0:
        anchor = client.event_at(start_position)
        if anchor is not None:
            if anchor.hash != start_hash:
                return _broken(verifier, start_position, f"the trusted head's hash differs: {anchor.hash!r}")
            if start_position == head_position:
                return Verification(
                    True,
                    start_position,
                    start_hash,
                    None,
                    f"0 events verified up to position {start_position}",
                )
            after = anchor.id
    stream = client.subscribe(after)
    timer = threading.Timer(timeout, stream.cancel)
    timer.start()
    try:
        return _consume(
            verifier=verifier,
            events=iter(stream),
            start_position=start_position,
            anchored=bool(after),
            start_hash=start_hash,
            head_position=head_position,
            timeout=timeout,
        )
    finally:
        timer.cancel()
        stream.cancel()


def _consume(
    *,
    verifier: ChainVerifier,
    events: Iterator[event_pb2.Event],
    start_position: int,
    start_hash: str,
    head_position: int,
    timeout: float,
    anchored: bool,
) -> Verification:
    anchored = anchored or start_position == 0  # the trusted head is known to be in this history
    for message in events:
        position = int(message.position)
        if not anchored and position > start_position:
            return _broken(verifier, start_position, "the event at the trusted position is missing")
        if position < start_position:
            continue
        if position == start_position:
            if message.hash != start_hash:
                return _broken(verifier, position, f"the trusted head's hash differs: {message.hash!r}")
            anchored = True
            if position < head_position:
                continue
        else:
            try:
                verifier.feed(event_from_message(message))
            except (LedgerBroken, ValueError) as broken:
                where = broken.position if isinstance(broken, LedgerBroken) else position
                reason = broken.reason if isinstance(broken, LedgerBroken) else str(broken)
                return _broken(verifier, where, reason)
        if verifier.head_position >= head_position:
            count = verifier.head_position - start_position
            return Verification(
                True,
                verifier.head_position,
                verifier.head_hash,
                None,
                f"{count} events verified up to position {verifier.head_position}",
            )
    return _broken(
        verifier,
        verifier.head_position + 1,
        f"the stream ended (or {timeout}s passed) before position {head_position}",
    )


def _broken(verifier: ChainVerifier, position: int, reason: str) -> Verification:
    return Verification(False, verifier.head_position, verifier.head_hash, position, reason)
