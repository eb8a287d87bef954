"""The official working-day calendar: shipped data, arithmetic, local year files, bad files."""

from __future__ import annotations

import datetime as dt
import importlib.util
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027
from xinyong.kernel import calendar as calmod
from xinyong.kernel.calendar import (
    Deadline,
    WorkCalendar,
    explain_add_workdays,
    local_calendar_dirs,
)
from xinyong.kernel.errors import ConfigurationError, UnknownCalendarYear

D = dt.date
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def _span(first: D, last: D) -> set[D]:
    return {D.fromordinal(o) for o in range(first.toordinal(), last.toordinal() + 1)}


# A hypothetical official 2027 schedule for tests only; the real one is not published yet.
FAKE_2027 = HYPOTHETICAL_OFFICIAL_2027


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- shipped data


def test_shipped_years_are_2004_to_2026_official_and_2027_provisional(cal: WorkCalendar) -> None:
    assert cal.years == frozenset(range(2004, 2028))
    assert cal.provisional_years == frozenset({2027})
    assert all(cal.schedule(y).status == "official" for y in range(2004, 2027))


# Facts from domain-reference.md §9, which cites the State Council notices
# (gov.cn content_6986383 for 2025, content_7047091 for 2026).
REFERENCE = {
    2025: (
        [
            (D(2025, 1, 1), D(2025, 1, 1)),
            (D(2025, 1, 28), D(2025, 2, 4)),
            (D(2025, 4, 4), D(2025, 4, 6)),
            (D(2025, 5, 1), D(2025, 5, 5)),
            (D(2025, 5, 31), D(2025, 6, 2)),
            (D(2025, 10, 1), D(2025, 10, 8)),
        ],
        [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
        "content_6986383",
    ),
    2026: (
        [
            (D(2026, 1, 1), D(2026, 1, 3)),
            (D(2026, 2, 15), D(2026, 2, 23)),
            (D(2026, 4, 4), D(2026, 4, 6)),
            (D(2026, 5, 1), D(2026, 5, 5)),
            (D(2026, 6, 19), D(2026, 6, 21)),
            (D(2026, 9, 25), D(2026, 9, 27)),
            (D(2026, 10, 1), D(2026, 10, 7)),
        ],
        [
            D(2026, 1, 4),
            D(2026, 2, 14),
            D(2026, 2, 28),
            D(2026, 5, 9),
            D(2026, 9, 20),
            D(2026, 10, 10),
        ],
        "content_7047091",
    ),
}


@pytest.mark.parametrize("year", sorted(REFERENCE))
def test_2025_and_2026_match_the_reference(cal: WorkCalendar, year: int) -> None:
    ranges, makeups, url_part = REFERENCE[year]
    schedule = cal.schedule(year)
    expected_off = set().union(*(_span(a, b) for a, b in ranges))
    assert set(schedule.days_off()) == expected_off
    assert set(schedule.makeup_days()) == set(makeups)
    assert schedule.source_url is not None
    assert url_part in schedule.source_url
    for day in _span(D(year, 1, 1), D(year, 12, 31)):
        official = day in set(makeups) or (day.weekday() < 5 and day not in expected_off)
        assert cal.is_workday(day) is official, day


def test_every_shipped_day_agrees_with_chinese_calendar(cal: WorkCalendar) -> None:
    corrected = {d for days in _load_generator().CORRECTIONS.values() for d in days}
    for day in _span(D(2004, 1, 1), D(2026, 12, 31)):
        if day in corrected:
            continue
        assert cal.is_workday(day) is chinese_calendar.is_workday(day), day
        on_holiday, english = chinese_calendar.get_holiday_detail(day)
        if on_holiday and english is not None:
            assert cal.holiday_name(day) == chinese_calendar.Holiday(english).chinese, day


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_calendar", REPO / "tools" / "build_calendar.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_files_are_what_the_generator_writes() -> None:
    built: dict[str, str] = _load_generator().build_all()
    shipped = Path(str(calmod.shipped_calendar_dir()))
    assert sorted(built) == sorted(p.name for p in shipped.glob("*.yaml"))
    for name, text in built.items():
        assert (shipped / name).read_text(encoding="utf-8") == text, name


def test_2005_12_31_is_a_working_day(cal: WorkCalendar) -> None:
    # 国办发明电〔2005〕35号: "12月31日（星期六）上班" (legal-audit W1); chinese-calendar misses it.
    assert not chinese_calendar.is_workday(D(2005, 12, 31))
    assert cal.is_workday(D(2005, 12, 31))
    assert cal.makeup_for(D(2005, 12, 31)) == "元旦"
    assert cal.add_workdays(D(2005, 12, 30), 1) == D(2005, 12, 31)
    assert cal.add_workdays(D(2005, 12, 30), 2) == D(2006, 1, 4)  # 01-01 .. 01-03 off
    # The fix lives in the generator, so a regeneration keeps it.
    generated = _load_generator().build_year(2005)
    assert "{date: 2005-12-31, for: 元旦}" in generated
    assert "国办发明电〔2005〕35号" in generated


def test_new_year_break_starting_in_december_stays_in_its_own_year(cal: WorkCalendar) -> None:
    # The 2024 New Year break ran 2023-12-30 .. 2024-01-01.
    assert cal.holiday_name(D(2023, 12, 30)) == "元旦"
    assert cal.holiday_name(D(2024, 1, 1)) == "元旦"
    assert D(2023, 12, 30) in cal.schedule(2023).days_off()
    assert "2024年部分节假日安排" in cal.schedule(2023).source


# --------------------------------------------------------------------------- arithmetic


def test_friday_plus_one_is_the_makeup_saturday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.is_workday(D(2026, 2, 14))
    assert cal.makeup_for(D(2026, 2, 14)) == "春节"
    assert cal.holiday_name(D(2026, 2, 14)) is None


def test_spring_festival_2026_is_skipped(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    # 7 working days from Tuesday 2026-02-10: 11, 12, 13, 14 (Sat), then 24, 25, 26.
    assert cal.add_workdays(D(2026, 2, 10), 7) == D(2026, 2, 26)
    assert cal.workdays_between(D(2026, 2, 14), D(2026, 2, 24)) == 1
    assert cal.holiday_name(D(2026, 2, 17)) == "春节"
    assert not cal.is_workday(D(2026, 2, 23))  # a Monday inside the break
    # From inside the break, the first working day is the day after it.
    assert cal.add_workdays(D(2026, 2, 18), 1) == D(2026, 2, 24)


def test_national_day_2025(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Sunday make-up day
    assert cal.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)  # Saturday make-up day
    assert cal.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert cal.workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == -1


def test_zero_returns_the_day_itself_even_on_a_holiday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2026, 10, 1), 0) == D(2026, 10, 1)


def test_datetime_is_read_as_its_date(cal: WorkCalendar) -> None:
    moment = dt.datetime(2026, 2, 13, 16, 30)
    assert cal.is_workday(moment)
    assert cal.add_workdays(moment, 1) == D(2026, 2, 14)


def test_explanation_for_the_cli(cal: WorkCalendar) -> None:
    text = explain_add_workdays(D(2026, 2, 13), 1, cal)
    assert "2026-02-14" in text
    assert "调休上班日" in text
    assert "之后第 1 个工作日" in text
    assert "之前第 2 个工作日" in explain_add_workdays(D(2025, 10, 9), -2, cal)


# --------------------------------------------------------------------------- unknown years


def test_walking_into_a_year_with_no_file_raises(cal: WorkCalendar) -> None:
    assert cal.add_workdays(D(2027, 12, 24), 5) == D(2027, 12, 31)
    with pytest.raises(UnknownCalendarYear) as info:
        cal.add_workdays(D(2027, 12, 24), 7)
    assert "2028年既无国务院公布的节假日安排，也无暂定安排" in info.value.message_zh
    assert "2028.yaml" in info.value.message_zh
    with pytest.raises(UnknownCalendarYear):
        cal.deadline(D(2027, 12, 28), 7)
    with pytest.raises(UnknownCalendarYear, match="2003"):
        cal.add_workdays(D(2004, 1, 5), -5)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.is_workday(D(2028, 1, 5)),
        lambda c: c.holiday_name(D(2003, 10, 1)),
        lambda c: c.add_workdays(D(2028, 1, 5), 0),
        lambda c: c.deadline(D(2028, 1, 5), 3),
        lambda c: c.workdays_between(D(2027, 12, 1), D(2028, 1, 5)),
        lambda c: c.schedule(2028),
    ],
)
def test_any_query_on_an_unloaded_year_raises(
    cal: WorkCalendar, call: Callable[[WorkCalendar], object]
) -> None:
    with pytest.raises(UnknownCalendarYear):
        call(cal)


def test_an_official_local_2027_file_replaces_the_provisional_one(tmp_path: Path) -> None:
    _write(tmp_path, "2027.yaml", FAKE_2027)  # no replaces: true needed over a draft
    cal = WorkCalendar.load([tmp_path])
    assert 2027 in cal.years
    assert cal.provisional_years == frozenset()
    # 12-25, 28, 29, 30, 31, then 2027-01-04 and 01-05 (01-01 .. 01-03 off in this fixture).
    assert cal.deadline(D(2026, 12, 24), 7) == Deadline.official(D(2027, 1, 5))
    assert cal.is_workday(D(2027, 2, 20))  # the fixture's Saturday make-up day
    assert cal.workdays_between(D(2026, 12, 31), D(2027, 1, 4)) == 1


def test_a_gap_between_loaded_years_is_not_bridged(tmp_path: Path) -> None:
    (tmp_path / "2029.yaml").write_text(calmod_law().provisional_year_text(2029), encoding="utf-8")
    cal = WorkCalendar.load([tmp_path])
    assert cal.add_workdays(D(2029, 1, 3), 1) == D(2029, 1, 4)
    with pytest.raises(UnknownCalendarYear, match="2028"):
        cal.add_workdays(D(2027, 12, 31), 1)
    with pytest.raises(UnknownCalendarYear, match="2028"):
        cal.workdays_between(D(2027, 6, 1), D(2029, 6, 1))
    with pytest.raises(UnknownCalendarYear, match="2028"):
        cal.add_workdays(D(2029, 1, 3), -2)


def calmod_law() -> ModuleType:
    from xinyong.kernel import holiday_law

    return holiday_law


def test_local_file_for_a_shipped_year_needs_replaces(tmp_path: Path) -> None:
    shipped = (Path(str(calmod.shipped_calendar_dir())) / "2026.yaml").read_text(encoding="utf-8")
    # The shipped 2026 minus its Spring Festival extension (02-20, 02-23) and make-up days.
    text = (
        shipped.replace(
            "{name: 春节, from: 2026-02-15, to: 2026-02-23}",
            "{name: 春节, from: 2026-02-16, to: 2026-02-19}",
        )
        .replace("status: official\n", "status: official\n{replaces}")
        .split("makeup_workdays:")[0]
        + "makeup_workdays: []\n"
    )
    _write(tmp_path, "2026.yaml", text.replace("{replaces}", ""))
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    assert "2026.yaml" in info.value.message_zh
    assert "replaces" in info.value.message_zh

    _write(tmp_path, "2026.yaml", text.replace("{replaces}", "replaces: true\n"))
    cal = WorkCalendar.load([tmp_path])
    assert cal.is_workday(D(2026, 2, 20))  # the correction wins
    assert not cal.is_workday(D(2026, 2, 14))  # its make-up Saturday is gone too


def test_a_missing_extra_directory_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        WorkCalendar.load([tmp_path / "nope"])


def test_the_local_catalog_dir_calendar_folder(tmp_path: Path) -> None:
    assert local_calendar_dirs(None) == []
    assert local_calendar_dirs(tmp_path) == []  # no calendar folder: shipped years only
    assert WorkCalendar.load(local_calendar_dirs(tmp_path)).years == frozenset(range(2004, 2028))
    _write(tmp_path / "calendar", "2027.yaml", FAKE_2027)
    assert local_calendar_dirs(tmp_path) == [tmp_path / "calendar"]
    assert 2027 in WorkCalendar.load(local_calendar_dirs(tmp_path)).years


# --------------------------------------------------------------------------- bad files

_HOLIDAYS_2027 = FAKE_2027.split("holidays:")[1].split("makeup_workdays:")[0].rstrip("\n")
GOOD = {
    "year": "2027",
    "source": "测试",
    "holidays": _HOLIDAYS_2027,
    "makeup_workdays": "\n  - {date: 2027-01-09, for: 元旦}",
}


def _yaml(**override: str | None) -> str:
    fields = {**GOOD, **override}
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


BAD_FILES = [
    pytest.param("2027.yaml", _yaml(year=None), "year", id="missing-year"),
    pytest.param("2027.yaml", _yaml(year="二〇二七"), "year", id="year-not-a-number"),
    pytest.param("2027.yaml", _yaml(year="2028"), "year", id="file-name-differs"),
    pytest.param("calendar.yaml", _yaml(), "year", id="file-not-named-by-year"),
    pytest.param("2027.yaml", _yaml(source=None), "source", id="missing-source"),
    pytest.param("2027.yaml", _yaml(makeup_workdays=None), "makeup_workdays", id="no-makeups"),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2026-12-31, to: 2027-01-02}"),
        "holidays[0].from",
        id="range-starts-in-previous-year",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2027-12-31, to: 2028-01-01}"),
        "holidays[0].to",
        id="range-ends-in-next-year",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2027-01-03, to: 2027-01-01}"),
        "holidays[0].to",
        id="range-backwards",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(
            holidays="\n  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}"
            "\n  - {name: 春节, from: 2027-01-03, to: 2027-01-04}"
        ),
        "holidays[1]",
        id="overlapping-ranges",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(makeup_workdays="\n  - {date: 2027-01-08, for: 元旦}"),
        "makeup_workdays[0].date",
        id="makeup-on-a-friday",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(makeup_workdays="\n  - {date: 2027-01-02, for: 元旦}"),
        "makeup_workdays[0].date",
        id="both-holiday-and-makeup",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(makeup_workdays="\n  - {date: 2026-12-27, for: 元旦}"),
        "makeup_workdays[0].date",
        id="makeup-in-another-year",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2027-1-1, to: 2027-01-03}"),
        "holidays[0].from",
        id="unpadded-date",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2027-01-01 08:00:00, to: 2027-01-03}"),
        "holidays[0].from",
        id="date-with-time",
    ),
    pytest.param(
        "2027.yaml",
        _yaml(holidays="\n  - {name: 元旦, from: 2027-01-01, until: 2027-01-03}"),
        "holidays[0].until",
        id="unknown-entry-key",
    ),
    pytest.param("2027.yaml", _yaml() + "holiday: []\n", "holiday", id="unknown-top-key"),
    pytest.param("2027.yaml", _yaml() + "replaces: yes please\n", "replaces", id="bad-replaces"),
    pytest.param("2027.yaml", _yaml() + "year: 2027\n", "year", id="duplicate-key"),
    # File-level problems: the message names the file and says what is wrong with it.
    pytest.param("2027.yaml", "- 2027\n", "键值对", id="not-a-mapping"),
    pytest.param("2027.yaml", "year: [2027\n", "YAML", id="broken-yaml"),
]


@pytest.mark.parametrize(("file_name", "text", "key"), BAD_FILES)
def test_bad_file_names_file_and_key(tmp_path: Path, file_name: str, text: str, key: str) -> None:
    path = _write(tmp_path, file_name, text)
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    error = info.value
    assert str(path) in error.message_zh
    assert str(path) in error.message_en
    assert key in error.message_zh
    if key.isascii():
        assert key in error.message_en


def test_the_good_template_itself_loads(tmp_path: Path) -> None:
    # Guards the bad-file cases: each must fail because of its one change.
    _write(tmp_path, "2027.yaml", _yaml())
    assert WorkCalendar.load([tmp_path]).holiday_name(D(2027, 1, 2)) == "元旦"


# --------------------------------------------------------------------------- properties

_CAL = WorkCalendar.load()  # hypothesis tests cannot take function-scoped fixtures
_FIRST = D(2004, 3, 1)  # far enough from the loaded range's ends for |n| <= 30
_LAST = D(2026, 11, 15)


@given(day=st.dates(min_value=_FIRST, max_value=_LAST), n=st.integers(0, 30))
def test_workdays_between_inverts_add_workdays(day: D, n: int) -> None:
    cal = _CAL
    result = cal.add_workdays(day, n)
    assert cal.workdays_between(day, result) == n
    assert cal.workdays_between(result, day) == -n
    if n > 0:
        assert result > day
        assert cal.is_workday(result)
        assert cal.add_workdays(day, n - 1) < result


@given(day=st.dates(min_value=_FIRST, max_value=_LAST), n=st.integers(1, 30))
def test_going_back_from_a_working_day_returns_to_it(day: D, n: int) -> None:
    cal = _CAL
    earlier = cal.add_workdays(day, -n)
    assert earlier < day
    assert cal.is_workday(earlier)
    if cal.is_workday(day):
        assert cal.add_workdays(earlier, n) == day
        assert cal.workdays_between(earlier, day) == n


# --------------------------------------------------------------------------- provisional 2027


@pytest.mark.parametrize(
    ("start", "n"),
    [
        # legal-audit §2.4: the first starts that failed with UnknownCalendarYear.
        (D(2026, 12, 4), 20),
        (D(2026, 12, 23), 7),
        (D(2026, 11, 20), 30),
    ],
)
def test_deadlines_into_2027_are_provisional_with_bounds(
    cal: WorkCalendar, start: D, n: int
) -> None:
    due = cal.deadline(start, n)
    # 2027-01-01 (Fri) is 元旦 by law; 01-02/03 a weekend: the nominal count lands on Monday.
    assert due.date == D(2027, 1, 4)
    assert due.provisional
    assert due.provisional_years == (2027,)
    # Earliest: the notice could make Saturday 01-02 a working day (元旦 window 01-01..01-04).
    # Latest: it could give one more weekday of that window off (extra_days_off: 1).
    assert (due.earliest, due.latest) == (D(2027, 1, 2), D(2027, 1, 5))
    assert due.label() == "暂定（2027年国务院放假安排尚未公布），可能为 2027-01-02 至 2027-01-05"
    assert due.as_dict()["provisional"] is True


def test_spring_festival_2027_bounds(cal: WorkCalendar) -> None:
    due = cal.deadline(D(2027, 2, 3), 5)
    # Nominal: 02-04, then 除夕..初三 (02-05..02-08) and the 1:1 compensation days 02-09/10 off.
    assert due.date == D(2027, 2, 16)
    # Earliest: compensation days and window weekends may be working days; latest: up to three
    # working weekdays of the window (01-29..02-21) may become days off.
    assert (due.earliest, due.latest) == (D(2027, 2, 12), D(2027, 2, 19))
    assert cal.holiday_name(D(2027, 2, 5)) == "春节"  # 除夕 is statutory since 2025
    assert cal.describe(D(2027, 2, 9)) == "星期二，暂定春节补假日"
    assert cal.describe(D(2027, 2, 6)) == "星期六，春节法定假日"


def test_outside_the_windows_a_provisional_deadline_has_no_spread(cal: WorkCalendar) -> None:
    due = cal.deadline(D(2027, 7, 1), 10)
    assert due.provisional  # it still rests on a year without its notice
    assert due.earliest == due.date == due.latest == D(2027, 7, 15)


def test_backwards_on_a_provisional_year(cal: WorkCalendar) -> None:
    due = cal.deadline(D(2027, 2, 20), -10)
    assert due.provisional
    assert due.earliest < due.date < due.latest


def test_an_interval_inside_official_years_is_official(cal: WorkCalendar) -> None:
    assert cal.deadline(D(2026, 12, 30), 1) == Deadline.official(D(2026, 12, 31))
    assert cal.deadline(D(2026, 12, 31), 0) == Deadline.official(D(2026, 12, 31))
    assert cal.deadline(D(2026, 9, 30), 5).label() == "正式"


def test_explanation_of_a_provisional_result(cal: WorkCalendar) -> None:
    text = explain_add_workdays(D(2026, 12, 23), 7, cal)
    assert "2027-01-04" in text
    assert "暂定（2027年国务院放假安排尚未公布）" in text
    assert "最早日期 2027-01-02" in text
    assert "最晚日期 2027-01-05" in text
    assert "暂定" not in explain_add_workdays(D(2026, 9, 30), 5, cal)


# --------------------------------------------------------------------------- provisional files

_PROVISIONAL_2027 = (Path(str(calmod.shipped_calendar_dir())) / "2027.yaml").read_text(
    encoding="utf-8"
)


def _provisional(old: str, new: str) -> str:
    assert old in _PROVISIONAL_2027
    return _PROVISIONAL_2027.replace(old, new)


BAD_STATUS_FILES = [
    pytest.param(_yaml() + "status: draft\n", "status", id="unknown-status"),
    pytest.param(_yaml() + "compensation: []\n", "compensation", id="official-with-compensation"),
    pytest.param(
        _yaml() + "uncertainty_windows: []\n",
        "uncertainty_windows",
        id="official-with-windows",
    ),
    pytest.param(
        _provisional("makeup_workdays: []", "makeup_workdays:\n  - {date: 2027-02-20, for: 春节}"),
        "makeup_workdays",
        id="provisional-with-guessed-makeup",
    ),
    pytest.param(
        _PROVISIONAL_2027.split("uncertainty_windows:")[0],
        "uncertainty_windows",
        id="provisional-without-windows",
    ),
    pytest.param(
        _provisional("{date: 2027-02-09, for: 春节}", "{date: 2027-02-13, for: 春节}"),
        "compensation[0].date",
        id="compensation-on-a-saturday",
    ),
    pytest.param(
        _provisional("{date: 2027-02-09, for: 春节}", "{date: 2027-02-08, for: 春节}"),
        "compensation[0].date",
        id="compensation-on-a-statutory-day",
    ),
    pytest.param(
        _provisional("to: 2027-02-21, extra_days_off: 3", "to: 2027-02-21, extra_days_off: -1"),
        "uncertainty_windows[1].extra_days_off",
        id="negative-extra-days-off",
    ),
    pytest.param(
        _provisional("{name: 春节, from: 2027-01-29", "{name: 春节, from: 2026-01-29"),
        "uncertainty_windows[1].from",
        id="window-in-another-year",
    ),
    pytest.param(
        _provisional(
            "{name: 春节, from: 2027-02-05, to: 2027-02-08}",
            "{name: 春节, from: 2027-02-06, to: 2027-02-08}",
        ),
        "holidays",
        id="provisional-missing-除夕",
    ),
    pytest.param(
        FAKE_2027.replace("  - {name: 端午, from: 2027-06-09, to: 2027-06-09}\n", ""),
        "holidays",
        id="official-missing-端午",
    ),
]


@pytest.mark.parametrize(("text", "key"), BAD_STATUS_FILES)
def test_bad_provisional_or_official_file_names_file_and_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = _write(tmp_path, "2027.yaml", text)
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    assert str(path) in info.value.message_zh
    assert f"中的 {key} 有误" in info.value.message_zh


def test_missing_statutory_day_says_which(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "2027.yaml",
        FAKE_2027.replace("  - {name: 中秋, from: 2027-09-15, to: 2027-09-15}\n", ""),
    )
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    assert "法定节假日 2027-09-15（中秋" in info.value.message_zh


def test_a_provisional_file_never_replaces_an_official_year(tmp_path: Path) -> None:
    (tmp_path / "2026.yaml").write_text(calmod_law().provisional_year_text(2026), encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    assert "不能用暂定安排替换" in info.value.message_zh
    assert "2026.yaml" in info.value.message_zh


def test_a_second_provisional_file_needs_replaces(tmp_path: Path) -> None:
    narrow = _PROVISIONAL_2027.replace("extra_days_off: 3", "extra_days_off: 0")
    _write(tmp_path, "2027.yaml", narrow)
    with pytest.raises(ConfigurationError) as info:
        WorkCalendar.load([tmp_path])
    assert "已有暂定安排" in info.value.message_zh
    _write(
        tmp_path,
        "2027.yaml",
        narrow.replace("status: provisional\n", "status: provisional\nreplaces: true\n"),
    )
    cal = WorkCalendar.load([tmp_path])
    assert cal.deadline(D(2027, 2, 3), 5).latest == D(2027, 2, 16)  # no extra days off now


def test_an_official_file_identical_to_the_shipped_one_is_no_replacement(tmp_path: Path) -> None:
    shipped = (Path(str(calmod.shipped_calendar_dir())) / "2026.yaml").read_text(encoding="utf-8")
    # A release that ships the notice a deployment already added must still start.
    _write(tmp_path, "2026.yaml", shipped.replace("source:", "# local copy\nsource:", 1))
    assert WorkCalendar.load([tmp_path]).schedule(2026).origin.startswith(str(tmp_path))


def test_digest_follows_the_days_not_the_comments() -> None:
    a = calmod.parse_schedule(FAKE_2027, "2027.yaml")
    b = calmod.parse_schedule("# note\n" + FAKE_2027.replace("测试用", "另一来源"), "2027.yaml")
    c = calmod.parse_schedule(FAKE_2027.replace("2027-02-20", "2027-02-21"), "2027.yaml")
    assert a.digest() == b.digest() != c.digest()


_ANY_START = st.dates(min_value=D(2004, 3, 1), max_value=D(2027, 10, 31))


@given(day=_ANY_START, n=st.integers(-30, 30))
def test_bounds_enclose_the_date(day: D, n: int) -> None:
    due = _CAL.deadline(day, n)
    assert due.earliest <= due.date <= due.latest
    assert due.date == _CAL.add_workdays(day, n)
    lo, hi = (day, due.latest) if n >= 0 else (due.earliest, day)
    touches_2027 = n != 0 and lo.year <= 2027 <= hi.year
    assert due.provisional is touches_2027


def _official_calendar() -> WorkCalendar:
    import tempfile

    directory = Path(tempfile.mkdtemp(prefix="official2027"))
    _write(directory, "2027.yaml", FAKE_2027)
    return WorkCalendar.load([directory])


_OFFICIAL_CAL = _official_calendar()


@given(day=_ANY_START, n=st.integers(-30, 30))
def test_an_official_year_has_no_spread(day: D, n: int) -> None:
    due = _OFFICIAL_CAL.deadline(day, n)
    assert not due.provisional
    assert due.earliest == due.date == due.latest


@given(day=st.dates(min_value=D(2026, 11, 1), max_value=D(2027, 10, 31)), n=st.integers(1, 30))
def test_the_notice_lands_inside_the_bounds(day: D, n: int) -> None:
    # The hypothetical notice (248 working days, swaps inside the windows) stays in bounds.
    official = _OFFICIAL_CAL.deadline(day, n).date
    due = _CAL.deadline(day, n)
    assert due.earliest <= official <= due.latest
