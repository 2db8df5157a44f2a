"""The tamper-evident ledger: each channel's events form a SHA-256 hash chain.

``hash_n = SHA-256(raw(hash_{n-1}) || canonical_bytes(event_n))`` where ``raw`` is the 32 bytes of the
previous hex hash and ``hash_0`` is ``GENESIS_HASH``. ``canonical_bytes`` is a language-independent
encoding of every field of an event except ``hash``; ``docs/ledger.md`` specifies its exact bytes with a
worked example, so a verifier can be written in any language from that page alone.

A verifier checks a stream of events from a known head (position and hash) and names the first bad
position: ``verify_chain`` for a whole sequence, ``ChainVerifier`` for a consumer fed one event at a time.
Both hold one head only, so memory is constant whatever the length of the chain.
"""

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

import orjson

from podium.domain.errors import DomainError
from podium.domain.events import Event
from podium.domain.kinds import AssetKind, EventKind

GENESIS_HASH: Final[str] = "0" * 64
"""The "previous hash" of position 1 of every channel."""

_HEX_HASH: Final = re.compile(r"[0-9a-f]{64}")

# Minimal escaping: only what JSON forbids raw. Short escapes where JSON has one, else \u00xx in
# lowercase hex; everything else, including U+007F and U+2028, is written as its UTF-8 bytes.
_ESCAPES: Final[dict[int, str]] = {
    **{code: f"\\u{code:04x}" for code in range(0x20)},
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}

# ECMAScript Number::toString switches to exponent notation outside 1e-7 < |x| < 1e21.
_MAX_PLAIN_EXPONENT: Final = 21
_MIN_PLAIN_EXPONENT: Final = -6


class LedgerBroken(DomainError):
    """A chain does not verify: ``position`` is the first bad position, ``reason`` says why."""

    code = "OE0011"

    def __init__(self, position: int, reason: str) -> None:
        super().__init__(f"ledger broken at position {position}: {reason}")
        self.position = position
        self.reason = reason


def encode_canonical(value: object) -> bytes:
    """The canonical JSON bytes of a value (see ``docs/ledger.md``, "Canonical encoding").

    Accepts str, bool, int, float, mappings with str keys, lists and tuples, nested. Objects have their
    keys sorted by code point and no whitespace; floats follow ECMAScript ``Number::toString``, and
    NaN and the infinities become the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.

    Raises:
        TypeError: a value of another type, ``None`` included, or a non-str mapping key.
        ValueError: a string that is not valid Unicode (an unpaired surrogate).
    """
    return _utf8(_canonical_text(value))


def _canonical_text(value: object) -> str:
    """``encode_canonical`` before UTF-8 encoding (lone surrogates are still in the text)."""
    if type(value) is str:
        return _JSON_STRING(value)  # what ``_JSON.encode`` itself calls for a str
    if type(value) is dict and not value:
        return "{}"  # most events' metadata
    return _encoded(value)[0]


def _encoded(value: object) -> tuple[str, bool]:
    """The canonical text of ``value``, and whether it came from a JSON encoder (then it is also the
    value's JSON text)."""
    if _plain(value):
        # Same bytes from orjson and from the C JSON encoder: with these options both escape exactly
        # ``_ESCAPES`` (lowercase \u00xx), sort keys by code point and add no whitespace. Only trees of
        # exact dict/list/tuple/str/int/bool take this path: floats, None, other mappings and non-str
        # keys go through ``_encode``, whose output (or error) differs from theirs for them. orjson,
        # about ten times faster, refuses integers beyond 64 bits, lone surrogates and deep nesting:
        # those fall back to the C encoder (and a lone surrogate to ``_utf8``'s ValueError).
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode(), True
        except orjson.JSONEncodeError:
            return _JSON.encode(value), True
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts), False


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"string is not valid Unicode: {error.reason}") from error


def canonical_bytes(event: Event) -> bytes:
    """The bytes an event contributes to its chain: every field but ``hash``, canonically encoded.

    The top-level object has the keys ``asset``, ``asset_key``, ``asset_kind``, ``channel``,
    ``event_kind``, ``id``, ``metadata``, ``position`` and ``timestamp``; kinds by their wire names,
    the timestamp as RFC 3339 UTC with six fractional digits and ``Z``.

    Raises:
        TypeError, ValueError: as ``encode_canonical``, or a naive timestamp.
    """
    return _utf8(_envelope(event, _canonical_text(event.asset)))


def _envelope(event: Event, asset_text: str) -> str:
    """The canonical text of the event's top-level object, its asset already encoded."""
    return _envelope_of(
        asset_text,
        event.asset_key,
        event.asset_kind,
        event.channel,
        event.event_kind,
        event.id,
        event.metadata,
        event.position,
        event.timestamp,
    )


def _envelope_of(
    asset_text: str,
    asset_key: str,
    asset_kind: AssetKind,
    channel: str,
    event_kind: EventKind,
    id_: str,
    metadata: Mapping[str, str],
    position: int,
    timestamp: datetime,
) -> str:
    """``_envelope`` from the fields (in key order). Written out key by key, in code point order: the
    same text as encoding the whole object at once."""
    if type(position) is not int:
        raise TypeError(f"position must be an int, not {type(position).__name__}")
    return (
        f'{{"asset":{asset_text},"asset_key":{_canonical_text(asset_key)},'
        f'"asset_kind":{_kind_text(asset_kind)},"channel":{_canonical_text(channel)},'
        f'"event_kind":{_kind_text(event_kind)},"id":{_canonical_text(id_)},'
        f'"metadata":{_canonical_text(metadata)},"position":{int.__repr__(position)},'
        f'"timestamp":"{_format_timestamp(timestamp)}"}}'
    )


def _kind_text(kind: AssetKind | EventKind) -> str:
    text = _KIND_TEXTS.get(kind)
    return _canonical_text(str(kind)) if text is None else text


def new_sealed_event(
    previous_hash: str,
    *,
    id: str,
    channel: str,
    position: int,
    timestamp: datetime,
    asset_kind: AssetKind,
    event_kind: EventKind,
    asset_key: str,
    asset: Mapping[str, object],
    metadata: Mapping[str, str],
) -> tuple[Event, str | None]:
    """The event of these fields sealed after ``previous_hash`` (built once, with its hash), and the
    asset's canonical text when it is also its JSON text (an asset made only of dicts, lists, str, int
    and bool; ``None`` otherwise). A store can keep that text as the asset's JSON document instead of
    encoding the asset a second time.

    Raises:
        ValueError, TypeError: as ``chain_hash``.
    """
    _check_hash(previous_hash)
    asset_text, plain = _encoded(asset)
    envelope = _envelope_of(
        asset_text, asset_key, asset_kind, channel, event_kind, id, metadata, position, timestamp
    )
    digest = hashlib.sha256(bytes.fromhex(previous_hash) + _utf8(envelope)).hexdigest()
    sealed = Event(
        id, channel, position, timestamp, asset_kind, event_kind, asset_key, asset, metadata, digest
    )
    return sealed, (asset_text if plain else None)


def chain_hash(previous_hash: str, event: Event) -> str:
    """Lowercase hex SHA-256 of the 32 bytes of ``previous_hash`` followed by ``canonical_bytes(event)``.

    Raises:
        ValueError: ``previous_hash`` is not 64 lowercase hex digits, or the event cannot be encoded.
        TypeError: as ``canonical_bytes``.
    """
    return _chain(previous_hash, event)[0]


def _chain(previous_hash: str, event: Event) -> tuple[str, str, bool]:
    """The event's chain hash, its asset's canonical text and whether that text is also JSON."""
    _check_hash(previous_hash)
    asset_text, plain = _encoded(event.asset)
    canonical = _utf8(_envelope(event, asset_text))
    return hashlib.sha256(bytes.fromhex(previous_hash) + canonical).hexdigest(), asset_text, plain


def seal(previous_hash: str, event: Event) -> Event:
    """The event with ``hash`` set to ``chain_hash(previous_hash, event)`` (its old hash is ignored)."""
    return replace(event, hash=chain_hash(previous_hash, event))


@dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of ``verify_chain``.

    ``head_position`` and ``head_hash`` are the last verified head (the start head if nothing
    verified). When ``ok`` is false, ``first_bad_position`` is the position at which the chain breaks
    (the position that was expected next) and ``reason`` says why.
    """

    ok: bool
    head_position: int
    head_hash: str
    first_bad_position: int | None
    reason: str


class ChainVerifier:
    """Verifies one channel's events fed one by one, from a known head, and keeps the verified head.

    The head only moves on a good event: after ``LedgerBroken`` the verifier is still usable, and the
    next event must still be the one expected at ``head_position + 1``.
    """

    def __init__(
        self,
        start_position: int = 0,
        start_hash: str = GENESIS_HASH,
        *,
        channel: str | None = None,
    ) -> None:
        """Start from a trusted head: position 0 and ``GENESIS_HASH`` for a whole channel.

        Args:
            start_position: position of the last event already verified (0 for none).
            start_hash: hash of that event (``GENESIS_HASH`` at position 0).
            channel: the channel every event must belong to; by default, the first event's channel.

        Raises:
            ValueError: a negative position or a malformed hash.
        """
        if start_position < 0:
            raise ValueError(f"start position must be >= 0, got {start_position}")
        _check_hash(start_hash)
        self._position = start_position
        self._hash = start_hash
        self._channel = channel

    @property
    def head_position(self) -> int:
        """Position of the last verified event (the start position until one verifies)."""
        return self._position

    @property
    def head_hash(self) -> str:
        """Hash of the last verified event (the start hash until one verifies)."""
        return self._hash

    @property
    def channel(self) -> str | None:
        """The channel being verified, once known."""
        return self._channel

    def feed(self, event: Event) -> None:
        """Verify the next event and advance the head to it.

        Raises:
            LedgerBroken: the event is not the one expected at ``head_position + 1`` (missing,
                repeated or out of order), belongs to another channel, cannot be encoded, or its hash
                does not chain from the head. The head does not move.
        """
        expected = self._position + 1
        reason = self._fault(expected, event)
        if reason is not None:
            raise LedgerBroken(expected, reason)
        self._position = expected
        self._hash = event.hash
        if self._channel is None:
            self._channel = event.channel

    def _fault(self, expected: int, event: Event) -> str | None:
        if event.position != expected:
            cause = "missing" if event.position > expected else "repeated"
            return f"expected position {expected}, got {event.position} (an event is {cause} or out of order)"
        if self._channel is not None and event.channel != self._channel:
            return f"event {event.id} belongs to channel {event.channel!r}, not {self._channel!r}"
        try:
            computed = chain_hash(self._hash, event)
        except (TypeError, ValueError) as error:
            return f"event {event.id} has no canonical encoding: {error}"
        if event.hash != computed:
            return f"event {event.id} has hash {event.hash!r}, but the chain gives {computed!r}"
        return None


def verify_chain(
    events: Iterable[Event],
    start_position: int = 0,
    start_hash: str = GENESIS_HASH,
    *,
    channel: str | None = None,
) -> Verification:
    """Verify a stream of one channel's events from a known head, stopping at the first bad one.

    The events must come in position order from ``start_position + 1``. Memory is constant: the
    iterable is consumed lazily and not past the first bad event.

    Raises:
        ValueError: a negative ``start_position`` or a malformed ``start_hash``.
    """
    verifier = ChainVerifier(start_position, start_hash, channel=channel)
    for event in events:
        try:
            verifier.feed(event)
        except LedgerBroken as broken:
            return Verification(
                False, verifier.head_position, verifier.head_hash, broken.position, broken.reason
            )
    count = verifier.head_position - start_position
    return Verification(
        True,
        verifier.head_position,
        verifier.head_hash,
        None,
        f"{count} events verified up to position {verifier.head_position}",
    )


def _check_hash(value: str) -> None:
    if not isinstance(value, str) or _HEX_HASH.fullmatch(value) is None:
        raise ValueError(f"a chain hash is 64 lowercase hex digits, got {value!r}")


@lru_cache(maxsize=256)  # the events of one transaction share its timestamp
def _format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp must be timezone-aware, got {moment.isoformat()}")
    utc = moment.astimezone(UTC)
    # Formatted by hand: strftime("%Y") does not zero-pad years below 1000 on every platform.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
        f".{utc.microsecond:06d}Z"
    )


_JSON: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_JSON_STRING: Final = json.encoder.encode_basestring  # the C function when available
_KIND_TEXTS: Final[dict[AssetKind | EventKind, str]] = {
    kind: _JSON_STRING(kind.value) for kinds in (AssetKind, EventKind) for kind in kinds
}


_PLAIN_SCALARS: Final = frozenset({str, int, bool})


def _plain(value: object) -> bool:
    """Whether ``value`` is made only of exact dicts with str keys, lists, tuples, str, int and bool,
    the values whose canonical encoding is also the C JSON encoder's. Explicit loops, not ``all()``
    over generators: this runs once per event written and the loops are about twice as fast."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is dict:
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str or (type(item) not in _PLAIN_SCALARS and not _plain(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:  # type: ignore[attr-defined]  # noqa: SIM110
            if type(item) not in _PLAIN_SCALARS and not _plain(item):
                return False
        return True
    return False


def _encode(value: object, parts: list[str]) -> None:
    # bool before int: bool is a subclass of int.
    if isinstance(value, str):
        parts.append('"' + value.translate(_ESCAPES) + '"')
    elif isinstance(value, bool):
        parts.append("true" if value else "false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))  # not str(): an IntEnum member would not print as digits
    elif isinstance(value, float):
        parts.append(_format_float(value))
    elif isinstance(value, Mapping):
        _encode_object(value, parts)
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _encode(item, parts)
        parts.append("]")
    else:
        raise TypeError(f"{type(value).__name__} has no canonical encoding")


def _encode_object(value: Mapping[object, object], parts: list[str]) -> None:
    keys: list[str] = []
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"object keys must be str, got {type(key).__name__}")
        keys.append(key)
    parts.append("{")
    # Python orders str by code point, which is also the order of their UTF-8 bytes.
    for index, key in enumerate(sorted(keys)):
        if index:
            parts.append(",")
        _encode(key, parts)
        parts.append(":")
        _encode(value[key], parts)
    parts.append("}")


def _format_float(value: float) -> str:
    """ECMAScript ``Number::toString`` of a binary64; non-finite values as JSON strings."""
    if math.isnan(value):
        return '"NaN"'
    if math.isinf(value):
        return '"Infinity"' if value > 0 else '"-Infinity"'
    if value == 0:
        return "0"  # -0 too, as in ECMAScript
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, choosing the closest to the value: the same
    # digits and exponent as ECMAScript; only their layout differs, redone below.
    mantissa, _, exponent = float.__repr__(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or "0")  # value = 0.<digits> * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    # ECMAScript's k and n: digits has k digits and value = 0.<digits> * 10**n.
    k, n = len(digits), point
    if k <= n <= _MAX_PLAIN_EXPONENT:
        text = digits + "0" * (n - k)
    elif 0 < n <= _MAX_PLAIN_EXPONENT:
        text = digits[:n] + "." + digits[n:]
    elif _MIN_PLAIN_EXPONENT < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        power = n - 1
        head = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{head}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text
