"""The monthly re-check draw (复查、复核) of cases closed in a month: the month's bounds, the
sample size at a ratio with a minimum, and a draw an auditor replays from its recorded seed."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import InputError


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month ``YYYY-MM`` (Beijing time) as UTC instants [start, end)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InputError(f"month {month!r}", f"month（月份）“{month}”应为 YYYY-MM") from None
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=CHINA_TZ)
    end = dt.datetime.combine(nxt, dt.time(), tzinfo=CHINA_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def month_begun(month: str, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """``month_bounds`` of a month that has begun by ``now`` (a draw is of a past month or
    the current one)."""
    start, end = month_bounds(month)
    if start > now:
        raise InputError(f"month {month} is in the future", f"month（月份）{month} 尚未开始")
    return start, end


class SamplePolicy(Protocol):
    """What a draw needs of a catalogue's re-check policy."""

    @property
    def ratio(self) -> float: ...
    @property
    def minimum(self) -> int: ...


def sample_size(population: int, ratio: float, minimum: int) -> int:
    """``ratio`` of the population rounded up, at least ``minimum``, at most all of it."""
    if population == 0:
        return 0
    return min(population, max(minimum, math.ceil(population * ratio)))


def replay(seed: str, population: Sequence[int], n: int) -> list[int]:
    """The ids drawn from ``population`` with ``seed`` (what an auditor recomputes)."""
    return sorted(random.Random(seed).sample(list(population), n))  # noqa: S311 - recorded, not secret


def draw_row(
    month: str,
    population: Sequence[int],
    policy: SamplePolicy,
    *,
    seed: str | None,
    actor: str,
    now: dt.datetime,
) -> dict[str, object]:
    """The sample row of a month's draw: seed (a fresh one unless given), population and the
    ids drawn, so the draw can be replayed."""
    seed = seed or secrets.token_hex(16)
    drawn = replay(seed, population, sample_size(len(population), policy.ratio, policy.minimum))
    return {
        "month": month,
        "ratio": policy.ratio,
        "seed": seed,
        "population": json.dumps(list(population)),
        "drawn": json.dumps(drawn),
        "drawn_by": actor,
        "drawn_at": now,
    }


def sample_view(row: Mapping[str, Any], drawn_at: str) -> dict[str, Any]:
    """A stored draw as the API shows it (``drawn_at`` as the caller writes times)."""
    return {
        "month": row["month"],
        "ratio": row["ratio"],
        "seed": row["seed"],
        "population": json.loads(row["population"]),
        "drawn": json.loads(row["drawn"]),
        "drawn_by": row["drawn_by"],
        "drawn_at": drawn_at,
    }
