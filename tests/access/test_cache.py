"""The per-process key cache: how long a key is remembered, and forgetting a revoked one."""

from __future__ import annotations

import pytest

from xinyong.access import cache as cache_module
from xinyong.access.cache import PrincipalCache
from xinyong.access.service import Principal

OFFICE = Principal(1, "信用办", "office", None)
DEPT = Principal(2, "市场监管业务系统", "department", "scjg")


class Ticks:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_expires_ttl_after_the_database_was_read() -> None:
    ticks = Ticks()
    cache = PrincipalCache(30, clock=ticks)
    read_at = cache.now()
    ticks.now += 5  # a slow lookup: the answer is stored 5 s after the read
    cache.put("a", OFFICE, read_at)
    ticks.now = read_at + 29.99
    assert cache.get("a") == OFFICE
    ticks.now = read_at + 30
    assert cache.get("a") is None
    assert len(cache) == 0  # an expired entry is dropped when asked for


def test_forget_client_drops_only_that_clients_keys() -> None:
    cache = PrincipalCache(30, clock=Ticks())
    for digest, who in (("a", OFFICE), ("b", OFFICE), ("c", DEPT)):
        cache.put(digest, who, cache.now())
    cache.forget_client(OFFICE.client_id)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, None, DEPT)


def test_no_ttl_remembers_nothing_and_the_table_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    off = PrincipalCache(0, clock=Ticks())
    off.put("a", OFFICE, off.now())
    assert off.get("a") is None
    monkeypatch.setattr(cache_module, "MAX_ENTRIES", 3)
    cache = PrincipalCache(30, clock=Ticks())
    for i in range(4):
        cache.put(str(i), OFFICE, cache.now())
    assert len(cache) == 1  # full: cleared, then the new entry
    assert cache.get("3") == OFFICE
