"""Opening databases: URL handling and an unreachable server."""

import pytest

from podium.app.ports import Unavailable
from podium.store import open_database
from podium.store.engine import normalize_url


def test_urls_pin_the_drivers() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("sqlite:///x.db").drivername == "sqlite+pysqlite"
    with pytest.raises(ValueError, match="unsupported database URL"):
        normalize_url("mysql://u@h/db")


def test_unreachable_server_is_unavailable() -> None:
    with pytest.raises(Unavailable):
        open_database("postgresql://postgres@127.0.0.1:1/podium?connect_timeout=2")
