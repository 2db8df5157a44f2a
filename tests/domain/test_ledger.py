"""Tests of the ledger: canonical encoding, chaining, and verification naming the first bad position."""

import dataclasses
import json
import re
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.domain.assets import Organization, Performance
from podium.domain.errors import DomainError
from podium.domain.events import Event
from podium.domain.kinds import AssetKind, EventKind, TaskStatus
from podium.domain.ledger import (
    GENESIS_HASH,
    ChainVerifier,
    LedgerBroken,
    canonical_bytes,
    chain_hash,
    encode_canonical,
    new_sealed_event,
    seal,
    verify_chain,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"

# ---------------------------------------------------------------------------------------------------
# Builders and strategies


def make_event(position: int = 1, **changes: Any) -> Event:
    base = Event(
        id=f"event-{position}",
        channel="mychannel",
        position=position,
        timestamp=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        asset_kind=AssetKind.ORGANIZATION,
        event_kind=EventKind.CREATED,
        asset_key="MyOrg1MSP",
        asset={"id": "MyOrg1MSP", "address": ""},
        metadata={},
        hash="",
    )
    return dataclasses.replace(base, **changes)


def seal_chain(events: list[Event], start_hash: str = GENESIS_HASH) -> list[Event]:
    sealed, previous = [], start_hash
    for event in events:
        sealed.append(seal(previous, event))
        previous = sealed[-1].hash
    return sealed


json_scalars = st.one_of(st.text(), st.booleans(), st.integers(), st.floats())
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
json_values_without_floats = st.recursive(
    st.one_of(st.text(), st.booleans(), st.integers()),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
hex_hashes = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def chains(draw: st.DrawFn) -> tuple[int, str, list[Event]]:
    """A sealed chain of 2..8 random events of one channel, from a random trusted head."""
    start_position = draw(st.integers(0, 10_000))
    start_hash = draw(st.just(GENESIS_HASH) | hex_hashes) if start_position else GENESIS_HASH
    channel = draw(st.text(min_size=1, max_size=8))
    size = draw(st.integers(2, 8))
    events = [
        Event(
            id=draw(st.text(max_size=8)),
            channel=channel,
            position=start_position + offset,
            timestamp=draw(st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))),
            asset_kind=draw(st.sampled_from(AssetKind)),
            event_kind=draw(st.sampled_from(EventKind)),
            asset_key=draw(st.text(max_size=8)),
            asset=draw(st.dictionaries(st.text(max_size=6), json_values, max_size=4)),
            metadata=draw(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2)),
            hash="",
        )
        for offset in range(1, size + 1)
    ]
    return start_position, start_hash, seal_chain(events, start_hash)


def _toggle(mapping: Any, key: str, value: Any) -> dict[str, Any]:
    changed = dict(mapping)
    if key in changed:
        del changed[key]
    else:
        changed[key] = value
    return changed


def _other(members: Any, current: Any) -> Any:
    return next(member for member in members if member != current)


TAMPERINGS: dict[str, Any] = {
    "id": lambda e: dataclasses.replace(e, id=e.id + "x"),
    "channel": lambda e: dataclasses.replace(e, channel=e.channel + "x"),
    "position+1": lambda e: dataclasses.replace(e, position=e.position + 1),
    "position-1": lambda e: dataclasses.replace(e, position=e.position - 1),
    "timestamp": lambda e: dataclasses.replace(e, timestamp=e.timestamp + timedelta(microseconds=1)),
    "asset_kind": lambda e: dataclasses.replace(e, asset_kind=_other(AssetKind, e.asset_kind)),
    "event_kind": lambda e: dataclasses.replace(e, event_kind=_other(EventKind, e.event_kind)),
    "asset_key": lambda e: dataclasses.replace(e, asset_key=e.asset_key + "x"),
    "asset": lambda e: dataclasses.replace(e, asset=_toggle(e.asset, "tampered", 0.5)),
    "metadata": lambda e: dataclasses.replace(e, metadata=_toggle(e.metadata, "reason", "")),
    "hash": lambda e: dataclasses.replace(e, hash=("1" if e.hash[0] == "0" else "0") + e.hash[1:]),
}

# ---------------------------------------------------------------------------------------------------
# The documented example


def _doc_block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\n```\n(.*?)\n```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert match is not None, marker
    return match.group(1)


def doc_example_chain() -> list[Event]:
    registered = datetime(2026, 11, 28, 21, 23, 55, 123456, tzinfo=UTC)
    recorded = datetime(2026, 11, 28, 21, 24, 0, 500, tzinfo=UTC)
    organization = Organization("HôpitalLyonMSP", "orchestrator.hôpital-lyon.example:443", registered)
    binary32_value = struct.unpack("<f", struct.pack("<f", 0.9))[0]
    performance = Performance("6c1e5b4a-9d2f-4e3a-8b7c-0a1b2c3d4e5f", "performance", binary32_value, recorded)
    first = Event(
        "0f6b3c1e-2d4a-4b5c-9e8f-7a6b5c4d3e2f", "mychannel", 1, registered, AssetKind.ORGANIZATION,
        EventKind.CREATED, organization.id, organization.snapshot(), {}, "",
    )  # fmt: skip
    second = Event(
        "a4d2e6f8-1b3c-4d5e-8f9a-0b1c2d3e4f5a", "mychannel", 2, recorded, AssetKind.PERFORMANCE,
        EventKind.CREATED, performance.key, performance.snapshot(), {}, "",
    )  # fmt: skip
    return seal_chain([first, second])


@pytest.mark.parametrize("index", [0, 1])
def test_doc_worked_example_matches_the_code(index: int) -> None:
    event = doc_example_chain()[index]
    assert canonical_bytes(event).decode("utf-8") == _doc_block(f"ledger-example-{index + 1}-bytes")
    assert event.hash == _doc_block(f"ledger-example-{index + 1}-hash")
    assert f"{len(canonical_bytes(event))} bytes" in DOC.read_text(encoding="utf-8")


def test_doc_example_chain_verifies() -> None:
    result = verify_chain(doc_example_chain())
    assert result.ok
    assert result.head_position == 2
    assert result.head_hash == _doc_block("ledger-example-2-hash")


ENCODING_EXAMPLES: list[tuple[Any, str]] = [
    ({"b": 1, "a": [True, False], "A": "x"}, '{"A":"x","a":[true,false],"b":1}'),
    ({"é": 1, "z": 2, "\U0001f600": 3, "\ufffd": 4}, '{"z":2,"é":1,"\ufffd":4,"\U0001f600":3}'),
    ('say "hi"\\ now', '"say \\"hi\\"\\\\ now"'),
    ("tab\there\nnewline\x00nul\x1fus\x7fdel", '"tab\\there\\nnewline\\u0000nul\\u001fus\x7fdel"'),
    ("Hôpital / 病院 \u2028", '"Hôpital / 病院 \u2028"'),
    ([0.1, -0.0, 1e21, 1e-7, 123456789012345680000.0], "[0.1,0,1e+21,1e-7,123456789012345680000]"),
    ([float("nan"), float("inf"), float("-inf")], '["NaN","Infinity","-Infinity"]'),
    ([-12, 0, 9007199254740993], "[-12,0,9007199254740993]"),
]


@pytest.mark.parametrize(("value", "expected"), ENCODING_EXAMPLES)
def test_encoding_examples(value: Any, expected: str) -> None:
    assert encode_canonical(value) == expected.encode("utf-8")
    if expected.isprintable():  # the doc spells the two with invisible characters in words
        assert f"| `{expected}` |" in DOC.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------------
# Canonical encoding


def test_top_level_fields_are_exactly_the_documented_ones_in_order() -> None:
    decoded = json.loads(canonical_bytes(make_event()), object_pairs_hook=lambda pairs: pairs)
    assert [key for key, _ in decoded] == [
        "asset", "asset_key", "asset_kind", "channel", "event_kind", "id", "metadata", "position",
        "timestamp",
    ]  # fmt: skip
    assert dict(decoded)["timestamp"] == "2026-01-02T03:04:05.678901Z"
    assert dict(decoded)["asset_kind"] == "ASSET_ORGANIZATION"


def test_hash_is_not_part_of_the_canonical_bytes() -> None:
    assert canonical_bytes(make_event(hash="a" * 64)) == canonical_bytes(make_event(hash=""))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (
            datetime(2026, 1, 2, 4, 4, 5, 0, tzinfo=timezone(timedelta(hours=1))),
            "2026-01-02T03:04:05.000000Z",
        ),
        (datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "0999-12-31T23:59:59.999999Z"),
    ],
)
def test_timestamp_is_utc_with_six_digits_and_z(moment: datetime, expected: str) -> None:
    assert f'"timestamp":"{expected}"'.encode() in canonical_bytes(make_event(timestamp=moment))


def test_naive_timestamp_has_no_encoding() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        canonical_bytes(make_event(timestamp=datetime(2026, 1, 1)))


@pytest.mark.parametrize("code", range(0x20))
def test_every_control_character_is_escaped(code: int) -> None:
    short = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
    escape = short.get(code, "\\u" + f"{code:04x}")
    assert encode_canonical(chr(code)) == f'"{escape}"'.encode()


@given(st.text())
def test_strings_escape_only_quote_backslash_and_controls(text: str) -> None:
    encoded = encode_canonical(text).decode("utf-8")
    assert json.loads(encoded) == text
    unescaped = re.sub(r'\\(["\\bfnrt]|u00[01][0-9a-f])', "", encoded[1:-1])
    assert "\\" not in unescaped
    assert not any(ord(char) < 0x20 or char == '"' for char in unescaped)


@given(json_values_without_floats)
def test_matches_pinned_json_dumps_without_floats(value: Any) -> None:
    pinned = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    assert encode_canonical(value) == pinned.encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [
        2**64,
        -(2**63) - 1,
        {"n": 10**30},
        [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    ],
)
def test_values_the_fast_encoder_refuses_still_encode_like_json(value: Any) -> None:
    deep = value
    for _ in range(300):  # deeper than orjson's limit, within Python's
        deep = [deep]
    for each in (value, deep):
        pinned = json.dumps(each, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert encode_canonical(each) == pinned.encode("utf-8")


@given(st.dictionaries(st.text(), st.integers(), max_size=8))
def test_object_keys_are_sorted_by_code_point(value: dict[str, int]) -> None:
    pairs = json.loads(encode_canonical(value), object_pairs_hook=lambda pairs: pairs)
    keys = [key for key, _ in pairs]
    assert keys == sorted(value)
    assert [key.encode() for key in keys] == sorted(key.encode() for key in value)


@given(st.dictionaries(st.text(), json_values, max_size=6), st.randoms())
def test_encoding_is_deterministic_whatever_the_insertion_order(value: dict[str, Any], random: Any) -> None:
    items = list(value.items())
    random.shuffle(items)
    assert encode_canonical(dict(items)) == encode_canonical(value)


@given(json_values)
def test_output_is_json_that_reads_back_to_the_value(value: Any) -> None:
    decoded = json.loads(encode_canonical(value))
    assert encode_canonical(decoded) == encode_canonical(value)


# RFC 8785 Appendix B: IEEE 754 bits -> ECMAScript Number::toString.
RFC_8785_NUMBERS = [
    (0x0000000000000000, "0"),
    (0x8000000000000000, "0"),
    (0x0000000000000001, "5e-324"),
    (0x8000000000000001, "-5e-324"),
    (0x7FEFFFFFFFFFFFFF, "1.7976931348623157e+308"),
    (0xFFEFFFFFFFFFFFFF, "-1.7976931348623157e+308"),
    (0x4340000000000000, "9007199254740992"),
    (0xC340000000000000, "-9007199254740992"),
    (0x4430000000000000, "295147905179352830000"),
    (0x44B52D02C7E14AF5, "9.999999999999997e+22"),
    (0x44B52D02C7E14AF6, "1e+23"),
    (0x44B52D02C7E14AF7, "1.0000000000000001e+23"),
    (0x444B1AE4D6E2EF4E, "999999999999999700000"),
    (0x444B1AE4D6E2EF4F, "999999999999999900000"),
    (0x444B1AE4D6E2EF50, "1e+21"),
    (0x3EB0C6F7A0B5ED8C, "9.999999999999997e-7"),
    (0x3EB0C6F7A0B5ED8D, "0.000001"),
    (0x41B3DE4355555553, "333333333.3333332"),
    (0x41B3DE4355555554, "333333333.33333325"),
    (0x41B3DE4355555555, "333333333.3333333"),
    (0x41B3DE4355555556, "333333333.3333334"),
    (0x41B3DE4355555557, "333333333.33333343"),
    (0xBECBF647612F3696, "-0.0000033333333333333333"),
    (0x43143FF3C1CB0959, "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), RFC_8785_NUMBERS, ids=[text for _, text in RFC_8785_NUMBERS])
def test_floats_follow_ecmascript_number_to_string(bits: int, expected: str) -> None:
    value = struct.unpack(">d", bits.to_bytes(8, "big"))[0]
    assert encode_canonical(value) == expected.encode()


ECMASCRIPT_NUMBER = re.compile(
    r"-?(0|[1-9][0-9]*(\.[0-9]*[1-9])?|0\.0*[1-9][0-9]*|[1-9](\.[0-9]*[1-9])?e[+-][1-9][0-9]*)"
)


@given(
    st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(width=32, allow_nan=False, allow_infinity=False)
)
def test_finite_floats_are_shortest_round_trip_numbers(value: float) -> None:
    text = encode_canonical(value).decode()
    assert ECMASCRIPT_NUMBER.fullmatch(text), text
    assert float(text) == value
    assert len(text.lstrip("-").replace(".", "").split("e")[0].strip("0")) <= len(repr(abs(value)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), '"NaN"'),
        (-float("nan"), '"NaN"'),
        (float("inf"), '"Infinity"'),
        (float("-inf"), '"-Infinity"'),
    ],
)
def test_non_finite_floats_are_strings(value: float, expected: str) -> None:
    assert encode_canonical({"performance_value": value}) == f'{{"performance_value":{expected}}}'.encode()


def test_binary32_value_is_hashed_as_its_binary64_widening() -> None:
    binary32 = struct.unpack("<f", struct.pack("<f", 0.1))[0]
    assert encode_canonical(binary32) == b"0.10000000149011612"


def test_booleans_are_not_integers_and_enums_encode_by_value() -> None:
    class Rank(IntEnum):
        FIRST = 1

    assert encode_canonical([True, 1, Rank.FIRST, TaskStatus.DONE]) == b'[true,1,1,"STATUS_DONE"]'


@pytest.mark.parametrize(
    ("value", "error"),
    [(None, TypeError), ({"a": None}, TypeError), ({1: "a"}, TypeError), (b"x", TypeError),
     ({1.5}, TypeError), ("\ud800", ValueError)],
)  # fmt: skip
def test_values_outside_the_canonical_domain_are_refused(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        encode_canonical(value)


# ---------------------------------------------------------------------------------------------------
# Chaining


def test_chain_hash_is_sha256_of_raw_previous_hash_then_canonical_bytes() -> None:
    import hashlib

    event = make_event()
    previous = "ab" * 32
    expected = hashlib.sha256(bytes.fromhex(previous) + canonical_bytes(event)).hexdigest()
    assert chain_hash(previous, event) == expected
    assert chain_hash(GENESIS_HASH, event) == hashlib.sha256(bytes(32) + canonical_bytes(event)).hexdigest()


@pytest.mark.parametrize("previous", ["", "AB" * 32, "ab" * 31, "zz" * 32, " " + "ab" * 32])
def test_chain_hash_refuses_a_malformed_previous_hash(previous: str) -> None:
    with pytest.raises(ValueError, match="64 lowercase hex"):
        chain_hash(previous, make_event())


def test_seal_sets_the_hash_and_ignores_the_old_one() -> None:
    sealed = seal(GENESIS_HASH, make_event(hash="stale"))
    assert sealed.hash == chain_hash(GENESIS_HASH, make_event())
    assert dataclasses.replace(sealed, hash="stale") == make_event(hash="stale")


def _new_sealed(event: Event) -> tuple[Event, str | None]:
    fields = {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
    del fields["hash"]
    return new_sealed_event(GENESIS_HASH, **fields)


@given(st.dictionaries(st.text(), json_values, max_size=6), st.text())
def test_new_sealed_event_seals_like_seal_and_gives_the_asset_json_when_plain(
    asset: dict[str, Any], channel: str
) -> None:
    event = make_event(asset=asset, channel=channel)
    try:
        expected = seal(GENESIS_HASH, event)
    except (TypeError, ValueError) as error:
        with pytest.raises(type(error)):
            _new_sealed(event)
        return
    sealed, asset_json = _new_sealed(event)
    assert sealed == expected
    if asset_json is not None:
        assert json.loads(asset_json) == asset
        assert asset_json.encode("utf-8") == encode_canonical(asset)
    else:
        assert any(isinstance(leaf, float) for leaf in _leaves(asset))


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_new_sealed_event_gives_no_text_for_an_asset_with_a_float() -> None:
    event = make_event(asset={"performance_value": 0.5})
    sealed, asset_json = _new_sealed(event)
    assert sealed == seal(GENESIS_HASH, event)
    assert asset_json is None


# ---------------------------------------------------------------------------------------------------
# Verification


@given(chains())
def test_an_untouched_chain_verifies(chain: tuple[int, str, list[Event]]) -> None:
    start_position, start_hash, events = chain
    result = verify_chain(events, start_position, start_hash)
    assert result.ok, result.reason
    assert (result.head_position, result.head_hash) == (events[-1].position, events[-1].hash)
    assert result.first_bad_position is None


@given(chains(), st.sampled_from(sorted(TAMPERINGS)), st.data())
def test_changing_any_field_of_any_event_is_detected_there(
    chain: tuple[int, str, list[Event]], field: str, data: st.DataObject
) -> None:
    start_position, start_hash, events = chain
    index = data.draw(st.integers(0, len(events) - 1))
    tampered = [*events[:index], TAMPERINGS[field](events[index]), *events[index + 1 :]]
    result = verify_chain(tampered, start_position, start_hash)
    assert not result.ok
    assert result.first_bad_position == start_position + index + 1
    assert result.head_position == start_position + index
    assert result.head_hash == (events[index - 1].hash if index else start_hash)


@given(chains(), st.data())
def test_deleting_an_event_is_detected_at_its_position(
    chain: tuple[int, str, list[Event]], data: st.DataObject
) -> None:
    start_position, start_hash, events = chain
    index = data.draw(st.integers(0, len(events) - 2))
    result = verify_chain(events[:index] + events[index + 1 :], start_position, start_hash)
    assert result.first_bad_position == start_position + index + 1
    assert "missing" in result.reason


@given(chains())
def test_deleting_the_tail_is_not_detectable_by_the_chain_alone(chain: tuple[int, str, list[Event]]) -> None:
    # The documented limit: only witness heads from other organizations reveal a withheld tail.
    start_position, start_hash, events = chain
    result = verify_chain(events[:-1], start_position, start_hash)
    assert result.ok
    assert result.head_position == events[-2].position


@given(chains(), st.data())
def test_duplicating_an_event_is_detected_after_it(
    chain: tuple[int, str, list[Event]], data: st.DataObject
) -> None:
    start_position, start_hash, events = chain
    index = data.draw(st.integers(0, len(events) - 1))
    result = verify_chain(
        [*events[: index + 1], events[index], *events[index + 1 :]], start_position, start_hash
    )
    assert result.first_bad_position == start_position + index + 2
    assert "repeated" in result.reason


@given(chains(), st.data())
def test_reordering_two_events_is_detected_at_the_first(
    chain: tuple[int, str, list[Event]], data: st.DataObject
) -> None:
    start_position, start_hash, events = chain
    first = data.draw(st.integers(0, len(events) - 2))
    second = data.draw(st.integers(first + 1, len(events) - 1))
    swapped = list(events)
    swapped[first], swapped[second] = swapped[second], swapped[first]
    result = verify_chain(swapped, start_position, start_hash)
    assert result.first_bad_position == start_position + first + 1


@given(chains(), st.data())
def test_verifying_from_a_trusted_middle_head(
    chain: tuple[int, str, list[Event]], data: st.DataObject
) -> None:
    _, _, events = chain
    index = data.draw(st.integers(0, len(events) - 1))
    head = events[index]
    assert verify_chain(events[index + 1 :], head.position, head.hash).ok
    wrong_hash = ("1" if head.hash[0] == "0" else "0") + head.hash[1:]
    if index + 1 < len(events):
        assert (
            verify_chain(events[index + 1 :], head.position, wrong_hash).first_bad_position
            == head.position + 1
        )


def test_verification_stops_at_the_first_bad_event_without_reading_further() -> None:
    events = seal_chain([make_event(position) for position in (1, 2, 3)])

    def stream() -> Iterator[Event]:
        yield events[0]
        yield dataclasses.replace(events[1], asset_key="changed")
        raise AssertionError("read past the first bad event")

    result = verify_chain(stream())
    assert (result.ok, result.first_bad_position, result.head_position) == (False, 2, 1)
    assert result.head_hash == events[0].hash


def test_empty_stream_verifies_at_the_start_head() -> None:
    result = verify_chain([], 7, "cd" * 32)
    assert (result.ok, result.head_position, result.head_hash, result.first_bad_position) == (
        True,
        7,
        "cd" * 32,
        None,
    )


def test_events_of_another_channel_than_the_given_one_are_bad() -> None:
    events = seal_chain([make_event(1)])
    result = verify_chain(events, channel="otherchannel")
    assert (result.ok, result.first_bad_position) == (False, 1)
    assert "otherchannel" in result.reason


def test_an_event_without_canonical_encoding_is_reported_not_raised() -> None:
    event = make_event(asset={"value": None}, hash="0" * 64)
    result = verify_chain([event])
    assert (result.ok, result.first_bad_position) == (False, 1)
    assert "canonical encoding" in result.reason


@pytest.mark.parametrize(("position", "start_hash"), [(-1, GENESIS_HASH), (0, "x")])
def test_a_malformed_start_head_is_refused(position: int, start_hash: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - both messages are specific to their field
        verify_chain([], position, start_hash)


def test_chain_verifier_advances_one_event_at_a_time_and_survives_a_bad_event() -> None:
    events = seal_chain([make_event(position) for position in (1, 2, 3)])
    verifier = ChainVerifier()
    verifier.feed(events[0])
    assert (verifier.head_position, verifier.head_hash, verifier.channel) == (1, events[0].hash, "mychannel")

    with pytest.raises(LedgerBroken) as broken:
        verifier.feed(events[2])
    assert isinstance(broken.value, DomainError)
    assert (broken.value.code, broken.value.position) == ("OE0011", 2)
    assert str(broken.value).startswith("OE0011: ledger broken at position 2: expected position 2, got 3")
    assert (verifier.head_position, verifier.head_hash) == (1, events[0].hash)

    verifier.feed(events[1])
    verifier.feed(events[2])
    assert (verifier.head_position, verifier.head_hash) == (3, events[2].hash)
