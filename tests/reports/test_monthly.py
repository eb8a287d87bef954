"""Monthly statistics from receipts and feedback written by the real checks service."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.reports.support import build_story, cst
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import InputError
from xinyong.reports import service as reports
from xinyong.reports.xlsx import monthly_workbook


def _stats(platform: Platform, month: str, department: str | None = None) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return reports.monthly_statistics(
            conn,
            platform.sanctions,
            month=month,
            today=platform.clock.today(),
            now=platform.clock.now(),
            department=department,
        )


def _departments(stats: dict[str, Any]) -> dict[str | None, tuple[int, int, int]]:
    return {
        d["department"]: (d["checks"], d["checks_with_measures"], d["subjects"])
        for d in stats["departments"]
    }


def _measures(stats: dict[str, Any]) -> dict[str, tuple[int, int, int, int]]:
    return {
        m["measure"]: (m["returned"], m["applied"], m["not_applied"], m["no_feedback"])
        for m in stats["measures"]
    }


def _lists(stats: dict[str, Any]) -> dict[str, tuple[int, dict[str, int], int]]:
    return {
        x["list_type"]: (x["listed"], x["exits"], x["members_at_end"]) for x in stats["list_types"]
    }


NO_EXITS = {"expired": 0, "early_exit": 0, "revoked": 0}


def test_june_counts_per_department_measure_and_list(platform: Platform, clock: FixedClock) -> None:
    build_story(platform, clock)
    june = _stats(platform, "2026-06")
    assert june["month"] == "2026-06"
    assert june["from"] == "2026-06-01T00:00:00+08:00"
    assert june["until"] == "2026-07-01T00:00:00+08:00"
    assert june["members_on"] == "2026-06-30"
    assert june["complete"] is True
    # The check at 00:30 on 1 June (China) is June's, the one at 23:30 on 30 June too; the one
    # at 07:30 on 1 July (still 30 June in UTC) is not.
    assert _departments(june) == {"scjg": (5, 4, 4), "swj": (2, 2, 2), None: (1, 1, 1)}
    names = {d["department"]: d["name"] for d in june["departments"]}
    assert names["scjg"] == "部门scjg"
    assert "未关联部门" in names[None]
    assert _measures(june) == {
        "I02": (1, 0, 0, 1),
        "I03": (1, 1, 0, 0),
        "M11": (4, 1, 1, 2),
        "M12": (4, 2, 0, 2),
        "M26": (2, 1, 0, 1),
    }
    m11 = next(m for m in june["measures"] if m["measure"] == "M11")
    assert m11["name"] == platform.sanctions.measure("M11").name
    assert m11["implementing_department"] == "县级以上地方人民政府及其有关部门"
    assert m11["coverage"] == 0.5
    assert _lists(june) == {
        "RED_TAX_A": (1, NO_EXITS, 1),
        "SAMR_SERIOUS": (1, {**NO_EXITS, "revoked": 1}, 1),
    }
    red = next(x for x in june["list_types"] if x["list_type"] == "RED_TAX_A")
    assert (red["name"], red["kind"]) == ("纳税信用A级纳税人", "red")
    assert june["totals"] == {
        "checks": 8,
        "checks_with_measures": 7,
        "subjects": 4,
        "measures_returned": 12,
        "applied": 5,
        "not_applied": 1,
        "no_feedback": 6,
        "coverage": round(6 / 12, 4),
        "listed": 2,
        "exits": {**NO_EXITS, "revoked": 1},
        "members_at_end": 2,
    }


def test_may_and_the_running_month(platform: Platform, clock: FixedClock) -> None:
    build_story(platform, clock)
    may = _stats(platform, "2026-05")
    assert _departments(may) == {"scjg": (1, 1, 1), "swj": (1, 0, 1)}
    assert _measures(may) == {"M11": (1, 0, 0, 1), "M12": (1, 0, 0, 1)}
    assert _lists(may) == {"SAMR_SERIOUS": (1, NO_EXITS, 1)}
    july = _stats(platform, "2026-07")  # today is 2026-07-15: counted so far
    assert july["complete"] is False
    assert july["members_on"] == "2026-07-15"
    assert _departments(july) == {"scjg": (1, 1, 1)}
    assert _measures(july) == {"M12": (1, 0, 0, 1)}
    assert _lists(july) == {"RED_TAX_A": (0, NO_EXITS, 1), "SAMR_SERIOUS": (0, NO_EXITS, 1)}


def test_a_department_sees_its_own_rows_only(platform: Platform, clock: FixedClock) -> None:
    build_story(platform, clock)
    scjg = _stats(platform, "2026-06", department="scjg")
    assert scjg["department"] == "scjg"
    assert _departments(scjg) == {"scjg": (5, 4, 4)}
    assert _measures(scjg) == {
        "I02": (1, 0, 0, 1),
        "M11": (2, 1, 1, 0),
        "M12": (3, 2, 0, 1),
        "M26": (1, 1, 0, 0),
    }
    assert _lists(scjg) == {"SAMR_SERIOUS": (1, {**NO_EXITS, "revoked": 1}, 1)}
    assert scjg["totals"]["subjects"] == 4
    swj = _stats(platform, "2026-06", department="swj")
    assert _departments(swj) == {"swj": (2, 2, 2)}
    assert _lists(swj) == {"RED_TAX_A": (1, NO_EXITS, 1)}


def test_an_empty_month_has_zero_totals(platform: Platform, clock: FixedClock) -> None:
    stats = _stats(platform, "2026-01")
    assert stats["departments"] == stats["measures"] == stats["list_types"] == []
    assert stats["totals"]["checks"] == 0
    assert stats["totals"]["coverage"] is None


@pytest.mark.parametrize(
    ("month", "fragment"),
    [
        ("2026-07", "尚未开始"),
        ("2026-6", "格式不正确"),
        ("2026-13", "格式不正确"),
        ("June", "格式不正确"),
        ("", "须指定统计月份"),
        ("1999-12", "早于2000年"),
    ],
)
def test_bad_or_future_month_is_refused_naming_it(
    platform: Platform, clock: FixedClock, month: str, fragment: str
) -> None:
    clock.set(cst(2026, 6, 30, 23, 59))
    with pytest.raises(InputError) as exc:
        _stats(platform, month)
    assert fragment in exc.value.message_zh
    assert "month" in exc.value.message_zh
    if month:
        assert month in exc.value.message_zh


def test_workbook_has_chinese_headers_and_the_numbers(
    platform: Platform, clock: FixedClock
) -> None:
    build_story(platform, clock)
    data = monthly_workbook(_stats(platform, "2026-06"))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["说明", "按核查部门", "按措施", "按名单类型"]
    rows = [list(r) for r in wb["按核查部门"].iter_rows(values_only=True)]
    assert rows[0] == ["部门代码", "部门名称", "核查次数", "有措施的核查次数", "涉及主体数"]
    assert rows[1] == ["scjg", "部门scjg", 5, 4, 4]
    assert rows[-1][0] == "合计"
    assert rows[-1][2:] == [8, 7, 4]
    measures = [list(r) for r in wb["按措施"].iter_rows(values_only=True)]
    assert measures[0][:4] == ["措施代码", "措施名称", "措施类别", "实施部门"]
    assert measures[0][4:] == ["返回次数", "已实施", "未实施", "尚未反馈", "反馈覆盖率"]
    m12 = next(r for r in measures if r[0] == "M12")
    assert m12[4:] == [4, 2, 0, 2, 0.5]
    assert measures[-1][4:8] == [12, 5, 1, 6]
    lists = [list(r) for r in wb["按名单类型"].iter_rows(values_only=True)]
    assert lists[0] == [
        "名单类型代码",
        "名单名称",
        "名单类别",
        "本月新列入",
        "到期移出",
        "提前移出",
        "撤销移出",
        "月末在列",
    ]
    assert next(r for r in lists if r[0] == "SAMR_SERIOUS")[3:] == [1, 0, 0, 1, 1]
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["统计月份"] == "2026-06"
    assert about["时区"] == "北京时间（Asia/Shanghai）"


def test_month_boundaries_are_china_midnights() -> None:
    from xinyong.reports.rules import parse_month

    december = parse_month("2025-12", dt.date(2026, 1, 1))
    assert december.last_day == dt.date(2025, 12, 31)
    assert december.end == cst(2026, 1, 1)
    assert december.end.astimezone(dt.UTC) == dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)
