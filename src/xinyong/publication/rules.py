"""Publication windows: pure functions of (item, policy, severity, dates).

A window is [public_from, public_until): the record is shown publicly on day D when
public_from <= D < public_until (public_until None = no end). ``repair_from`` is the end of
the minimum period, the first day credit repair may stop publication early.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from xinyong.catalog.model import (
    Disclosure,
    ItemVersion,
    Nature,
    PublicationPolicy,
    Severity,
)

NO_EXPIRY = dt.date(2099, 12, 31)  # what departments send for "valid indefinitely"


@dataclass(frozen=True, slots=True)
class Window:
    public: bool
    public_from: dt.date | None
    public_until: dt.date | None
    repair_from: dt.date | None
    policy_code: str | None
    reason: str  # Chinese: why the record is (not) public, or which rule set its period


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later; the month's last day if it has no such day.

    Civil-law counting (民法典 art. 202): a period in months ends on the corresponding day
    of the last month, or that month's last day where the day does not exist.
    """
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, _cal.monthrange(year, month)[1])
    return dt.date(year, month, day)


def publication_window(
    item: ItemVersion,
    policy: PublicationPolicy | None,
    severity: Severity | None,
    decision_date: dt.date | None,
    subject_kind: str,
    valid_until: dt.date | None = None,
    values: Mapping[str, str] | None = None,
) -> Window:
    """The window for one record; ``values`` are its canonical field values (codes)."""
    if item.disclosure is not Disclosure.PUBLIC:
        return Window(
            False, None, None, None, None, f"信息公开属性为“{item.disclosure.value}”，不向社会公开"
        )
    start = decision_date
    if item.nature is Nature.NEGATIVE:
        if policy is None:
            return Window(False, None, None, None, None, "无适用的公示政策，不予公开")
        if subject_kind == "person" and not policy.publish_natural_persons:
            return Window(
                False, None, None, None, policy.code, f"依{policy.name}，自然人信息原则上不公开"
            )
        sev = severity or Severity.GENERAL
        rule = policy.periods.get(sev)
        if rule is None or not rule.publish:
            return Window(
                False,
                None,
                None,
                None,
                policy.code,
                f"依{policy.name}，{sev.value}失信信息不予公示",
            )
        for field_code, codes in rule.unpublished_if_only.items():
            present = {v for v in (values or {}).get(field_code, "").split(",") if v}
            if present and present <= set(codes):
                return Window(
                    False,
                    None,
                    None,
                    None,
                    policy.code,
                    f"依{policy.name}，仅受此类处罚的信息不予公示",
                )
        if start is None:
            return Window(False, None, None, None, policy.code, "缺少决定日期，无法确定公示期")
        until = add_months(start, rule.max_months) if rule.max_months is not None else None
        repair = add_months(start, rule.min_months) if rule.min_months is not None else None
        if valid_until is not None and valid_until != NO_EXPIRY:
            # A penalty with its own term (e.g. 限制从业 for N years) stays public until that
            # term ends even when it outlasts the maximum period; a list entry with no maximum
            # period leaves publication when its own validity ends.
            own_end = valid_until + dt.timedelta(days=1)
            until = own_end if until is None else max(until, own_end)
        shortest = f"最短{rule.min_months}个月、" if rule.min_months is not None else ""
        longest = f"最长{rule.max_months}个月" if rule.max_months is not None else "无最长期限"
        period = shortest + longest
        return Window(
            True,
            start,
            until,
            repair,
            policy.code,
            f"依{policy.name}，{sev.value}失信信息公示期{period}",
        )
    if subject_kind == "person":
        return Window(False, None, None, None, None, "自然人信息默认不向社会公开")
    until = None
    if valid_until is not None and valid_until != NO_EXPIRY:
        until = valid_until + dt.timedelta(days=1)
    return Window(
        True, start, until, None, None, "依信息目录向社会公开" + ("，至有效期届满" if until else "")
    )


def is_public_on(
    public: bool,
    public_from: dt.date | None,
    public_until: dt.date | None,
    received_on: dt.date,
    day: dt.date,
) -> bool:
    """Whether a stored window shows the record on ``day`` (never before it was received)."""
    if not public or day < received_on:
        return False
    if public_from is not None and day < public_from:
        return False
    return public_until is None or day < public_until


def publication_status(
    public: bool,
    public_from: dt.date | None,
    public_until: dt.date | None,
    received_on: dt.date,
    day: dt.date,
) -> str:
    """Chinese status label for the internal view."""
    if not public:
        return "不公开"
    if day < received_on or (public_from is not None and day < public_from):
        return "尚未公示"
    if public_until is not None and day >= public_until:
        return "公示期满"
    return "公示中"
