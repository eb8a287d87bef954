"""The monthly re-check draw shared by repair (复查) and commitments (复核)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from xinyong.kernel import sampling
from xinyong.kernel.errors import InputError


@dataclass(frozen=True)
class Policy:
    ratio: float
    minimum: int


POLICY = Policy(ratio=0.1, minimum=3)


def test_month_bounds_are_beijing_months_in_utc() -> None:
    start, end = sampling.month_bounds("2026-12")
    assert start == dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 31, 16, tzinfo=dt.UTC)  # into January of next year


def test_a_bad_month_names_the_field() -> None:
    with pytest.raises(InputError) as exc:
        sampling.month_bounds("2026-13")
    assert "month（月份）“2026-13”应为 YYYY-MM" in exc.value.message_zh


def test_a_month_not_begun_is_refused() -> None:
    now = dt.datetime(2026, 11, 30, 15, 59, tzinfo=dt.UTC)  # 23:59 on 30 November, Beijing
    assert sampling.month_begun("2026-11", now)[0] < now
    with pytest.raises(InputError) as exc:
        sampling.month_begun("2026-12", now)
    assert exc.value.message_zh == "month（月份）2026-12 尚未开始"


@pytest.mark.parametrize(
    ("population", "ratio", "minimum", "size"),
    [(0, 0.1, 3, 0), (2, 0.1, 3, 2), (10, 0.1, 3, 3), (100, 0.1, 3, 10), (101, 0.1, 3, 11)],
)
def test_sample_size(population: int, ratio: float, minimum: int, size: int) -> None:
    assert sampling.sample_size(population, ratio, minimum) == size


def test_a_draw_replays_from_its_seed() -> None:
    now = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    population = list(range(1, 51))
    row = sampling.draw_row("2026-11", population, POLICY, seed=None, actor="office", now=now)
    drawn = json.loads(str(row["drawn"]))
    assert len(drawn) == 5
    assert drawn == sorted(drawn)
    assert sampling.replay(str(row["seed"]), population, 5) == drawn
    again = sampling.draw_row(
        "2026-11", population, POLICY, seed=str(row["seed"]), actor="x", now=now
    )
    assert again["drawn"] == row["drawn"]
