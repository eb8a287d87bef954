"""Instants are stored and read back in UTC on both engines, whatever zone they were given in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import StatementError

from xinyong.checks.tables import check_receipts
from xinyong.kernel.clock import CHINA_TZ


def _row(receipt: str, at: dt.datetime) -> dict[str, object]:
    return {
        "receipt": receipt,
        "at": at,
        "actor": "t",
        "subject_key": "S",
        "scenario": "bidding",
        "data_version": 1,
        "measures": "[]",
        "answer_hash": "0" * 64,
    }


def test_instants_round_trip_in_utc(engine: Engine) -> None:
    beijing = dt.datetime(2026, 7, 1, 0, 30, tzinfo=CHINA_TZ)  # 2026-06-30 16:30 UTC
    utc = dt.datetime(2026, 6, 30, 16, 45, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(check_receipts), [_row("a", beijing), _row("b", utc)])
        rows = dict(conn.execute(select(check_receipts.c.receipt, check_receipts.c.at)).all())
        # Comparisons in SQL see one time line, whichever zone each value was written in.
        later = conn.execute(
            select(check_receipts.c.receipt).where(check_receipts.c.at > beijing)
        ).scalars()
        assert list(later) == ["b"]
    assert rows["a"] == beijing
    assert rows["a"].utcoffset() == dt.timedelta(0)
    assert rows["b"] == utc


def test_naive_instant_is_refused(engine: Engine) -> None:
    with pytest.raises(StatementError, match="time zone"), engine.begin() as conn:
        conn.execute(insert(check_receipts), [_row("n", dt.datetime(2026, 7, 1, 8))])
