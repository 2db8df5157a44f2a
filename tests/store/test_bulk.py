"""``bulk.json_text``: the JSON text that bulk statements bind for JSON columns."""

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.store.bulk import json_text

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)


@given(_json_values)
def test_json_text_is_compact_json_dumps(document: Any) -> None:
    assert json_text(document) == json.dumps(document, separators=(",", ":"))


@pytest.mark.parametrize("document", [{}, [], None, ""])
def test_empty_documents(document: Any) -> None:
    assert json.loads(json_text(document)) == document
