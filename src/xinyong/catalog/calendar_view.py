"""The working-day calendar as the public reads it: every loaded year with its status, and
one year as a month grid of days off, make-up working days and, for a provisional year, the
compensation days placed by the 1:1 rule and the ranges the State Council's notice may still
change (pure).

A provisional year says why: the notice is not out, so the year is built from
《全国年节及纪念日放假办法》 (the version in force that year, its statutory days) and a lunar
calendar; the holiday law module gives the version.
"""

from __future__ import annotations

import calendar as stdcal
import datetime as dt
from typing import Any

from xinyong.kernel.calendar import (
    PROVISIONAL,
    STATUS_LABELS,
    WEEKDAY_ZH,
    WorkCalendar,
    YearSchedule,
    provisional_label,
)
from xinyong.kernel.errors import ConfigurationError, NotFound
from xinyong.kernel.holiday_law import describe_law

# Kinds of day in the grid, with their Chinese labels.
DAY_KINDS = {
    "holiday": "放假",
    "compensation": "暂定补假",
    "makeup": "调休上班",
    "weekend": "休息日",
    "workday": "工作日",
}


def _law(year: int) -> dict[str, Any] | None:
    try:
        return describe_law(year)
    except ConfigurationError:  # a year before the first version of the law (none today)
        return None


def year_summary(s: YearSchedule) -> dict[str, Any]:
    return {
        "year": s.year,
        "status": s.status,
        "status_label": STATUS_LABELS[s.status],
        "provisional": s.provisional,
        "source": s.source,
        "source_url": s.source_url,
    }


def years(cal: WorkCalendar) -> list[dict[str, Any]]:
    """Every loaded year, newest first."""
    return [year_summary(s) for s in reversed(cal.schedules())]


def _why(s: YearSchedule, law: dict[str, Any] | None) -> str:
    text = (
        f"{provisional_label([s.year])}。本年日历依据《全国年节及纪念日放假办法》"
        f"{'（' + law['version'] + '年修订）' if law else ''}和农历推算："
        "法定节假日由放假办法确定，不会改变；法定节假日逢周六、周日的补假日按“节后顺延”暂定"
        "（放假办法第六条，实际日期以国务院办公厅通知为准）；不推测调休上班日。"
        "下列“可能调整”的日期范围内，国务院通知公布后放假和上班安排可能变化，"
        "据此计算的期限均标为暂定。"
    )
    return text


def year_detail(cal: WorkCalendar, year: int) -> dict[str, Any]:
    """One year: status (and why, if provisional), the holidays, make-up working days,
    compensation days and uncertainty windows, and twelve month grids (weeks from Monday).
    NotFound for a year with no file."""
    if year not in cal.years:
        known = sorted(cal.years)
        span = f"{known[0]}—{known[-1]}年" if known else "无"
        raise NotFound(
            f"no calendar loaded for {year}", f"没有{year}年的节假日安排（已载入：{span}）"
        )
    s = cal.schedule(year)
    law = _law(year)
    days_off = s.listed_days_off()
    compensation = {c.day: c.for_holiday for c in s.compensation}
    makeup = s.makeup_days()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in stdcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in days_off:
                    kind, name = "holiday", days_off[day]
                elif day in compensation:
                    kind, name = "compensation", compensation[day]
                elif day in makeup:
                    kind, name = "makeup", makeup[day]
                elif day.weekday() >= 5:
                    kind, name = "weekend", ""
                else:
                    kind, name = "workday", ""
                window = next((w.name for w in s.windows if day in w), None)
                cells.append(
                    {
                        "date": day.isoformat(),
                        "day": day.day,
                        "kind": kind,
                        "kind_label": DAY_KINDS[kind],
                        "name": name,
                        "uncertain": window is not None,
                        "title": f"{day.isoformat()} {WEEKDAY_ZH[day.weekday()]}，"
                        + (f"{name}" if name else "")
                        + DAY_KINDS[kind]
                        + (f"（{window}前后可能调整）" if window else ""),
                    }
                )
            weeks.append(cells)
        months.append({"month": month, "name": f"{month}月", "weeks": weeks})
    working = sum(
        1
        for o in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() + 1)
        if cal.is_workday(dt.date.fromordinal(o))
    )
    return {
        **year_summary(s),
        "why_provisional": _why(s, law) if s.status == PROVISIONAL else None,
        "law": law,
        "working_days": working,
        "holidays": [
            {"name": h.name, "from": h.start.isoformat(), "to": h.end.isoformat()}
            for h in s.holidays
        ],
        "makeup_workdays": [
            {"date": m.day.isoformat(), "for": m.for_holiday} for m in s.makeup_workdays
        ],
        "compensation": [{"date": c.day.isoformat(), "for": c.for_holiday} for c in s.compensation],
        "uncertainty_windows": [
            {
                "name": w.name,
                "from": w.start.isoformat(),
                "to": w.end.isoformat(),
                "extra_days_off": w.extra_days_off,
            }
            for w in s.windows
        ],
        "weekdays": list(WEEKDAY_ZH),
        "months": months,
        "previous": year - 1 if year - 1 in cal.years else None,
        "next": year + 1 if year + 1 in cal.years else None,
    }
