"""Injected clocks, so deadlines and expiry can be tested by moving time."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Timezone-aware current time."""
        ...

    def today(self) -> dt.date:
        """Current date in China Standard Time (deadlines are Beijing dates)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(tz=CHINA_TZ)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that stays where it is put; ``advance`` moves it."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            at = at.replace(tzinfo=CHINA_TZ)
        self._at = at

    def now(self) -> dt.datetime:
        return self._at

    def today(self) -> dt.date:
        return self._at.astimezone(CHINA_TZ).date()

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta

    def set(self, at: dt.datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=CHINA_TZ)


def beijing_time(moment: dt.datetime) -> str:
    """An instant as people read it: Beijing time to the second, e.g. 2026-06-15 10:00:00."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
