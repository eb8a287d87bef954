from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from xinyong.ledger.hashing import merkle_root

leaves = st.lists(
    st.binary(min_size=1, max_size=8).map(lambda b: hashlib.sha256(b).hexdigest()),
    min_size=1,
    max_size=40,
)


@given(leaves, st.data())
def test_changing_any_leaf_changes_the_root(items: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(items) - 1))
    changed = items.copy()
    changed[i] = hashlib.sha256(changed[i].encode()).hexdigest()
    assert merkle_root(changed) != merkle_root(items)


@given(leaves)
def test_removing_or_reordering_changes_the_root(items: list[str]) -> None:
    root = merkle_root(items)
    if len(items) > 1:
        assert merkle_root(items[:-1]) != root
        if items[0] != items[1]:
            assert merkle_root([items[1], items[0], *items[2:]]) != root
    assert merkle_root([*items, items[-1]]) != root  # a duplicated last leaf is not the same tree
