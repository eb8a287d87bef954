"""《全国年节及纪念日放假办法》 as data: statutory days, provisional years, checks of a notice."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import holidays
import pytest

from tests.calendar_files import HYPOTHETICAL_OFFICIAL_2027
from xinyong.kernel import holiday_law
from xinyong.kernel.calendar import WorkCalendar, parse_schedule, shipped_calendar_dir
from xinyong.kernel.errors import ConfigurationError

D = dt.date
LAW = holiday_law.default_law()


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.load()


def test_day_counts_follow_the_version_in_force() -> None:
    assert LAW.version_for(2007).version == "1999"
    assert LAW.version_for(2008).version == "2007"
    assert LAW.version_for(2014).version == "2013"
    assert LAW.version_for(2024).version == "2013"
    assert LAW.version_for(2025).version == "2024"
    assert [LAW.version_for(y).total_days for y in (2007, 2008, 2024, 2025)] == [10, 11, 11, 13]
    spring = dict(LAW.festival_days(2024))["春节"]
    assert spring == [D(2024, 2, 10), D(2024, 2, 11), D(2024, 2, 12)]  # 初一..初三
    spring = dict(LAW.festival_days(2025))["春节"]
    assert spring == [D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31)]  # 除夕..
    labour = dict(LAW.festival_days(2025))["劳动节"]
    assert labour == [D(2025, 5, 1), D(2025, 5, 2)]


@pytest.mark.parametrize("year", range(2004, 2027))
def test_every_statutory_day_is_off_in_the_official_calendar(cal: WorkCalendar, year: int) -> None:
    # The law data and the lunar library against 23 years of State Council notices: a wrong
    # effective date (2013 rule from 2014: 除夕 2014-01-30 was a working day) would fail here.
    schedule = cal.schedule(year)
    holiday_law.check_schedule(schedule)  # raises on a statutory day left a working day
    for day in LAW.statutory_days(year):
        assert not cal.is_workday(day), day


def test_2027_statutory_days_match_a_second_library() -> None:
    # legal-audit §2.2 [calc]: 春节 2027-02-06, 除夕 02-05, 清明 04-05, 端午 06-09, 中秋 09-15.
    ours = LAW.statutory_days(2027)
    assert ours == {
        D(2027, 1, 1): "元旦",
        D(2027, 2, 5): "春节",
        D(2027, 2, 6): "春节",
        D(2027, 2, 7): "春节",
        D(2027, 2, 8): "春节",
        D(2027, 4, 5): "清明",
        D(2027, 5, 1): "劳动节",
        D(2027, 5, 2): "劳动节",
        D(2027, 6, 9): "端午",
        D(2027, 9, 15): "中秋",
        D(2027, 10, 1): "国庆节",
        D(2027, 10, 2): "国庆节",
        D(2027, 10, 3): "国庆节",
    }
    other = holidays.China(years=2027)  # python-holidays: its own lunar tables and terms
    statutory = {d for d, name in other.items() if "observed" not in name}
    observed = {d for d, name in other.items() if "observed" in name}
    assert set(ours) == statutory
    # Its "observed" days are the same 1:1 reading of 第六条 as our compensation days.
    assert (
        set(LAW.compensation_days(2027))
        == observed
        == {
            D(2027, 2, 9),
            D(2027, 2, 10),
            D(2027, 5, 3),
            D(2027, 5, 4),
            D(2027, 10, 4),
            D(2027, 10, 5),
        }
    )


@pytest.mark.parametrize("year", [2028, 2029, 2030])
def test_later_years_match_the_second_library_too(year: int) -> None:
    other = holidays.China(years=year)
    assert set(LAW.statutory_days(year)) == {d for d, n in other.items() if "observed" not in n}


def test_the_provisional_2027_file_keeps_the_248_working_day_invariant(cal: WorkCalendar) -> None:
    schedule = cal.schedule(2027)
    assert schedule.provisional
    assert schedule.makeup_workdays == ()
    working = sum(
        1
        for o in range(D(2027, 1, 1).toordinal(), D(2027, 12, 31).toordinal() + 1)
        if cal.is_workday(D.fromordinal(o))
    )
    assert working == 248 == 261 - 13
    assert holiday_law.check_schedule(schedule) == []
    assert [w.name for w in schedule.windows] == [
        "元旦",
        "春节",
        "清明",
        "劳动节",
        "端午",
        "中秋",
        "国庆节",
    ]
    spring = schedule.windows[1]
    assert (spring.start, spring.end) == (D(2027, 1, 29), D(2027, 2, 21))  # audit §2.4


def test_the_shipped_provisional_file_is_the_law_plus_the_lunar_library() -> None:
    shipped = (Path(str(shipped_calendar_dir())) / "2027.yaml").read_text(encoding="utf-8")
    assert shipped == holiday_law.provisional_year_text(2027)


def test_coinciding_festivals_are_compensated() -> None:
    # 2020: 中秋 fell on 10-01 (国庆节): the law owes a day; the 1:1 rule places it after.
    comp = LAW.compensation_days(2020)
    assert D(2020, 10, 1) in LAW.statutory_days(2020)
    # Owed: Saturday 10-03 (国庆节) and 中秋's day taken by 国庆节 on Thursday 10-01.
    assert sorted(d for d in comp if d.month == 10) == [D(2020, 10, 5), D(2020, 10, 6)]
    schedule = holiday_law.provisional_schedule(2020)
    assert sum(1 for _ in schedule.days_off()) == len(LAW.statutory_days(2020)) + len(comp)


def test_the_hypothetical_notice_passes_the_checks() -> None:
    schedule = parse_schedule(HYPOTHETICAL_OFFICIAL_2027, "2027.yaml")
    assert holiday_law.check_schedule(schedule) == []


def _messages(text: str) -> list[str]:
    return [w.message_zh for w in holiday_law.check_schedule(parse_schedule(text, "2027.yaml"))]


def test_a_notice_breaking_the_invariant_is_a_warning() -> None:
    extra = HYPOTHETICAL_OFFICIAL_2027.replace(
        "  - {name: 端午, from: 2027-06-09, to: 2027-06-09}",
        "  - {name: 端午, from: 2027-06-09, to: 2027-06-10}",
    )
    (msg,) = _messages(extra)
    assert "2027年共 247 个工作日，按放假办法应为 248 个" in msg


def test_a_long_run_of_working_days_is_a_warning() -> None:
    # Saturday 02-13 as another make-up day: 02-12 .. 02-20 would be nine working days.
    long_run = HYPOTHETICAL_OFFICIAL_2027.replace(
        "  - {date: 2027-02-20, for: 春节}",
        "  - {date: 2027-02-13, for: 春节}\n  - {date: 2027-02-14, for: 春节}\n  - {date: 2027-02-20, for: 春节}",
    )
    msgs = _messages(long_run)
    assert any("2027-02-12 至 2027-02-20 连续工作 9 天" in m for m in msgs)
    assert any("工作日" in m and "应为 248" in m for m in msgs)


def test_a_notice_not_from_gov_cn_is_a_warning() -> None:
    (msg,) = _messages(
        HYPOTHETICAL_OFFICIAL_2027.replace("https://www.gov.cn/", "https://example.com/")
    )
    assert "gov.cn" in msg


def _law(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "law.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


_LAW_TEXT = holiday_law.law_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("schema: xinyong.calendar-law/v1", "schema: v0", "schema"),
        ("rule: solar_term, term: 清明", "rule: moon, term: 清明", "versions[1].festivals[2].rule"),
        ("effective_from: 2014-01-01", "effective_from: 2007-01-01", "versions[2].effective_from"),
        (
            "extra_days_off_per_window: 3",
            "extra_days_off_per_window: many",
            "extra_days_off_per_window",
        ),
        (
            "春节: {before: 7, after: 13}",
            "春节: {before: 7, afterwards: 13}",
            "uncertainty.windows.春节.afterwards",
        ),
    ],
)
def test_a_bad_law_file_names_file_and_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in _LAW_TEXT
    path = _law(tmp_path, _LAW_TEXT.replace(old, new))
    with pytest.raises(ConfigurationError) as info:
        holiday_law.load_law(path)
    assert str(path) in info.value.message_zh
    assert key in info.value.message_zh


def test_window_widths_are_configuration(tmp_path: Path) -> None:
    wide = _LAW_TEXT.replace(
        "春节: {before: 7, after: 13}", "春节: {before: 10, after: 20, extra_days_off: 5}"
    )
    law = holiday_law.load_law(_law(tmp_path, wide))
    spring = next(w for w in law.uncertainty_windows(2027) if w.name == "春节")
    assert (spring.start, spring.end, spring.extra_days_off) == (D(2027, 1, 26), D(2027, 2, 28), 5)
    assert "extra_days_off: 5" in holiday_law.provisional_year_text(2027, law)


def test_a_year_before_the_law_data_cannot_be_drafted() -> None:
    with pytest.raises(ConfigurationError) as info:
        holiday_law.provisional_schedule(1998)
    assert "1998年" in info.value.message_zh
