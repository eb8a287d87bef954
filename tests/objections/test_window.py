"""The window to object (异议期限) of the regime, as catalogue data: 经营异常名录 allows 30
days from the listing's publication (企业经营异常名录管理办法 第十五条); an objection on day 30
is filed, one on day 31 is refused with the regime's name and the end date, nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csv_bytes
from tests.objections.helpers import file
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger.tables import entries
from xinyong.objections.service import WindowClosed
from xinyong.objections.tables import objections


def _listing(platform: Platform, listed_on: str, reason: str) -> tuple[int, dt.date]:
    """Import one 经营异常名录 listing of ORG; its entry and the day its window starts from."""
    row = {
        "企业名称": "西安市碑林区示例科技有限公司",
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "列入经营异常名录原因": reason,
        "列入日期": listed_on,
        "作出列入决定机关": "西安市市场监督管理局",
    }
    result = platform.importer().import_bytes(
        csv_bytes([row]), filename="jyyc.csv", department_code="scjg", item_code="JYYC"
    )
    assert result.accepted == 1, result.as_dict()
    with platform.engine.connect() as conn:
        e = conn.execute(
            select(entries.c.id, entries.c.public_from, entries.c.decision_date)
            .where(entries.c.item_code == "JYYC")
            .order_by(entries.c.id.desc())
        ).first()
    assert e is not None
    start = e.public_from or e.decision_date
    assert start is not None
    return int(e.id), start


def _count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(objections)).scalar_one())


def test_abnormal_list_window_is_30_days(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 16, 10, 0, tzinfo=CHINA_TZ))
    on_time, start = _listing(platform, "2026-05-16", "未按照规定的期限公示年度报告")
    late, late_start = _listing(platform, "2026-05-16", "通过登记的住所或者经营场所无法联系")
    assert start == late_start == dt.date(2026, 5, 16)

    clock.set(dt.datetime.combine(start + dt.timedelta(days=30), dt.time(16), CHINA_TZ))
    o = file(platform, on_time, grounds="wrongly_listed", statement="已按期公示年度报告")
    assert o["regime"] == "JYYC"
    assert o["target_kind"] == "list_entry"

    clock.set(dt.datetime.combine(start + dt.timedelta(days=31), dt.time(9), CHINA_TZ))
    before = _count(platform)
    with pytest.raises(WindowClosed) as refused:
        file(platform, late, grounds="wrongly_listed", statement="住所可以联系")
    assert "经营异常名录" in refused.value.message_zh
    assert (start + dt.timedelta(days=30)).isoformat() in refused.value.message_zh
    assert _count(platform) == before
