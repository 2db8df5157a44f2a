"""CursorStore: persistence across instances (restarts), atomic replacement, exclusive consumption."""

from pathlib import Path

import pytest

from podium.agent.cursor import CorruptCursor, Cursor, CursorLocked, CursorStore, LedgerHead


def test_a_fresh_store_starts_from_the_beginning(tmp_path: Path) -> None:
    cursor = CursorStore(tmp_path).load("MyOrg1MSP", "mychannel")

    assert cursor == Cursor("MyOrg1MSP", "mychannel", event_id="", position=0, head=None)


def test_a_saved_cursor_survives_a_restart(tmp_path: Path) -> None:
    saved = Cursor("MyOrg1MSP", "mychannel", "event-42", 42, LedgerHead(43, "ab" * 32))
    CursorStore(tmp_path).save(saved)

    reloaded = CursorStore(tmp_path).load("MyOrg1MSP", "mychannel")

    assert reloaded == saved


def test_cursors_are_kept_per_organization_and_channel(tmp_path: Path) -> None:
    store = CursorStore(tmp_path)
    store.save(Cursor("Org/1", "chan", "e1", 1))
    store.save(Cursor("Org", "1__chan", "e2", 2))
    store.save(Cursor("Org/1", "other", "e3", 3))

    assert store.load("Org/1", "chan").event_id == "e1"
    assert store.load("Org", "1__chan").event_id == "e2"
    assert store.load("Org/1", "other").event_id == "e3"


def test_save_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    store = CursorStore(tmp_path)
    for position in range(1, 6):
        store.save(Cursor("O", "c", f"e{position}", position, LedgerHead(position, "0" * 64)))

    assert store.load("O", "c").position == 5
    assert sorted(path.name for path in tmp_path.iterdir()) == ["O__c.json"]


def test_a_corrupt_cursor_is_an_error_not_a_restart_from_zero(tmp_path: Path) -> None:
    store = CursorStore(tmp_path)
    store.save(Cursor("O", "c", "e1", 1))
    (tmp_path / "O__c.json").write_text('{"organization": "O"')

    with pytest.raises(CorruptCursor):
        store.load("O", "c")


def test_only_one_consumer_holds_a_channel(tmp_path: Path) -> None:
    store = CursorStore(tmp_path)

    with store.hold("O", "c"):
        with pytest.raises(CursorLocked), CursorStore(tmp_path).hold("O", "c"):
            pass
        with CursorStore(tmp_path).hold("O", "other"):
            pass
    with CursorStore(tmp_path).hold("O", "c"):
        pass
