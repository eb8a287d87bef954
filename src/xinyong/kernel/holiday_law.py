"""《全国年节及纪念日放假办法》 as data: statutory days off by year, provisional years, checks.

The rule (``catalog/data/calendar/law/national-holidays.yaml``) names, per version and
effective date, the festivals and how many days each gets; the lunar dates and the solar term
清明 come from ``lunar-python``. From that this module

* computes the statutory days of a year under the version in force on its 1 January,
* builds a *provisional* year before the State Council's notice is out: the statutory days,
  each statutory day on a weekend compensated on the next free weekday (第六条, 1:1 rule,
  flagged provisional), no make-up working day, and the uncertainty windows whose widths the
  law file gives as configuration ([U]: an estimate, not a rule),
* checks a year file against the law: every statutory day must be a day off (error); the
  working-day count (weekdays minus statutory days: 248 in 2027), runs of more than six
  working days (第七条) and a notice address off gov.cn are warnings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version as package_version
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from lunar_python import Lunar, Solar

from xinyong.kernel.calendar import (
    PROVISIONAL,
    Compensation,
    HolidayRange,
    UncertaintyWindow,
    YearSchedule,
    _as_date,
    _as_int,
    _as_list,
    _as_mapping,
    _as_text,
    _config_error,
    _FileProblem,
    _required,
    load_yaml,
    parse_schedule,
)
from xinyong.kernel.errors import ConfigurationError

__all__ = [
    "CalendarWarning",
    "Festival",
    "HolidayLaw",
    "LawVersion",
    "check_schedule",
    "default_law",
    "load_law",
    "provisional_schedule",
    "provisional_year_text",
]

SCHEMA: Final = "xinyong.calendar-law/v1"
_RULES: Final = frozenset({"fixed", "lunar", "solar_term"})
_TOP: Final = frozenset({"schema", "title", "versions", "weekend_compensation", "uncertainty"})
_VERSION: Final = frozenset(
    {"version", "effective_from", "legal_basis", "festivals", "max_consecutive_working_days"}
)
_FESTIVAL: Final = frozenset({"name", "rule", "month", "day", "offset", "term", "days"})
_UNCERTAINTY: Final = frozenset({"evidence", "note", "extra_days_off_per_window", "windows"})
_WINDOW: Final = frozenset({"before", "after", "extra_days_off"})


@dataclass(frozen=True, slots=True)
class Festival:
    name: str
    rule: str  # fixed | lunar | solar_term
    days: int
    month: int = 0
    day: int = 0
    offset: int = 0  # lunar: days from the lunar date to the first day off (除夕: -1)
    term: str = ""

    def first_day(self, year: int) -> dt.date:
        if self.rule == "fixed":
            return dt.date(year, self.month, self.day)
        if self.rule == "lunar":
            solar = Lunar.fromYmd(year, self.month, self.day).getSolar()
            return dt.date(solar.getYear(), solar.getMonth(), solar.getDay()) + dt.timedelta(
                days=self.offset
            )
        # The lunar year that contains 15 June of ``year`` holds that year's spring and
        # summer terms (清明 falls in early April).
        table = Solar.fromYmd(year, 6, 15).getLunar().getJieQiTable()
        solar = table[self.term]
        day = dt.date(solar.getYear(), solar.getMonth(), solar.getDay())
        if day.year != year:  # pragma: no cover - a library change would surface here
            raise ConfigurationError(
                f"solar term {self.term} of {year} computed as {day}",
                f"{year}年{self.term}计算为 {day}，与年份不符，请检查农历库",
            )
        return day

    def dates(self, year: int) -> list[dt.date]:
        first = self.first_day(year)
        return [first + dt.timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True, slots=True)
class LawVersion:
    version: str
    effective_from: dt.date
    title: str
    festivals: tuple[Festival, ...]
    # 第七条 (2024): 法定节假日假期前后连续工作一般不超过6天; None where the version says nothing.
    max_consecutive_working_days: int | None = None

    @property
    def total_days(self) -> int:
        return sum(f.days for f in self.festivals)


@dataclass(frozen=True, slots=True)
class CalendarWarning:
    year: int
    message_en: str
    message_zh: str


@dataclass(frozen=True, slots=True)
class HolidayLaw:
    versions: tuple[LawVersion, ...]  # by effective date
    # festival -> (days before, days after, working weekdays that may become days off)
    windows: dict[str, tuple[int, int, int]]
    extra_days_off: int
    origin: str

    def version_for(self, year: int) -> LawVersion | None:
        """The version in force on 1 January of ``year`` (None before the first one)."""
        on = dt.date(year, 1, 1)
        found = None
        for v in self.versions:
            if v.effective_from <= on:
                found = v
        return found

    def _version(self, year: int) -> LawVersion:
        v = self.version_for(year)
        if v is None:
            first = self.versions[0].effective_from.year + 1
            raise ConfigurationError(
                f"{self.origin}: no version of the holiday law covers {year}",
                f"{self.origin} 中没有适用于{year}年的放假办法版本（最早适用于{first}年）",
            )
        return v

    def festival_days(self, year: int) -> list[tuple[str, list[dt.date]]]:
        """Each festival's statutory days, in date order."""
        v = self._version(year)
        return sorted(((f.name, f.dates(year)) for f in v.festivals), key=lambda x: x[1][0])

    def statutory_days(self, year: int) -> dict[dt.date, str]:
        days: dict[dt.date, str] = {}
        for name, dates in self.festival_days(year):
            for d in dates:
                days.setdefault(d, name)
        return days

    def compensation_days(self, year: int) -> dict[dt.date, str]:
        """第六条 by the default 1:1 rule: each statutory day on a Saturday or Sunday (or
        coinciding with another festival's day) moves to the next weekday after the festival
        that is neither a statutory day nor already a compensation day."""
        statutory = self.statutory_days(year)
        taken: dict[dt.date, str] = {}
        claimed: set[dt.date] = set()
        for name, dates in self.festival_days(year):
            owed = 0
            for d in dates:
                if d.weekday() >= 5 or d in claimed:
                    owed += 1
                claimed.add(d)
            day = dates[-1]
            while owed:
                day += dt.timedelta(days=1)
                if day.year != year:
                    break  # a December festival cannot be compensated inside its year
                if day.weekday() < 5 and day not in statutory and day not in taken:
                    taken[day] = name
                    owed -= 1
        return taken

    def uncertainty_windows(self, year: int) -> list[UncertaintyWindow]:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        out = []
        for name, dates in self.festival_days(year):
            if name not in self.windows:
                continue
            before, after, extra = self.windows[name]
            start = max(first, dates[0] - dt.timedelta(days=before))
            end = min(last, dates[-1] + dt.timedelta(days=after))
            out.append(UncertaintyWindow(name, start, end, extra))
        return out


# --------------------------------------------------------------------------- loading


def law_path() -> Path:
    return Path(
        str(files("xinyong.catalog").joinpath("data", "calendar", "law", "national-holidays.yaml"))
    )


def _festival(raw: object, key: str) -> Festival:
    entry = _as_mapping(raw, key, _FESTIVAL)
    _required(entry, key, ("name", "rule", "days"))
    rule = entry["rule"]
    if rule not in _RULES:
        raise _FileProblem(
            f"{key}.rule",
            f"{rule!r} is not one of {', '.join(sorted(_RULES))}",
            f"「{rule}」无效，可选：{'、'.join(sorted(_RULES))}",
        )
    days = _as_int(entry["days"], f"{key}.days", 1)
    if rule == "solar_term":
        _required(entry, key, ("term",))
        return Festival(_as_text(entry["name"], f"{key}.name"), rule, days, term=entry["term"])
    _required(entry, key, ("month", "day"))
    offset = entry.get("offset", 0)
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise _FileProblem(f"{key}.offset", "must be a whole number", "应为整数")
    return Festival(
        _as_text(entry["name"], f"{key}.name"),
        rule,
        days,
        month=_as_int(entry["month"], f"{key}.month", 1),
        day=_as_int(entry["day"], f"{key}.day", 1),
        offset=offset,
    )


def _parse_law(data: object, origin: str) -> HolidayLaw:
    top = _as_mapping(data, "", _TOP)
    _required(top, "", ("schema", "versions", "uncertainty"))
    if top["schema"] != SCHEMA:
        raise _FileProblem("schema", f"must be {SCHEMA}", f"应为 {SCHEMA}")
    versions: list[LawVersion] = []
    for i, raw in enumerate(_as_list(top["versions"], "versions")):
        key = f"versions[{i}]"
        entry = _as_mapping(raw, key, _VERSION)
        _required(entry, key, ("version", "effective_from", "legal_basis", "festivals"))
        basis = entry["legal_basis"]
        if not isinstance(basis, dict) or not basis.get("title"):
            raise _FileProblem(f"{key}.legal_basis", "needs a title", "须写明依据（title）")
        festivals = tuple(
            _festival(f, f"{key}.festivals[{j}]")
            for j, f in enumerate(_as_list(entry["festivals"], f"{key}.festivals"))
        )
        version = LawVersion(
            _as_text(entry["version"], f"{key}.version"),
            _as_date(entry["effective_from"], f"{key}.effective_from"),
            _as_text(basis["title"], f"{key}.legal_basis.title"),
            festivals,
            None
            if entry.get("max_consecutive_working_days") is None
            else _as_int(
                entry["max_consecutive_working_days"], f"{key}.max_consecutive_working_days", 1
            ),
        )
        if versions and version.effective_from <= versions[-1].effective_from:
            raise _FileProblem(
                f"{key}.effective_from",
                "versions must be in order of effective date",
                "各版本应按施行日期先后排列",
            )
        versions.append(version)
    if not versions:
        raise _FileProblem("versions", "no version", "至少应有一个版本")
    unc = _as_mapping(top["uncertainty"], "uncertainty", _UNCERTAINTY)
    _required(unc, "uncertainty", ("extra_days_off_per_window", "windows"))
    extra = _as_int(unc["extra_days_off_per_window"], "uncertainty.extra_days_off_per_window")
    windows: dict[str, tuple[int, int, int]] = {}
    names = frozenset(unc["windows"]) if isinstance(unc["windows"], dict) else frozenset()
    raw_windows = _as_mapping(unc["windows"], "uncertainty.windows", names)
    for name, raw in raw_windows.items():
        key = f"uncertainty.windows.{name}"
        w = _as_mapping(raw, key, _WINDOW)
        _required(w, key, ("before", "after"))
        windows[str(name)] = (
            _as_int(w["before"], f"{key}.before"),
            _as_int(w["after"], f"{key}.after"),
            _as_int(w.get("extra_days_off", extra), f"{key}.extra_days_off"),
        )
    return HolidayLaw(tuple(versions), windows, extra, origin)


def load_law(path: Path | None = None) -> HolidayLaw:
    """The holiday law from ``path`` (default: the shipped file); errors name file and key."""
    source = path if path is not None else law_path()
    origin = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read holiday law file {origin}: {exc}",
            f"无法读取放假办法文件 {origin}",
        ) from exc
    data = load_yaml(text, origin)
    try:
        return _parse_law(data, origin)
    except _FileProblem as problem:
        raise _config_error(origin, problem.key, problem.reason_en, problem.reason_zh) from None


@lru_cache(maxsize=1)
def default_law() -> HolidayLaw:
    return load_law()


# --------------------------------------------------------------------------- provisional years


def provisional_schedule(year: int, law: HolidayLaw | None = None) -> YearSchedule:
    law = law or default_law()
    version = law._version(year)
    holidays = [HolidayRange(name, dates[0], dates[-1]) for name, dates in law.festival_days(year)]
    # Two festivals on one day (中秋 on 10-01) would overlap: keep the first, the other's day
    # is owed and compensated.
    merged: list[HolidayRange] = []
    for h in holidays:
        if merged and h.start <= merged[-1].end:
            if h.end > merged[-1].end:
                merged.append(HolidayRange(h.name, merged[-1].end + dt.timedelta(days=1), h.end))
            continue
        merged.append(h)
    return YearSchedule(
        year=year,
        source=(
            f"暂定：依《全国年节及纪念日放假办法》（{version.version}年修订）和农历推算；"
            f"国务院办公厅关于{year}年部分节假日安排的通知尚未公布"
        ),
        source_url=None,
        holidays=tuple(merged),
        makeup_workdays=(),
        origin=f"{year}.yaml",
        status=PROVISIONAL,
        compensation=tuple(
            Compensation(d, n) for d, n in sorted(law.compensation_days(year).items())
        ),
        windows=tuple(law.uncertainty_windows(year)),
    )


_PLAIN = re.compile(r"^[\w\u4e00-\u9fff]+$")


def scalar(text: str) -> str:
    """A YAML scalar: a bare word as is, anything else as a JSON (double-quoted) string."""
    return text if _PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


def provisional_year_text(year: int, law: HolidayLaw | None = None) -> str:
    """The provisional year file, as ``tools/build_calendar.py`` and ``xinyong calendar draft``
    write it; it must parse back to exactly ``provisional_schedule``."""
    law = law or default_law()
    s = provisional_schedule(year, law)
    lines = [
        f"# Generated by tools/build_calendar.py (or xinyong calendar draft) from "
        f"{Path(law.origin).name} and "
        f"lunar-python {package_version('lunar-python')}; do not edit.",
        f"# PROVISIONAL: the State Council's notice for {year} is not out. Statutory days are "
        "fixed by law;",
        "# compensation days follow the 1:1 rule (第六条) and no make-up working day is guessed.",
        "# When the notice is out, add the official file (status: official) in the local",
        "# catalogue's calendar/ folder and run `xinyong calendar apply`.",
        f"year: {year}",
        "status: provisional",
        f"source: {scalar(s.source)}",
        "holidays:",
    ]
    lines += [f"  - {{name: {scalar(h.name)}, from: {h.start}, to: {h.end}}}" for h in s.holidays]
    if s.compensation:
        lines.append("compensation:")
        lines += [f"  - {{date: {c.day}, for: {scalar(c.for_holiday)}}}" for c in s.compensation]
    else:
        lines.append("compensation: []")
    lines.append("makeup_workdays: []")
    lines.append("uncertainty_windows:")
    lines += [
        f"  - {{name: {scalar(w.name)}, from: {w.start}, to: {w.end}, "
        f"extra_days_off: {w.extra_days_off}}}"
        for w in s.windows
    ]
    text = "\n".join(lines) + "\n"
    back = parse_schedule(text, f"{year}.yaml")
    if back.digest() != s.digest():  # pragma: no cover - a renderer bug
        raise AssertionError(f"{year}: provisional file does not round-trip")
    return text


# --------------------------------------------------------------------------- checks


def _runs(working: Iterable[tuple[dt.date, bool]]) -> list[tuple[dt.date, dt.date]]:
    runs: list[tuple[dt.date, dt.date]] = []
    start: dt.date | None = None
    last: dt.date | None = None
    for day, is_working in working:
        if is_working:
            start = start or day
            last = day
        elif start is not None and last is not None:
            runs.append((start, last))
            start = None
    if start is not None and last is not None:
        runs.append((start, last))
    return runs


def check_schedule(schedule: YearSchedule, law: HolidayLaw | None = None) -> list[CalendarWarning]:
    """Check a year file against the holiday law in force that year.

    Raises ``ConfigurationError`` (naming the file and ``holidays``) when a statutory day is
    not a day off; returns warnings for what a notice may legitimately do otherwise."""
    law = law or default_law()
    version = law.version_for(schedule.year)
    if version is None:
        return []
    year = schedule.year
    off = schedule.days_off()
    makeup = schedule.makeup_days()
    for day, name in sorted(law.statutory_days(year).items()):
        # A statutory Saturday the file does not list is still a day off (2012-06-23).
        if day in makeup or (day.weekday() < 5 and day not in off):
            raise _config_error(
                schedule.origin,
                "holidays",
                f"statutory day {day} ({name}) is not a day off",
                f"法定节假日 {day}（{name}，《全国年节及纪念日放假办法》{version.version}年修订"
                f"第二条）未列为放假日",
            )
    warnings: list[CalendarWarning] = []
    days = [
        dt.date.fromordinal(o)
        for o in range(dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal() + 1)
    ]
    working = [(d, d in makeup or (d.weekday() < 5 and d not in off)) for d in days]
    weekdays = sum(1 for d in days if d.weekday() < 5)
    expected = weekdays - version.total_days
    actual = sum(1 for _, w in working if w)
    if actual != expected:
        warnings.append(
            CalendarWarning(
                year,
                f"{schedule.origin}: {actual} working days in {year}, expected {expected} "
                f"({weekdays} weekdays minus {version.total_days} statutory days)",
                f"{schedule.origin}：{year}年共 {actual} 个工作日，按放假办法应为 {expected} 个"
                f"（{weekdays} 个周一至周五减 {version.total_days} 天法定节假日）；"
                "除非通知另有放假安排（如2015年），请核对",
            )
        )
    limit = version.max_consecutive_working_days
    for start, end in _runs(working):
        length = (end - start).days + 1
        if limit is not None and length > limit:
            warnings.append(
                CalendarWarning(
                    year,
                    f"{schedule.origin}: {length} consecutive working days {start}..{end}",
                    f"{schedule.origin}：{start} 至 {end} 连续工作 {length} 天，超过放假办法"
                    f"第七条“连续工作一般不超过{limit}天”，请核对",
                )
            )
    if not schedule.provisional and not (
        schedule.source_url and re.match(r"^https?://([\w-]+\.)*gov\.cn/", schedule.source_url)
    ):
        warnings.append(
            CalendarWarning(
                year,
                f"{schedule.origin}: source_url is not a gov.cn address",
                f"{schedule.origin}：source_url 不是中国政府网（gov.cn）的地址，请注明通知原文出处",
            )
        )
    return warnings


def describe_law(year: int, law: HolidayLaw | None = None) -> dict[str, Any]:
    """The law version and statutory days behind a year (for `xinyong calendar years`)."""
    law = law or default_law()
    v = law._version(year)
    return {
        "version": v.version,
        "title": v.title,
        "effective_from": v.effective_from.isoformat(),
        "statutory_days": v.total_days,
    }
