"""Pure rules of voluntary registration: a kind's field values checked, the registration's
content as the ledger records it, and the share of voluntary records against the target."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from xinyong.catalog.voluntary import KindField, VoluntaryKind
from xinyong.kernel.errors import InputError

SELF_REPORTED = "自主申报"
_INTEGER = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True, slots=True)
class Problem:
    field: str
    name: str
    value: str
    reason_zh: str
    reason_en: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "name": self.name, "value": self.value, "why": self.reason_zh}


def _check(f: KindField, raw: str, today: dt.date) -> Problem | None:
    def bad(zh: str, en: str) -> Problem:
        return Problem(f.code, f.name, raw[:40], zh, en)

    if len(raw) > f.max_length:
        return bad(f"不得超过 {f.max_length} 个字符（收到 {len(raw)} 个）", "too long")
    if f.type == "date":
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            return bad("应为日期，格式 YYYY-MM-DD", "not a date")
        if f.code != "valid_until" and day > today:
            return bad(f"不能晚于今天（{today.isoformat()}）", "in the future")
    elif f.type == "integer":
        if not _INTEGER.match(raw):
            return bad("应为非负整数", "not a non-negative integer")
    elif f.type == "decimal":
        try:
            number = Decimal(raw)
        except InvalidOperation:
            return bad("应为数值", "not a number")
        if not number.is_finite() or number < 0:
            return bad("应为非负数值", "negative or not finite")
    return None


def check_values(kind: VoluntaryKind, values: Mapping[str, str], today: dt.date) -> dict[str, str]:
    """The kind's values, trimmed, in the kind's field order; every problem at once (field,
    value, why) when a required one is missing, one is malformed or one is not of the kind."""
    problems: list[Problem] = []
    for code in values:
        if kind.field(code) is None:
            options = "、".join(f"{f.code}（{f.name}）" for f in kind.fields)
            problems.append(
                Problem(code, code, "", f"不是“{kind.name}”的字段，可填：{options}", "unknown")
            )
    out: dict[str, str] = {}
    for f in kind.fields:
        raw = (values.get(f.code) or "").strip()
        if not raw:
            if f.required:
                problems.append(Problem(f.code, f.name, "", "必填", "required"))
            continue
        problem = _check(f, raw, today)
        if problem is not None:
            problems.append(problem)
        else:
            out[f.code] = raw
    if problems:
        raise InputError(
            "voluntary registration fields: "
            + "; ".join(f"{p.field} {p.reason_en}" for p in problems),
            "；".join(
                f"{p.field}（{p.name}）{'“' + p.value + '”' if p.value else ''}：{p.reason_zh}"
                for p in problems
            ),
        )
    return out


def content_text(kind: VoluntaryKind, values: Mapping[str, str]) -> str:
    """What the record's 信息内容 field says: each filled field by its Chinese name."""
    return "；".join(f"{f.name}：{values[f.code]}" for f in kind.fields if values.get(f.code))


@dataclass(frozen=True, slots=True)
class Share:
    voluntary: int
    total: int
    target: float

    @property
    def ratio(self) -> float | None:
        return self.voluntary / self.total if self.total else None

    @property
    def reached(self) -> bool:
        return self.ratio is not None and self.ratio >= self.target

    def as_json(self) -> dict[str, object]:
        ratio = self.ratio
        return {
            "voluntary": self.voluntary,
            "total": self.total,
            "share": round(ratio, 4) if ratio is not None else None,
            "share_text": f"{ratio * 100:.1f}%" if ratio is not None else "—",
            "target": self.target,
            "target_text": f"{self.target * 100:.0f}%",
            "reached": self.reached,
        }
