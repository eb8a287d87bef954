"""Pure rules of reporting: the statistics month in China time, typical case fields and states,
and the personal-data screen a typical case must pass before it is published."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xinyong.identity.redact import refuse_personal_text
from xinyong.kernel.clock import CHINA_TZ
from xinyong.kernel.errors import Conflict, InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Statistics before the platform era are meaningless; the bound mostly catches typos.
EARLIEST_YEAR = 2000

CATEGORIES = {"punishment": "惩戒", "incentive": "激励"}
# Management measures (管理措施) restrict the subject too, so they belong with 惩戒.
CATEGORY_MEASURE_KINDS = {
    "punishment": frozenset({"punishment", "management"}),
    "incentive": frozenset({"incentive"}),
}
STATES = {"draft": "草稿", "published": "已发布", "withdrawn": "已撤回"}
# transition -> (state it starts from, state it ends in)
TRANSITIONS = {"publish": ("draft", "published"), "withdraw": ("published", "withdrawn")}
EXIT_REASONS = {"expired": "到期移出", "early_exit": "提前移出", "revoked": "撤销移出"}

# The dashboard's window: a year by default, at most three (the charts stay readable and the
# queries stay one per month).
DASHBOARD_MONTHS = 12
MAX_DASHBOARD_MONTHS = 36

TITLE_MAX = 200
SUMMARY_MAX = 5000


class CaseStateError(Conflict):
    """A typical case is not in the state the requested step starts from."""

    code = "case_state"


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month in China Standard Time (Asia/Shanghai)."""

    year: int
    month: int

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> dt.date:
        if self.month == 12:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, self.month + 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next_first_day - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        """First instant of the month in China time (inclusive)."""
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=CHINA_TZ)

    @property
    def end(self) -> dt.datetime:
        """First instant of the next month in China time (exclusive)."""
        return dt.datetime.combine(self.next_first_day, dt.time(), tzinfo=CHINA_TZ)

    def members_day(self, today: dt.date) -> dt.date:
        """The day "members at month end" is counted on: the month's last day, or today while
        the month is still running (the future is not known yet)."""
        return min(self.last_day, today)


def parse_month(value: str | None, today: dt.date) -> Month:
    """``YYYY-MM``, not after the current month (China time)."""
    raw = (value or "").strip()
    if not raw:
        raise InputError(
            "month is required (YYYY-MM)", "须指定统计月份（month），格式为 YYYY-MM，如 2026-06"
        )
    found = _MONTH.match(raw)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise InputError(
            f"month {raw!r} is not a month in the form YYYY-MM",
            f"统计月份（month）“{raw}”格式不正确：应为 YYYY-MM，如 2026-06",
        )
    month = Month(int(found.group(1)), int(found.group(2)))
    if month.year < EARLIEST_YEAR:
        raise InputError(
            f"month {raw!r} is before {EARLIEST_YEAR}",
            f"统计月份（month）“{raw}”早于{EARLIEST_YEAR}年，请检查",
        )
    if month.first_day > today:
        raise InputError(
            f"month {raw!r} is in the future (today is {today.isoformat()})",
            f"统计月份（month）“{raw}”尚未开始（今天是{today.year}年{today.month}月{today.day}日），"
            "不能统计",
        )
    return month


def months_back(today: dt.date, count: int) -> list[Month]:
    """The ``count`` calendar months ending with today's (China time), oldest first."""
    if not 1 <= count <= MAX_DASHBOARD_MONTHS:
        raise InputError(
            f"months must be 1..{MAX_DASHBOARD_MONTHS}, got {count}",
            f"统计月数（months）须在1至{MAX_DASHBOARD_MONTHS}之间",
        )
    out = [Month(today.year, today.month)]
    while len(out) < count:
        m = out[-1]
        out.append(Month(m.year - 1, 12) if m.month == 1 else Month(m.year, m.month - 1))
    return out[::-1]


def ratio(part: int, whole: int) -> float | None:
    """``part / whole`` to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def coverage(returned: int, with_feedback: int) -> float | None:
    """Share of returned measures that have feedback; None when nothing was returned."""
    if returned == 0:
        return None
    return round(with_feedback / returned, 4)


def parse_category(value: str) -> str:
    """The category code from its code or its Chinese name (惩戒/激励)."""
    raw = value.strip()
    for code, name in CATEGORIES.items():
        if raw in (code, name):
            return code
    raise InputError(
        f"category {raw!r} is not punishment or incentive",
        f"案例类别（category）“{raw}”无效：应为“惩戒”或“激励”",
    )


def clean_measure_codes(codes: Iterable[str]) -> list[str]:
    """Upper-cased, de-duplicated, in the order given; at least one."""
    out = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not out:
        raise InputError(
            "name at least one related measure", "须至少填写一项相关措施代码（measures）"
        )
    return out


def check_publishable(field: str, label: str, text: str, today: dt.date) -> None:
    """Refuse text of a typical case that would disclose a natural person."""
    refuse_personal_text(field, label, text, today, what_zh="典型案例", what_en="a typical case")


def next_state(case_id: int, state: str, transition: str) -> str:
    start, end = TRANSITIONS[transition]
    if state != start:
        action = {"publish": "发布", "withdraw": "撤回"}[transition]
        raise CaseStateError(
            f"typical case {case_id} is {state}; {transition} needs {start}",
            f"典型案例 {case_id} 当前为“{STATES.get(state, state)}”，只有“{STATES[start]}”的案例"
            f"才能{action}",
        )
    return end


def department_totals(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dashboard's records per department and month summed over the window, with the
    window's on-time and rejection rates (the rates of the sums, not a mean of rates)."""
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        t = out.setdefault(
            r["department"],
            {
                "department": r["department"],
                "department_name": r["department_name"],
                "rows": 0,
                "accepted": 0,
                "rejected": 0,
                "late": 0,
            },
        )
        for field in ("rows", "accepted", "rejected", "late"):
            t[field] += int(r[field])
    for t in out.values():
        t["on_time_rate"] = ratio(t["accepted"] - t["late"], t["accepted"])
        t["rejection_rate"] = ratio(t["rejected"], t["rows"])
    return sorted(out.values(), key=lambda t: str(t["department"]))
