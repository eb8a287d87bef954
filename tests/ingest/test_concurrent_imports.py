"""Imports at the same time, on both engines: they queue, and every row lands once."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from tests.helpers import add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.ledger.service import verify
from xinyong.ledger.tables import entries


def _rows(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        penalty(
            CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MA{start + i:06d}"),
            CF_WSH=f"陕市监罚〔2026〕{start + i}号",
        )
        for i in range(n)
    ]


def _at_once(platform: Platform, files: list[bytes]) -> list[Any]:
    """Run one import per file in its own thread, released together."""
    barrier = threading.Barrier(len(files))
    results: list[Any] = [None] * len(files)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = platform.importer().import_bytes(
                files[i], filename=f"f{i}.csv", department_code="scjg", item_code="XZCF"
            )
        except Exception as exc:  # the test reports what failed
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def _count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(entries)).scalar_one())


def test_the_very_first_imports_at_once_all_land(platform: Platform) -> None:
    """No ledger head yet: both create it (one of them did fail on its primary key)."""
    add_department(platform)
    results = _at_once(platform, [csv_bytes(_rows(200, 0)), csv_bytes(_rows(200, 1000))])
    assert [type(r).__name__ for r in results] == ["ImportResult", "ImportResult"], results
    assert _count(platform) == 400
    with platform.engine.connect() as conn:
        assert verify(conn)[2] == []


def test_the_same_rows_sent_twice_at_once_land_once(platform: Platform) -> None:
    add_department(platform)
    same = _rows(300)
    # Not the same bytes (a resent file is recognised as such): the same rows, reordered.
    results = _at_once(platform, [csv_bytes(same), csv_bytes(list(reversed(same)))])
    assert [type(r).__name__ for r in results] == ["ImportResult", "ImportResult"], results
    assert sorted(r.accepted for r in results) == [0, 300]
    assert _count(platform) == 300
