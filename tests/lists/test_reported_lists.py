"""Lists decided elsewhere arrive as records (失信被执行人, YZSX, JYYC) and become memberships."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, revoke
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.lists import service as lists
from xinyong.lists.tables import list_memberships, subject_status

COMPANY = "西安市碑林区示例科技有限公司"


def _defaulter(**overrides: str) -> dict[str, str]:
    row = {
        "被执行人名称": COMPANY,
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "执行法院": "西安市中级人民法院",
        "案号": "（2026）陕01执123号",
        "立案日期": "2026-03-02",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布日期": "2026-06-01",
    }
    row.update(overrides)
    return row


def _serious(**overrides: str) -> dict[str, str]:
    row = {
        "YZ_ZTMC": "陕西示例建设工程有限公司",
        "YZ_ZTLB": "法人及非法人组织",
        "YZ_TYSHXYDM": ORG2,
        "YZ_FDDBR": "李四",
        "YZ_MDLX": "02",
        "YZ_LRYY": "虚开增值税专用发票",
        "YZ_LRRQ": "2026-05-20",
        "YZ_JDJG": "国家税务总局陕西省税务局",
        "YZ_YXQZ": "",
        "YZ_YCRQ": "",
    }
    row.update(overrides)
    return row


def _import(platform: Platform, dept: str, item: str, rows: list[dict[str, str]]) -> Any:
    return platform.importer().import_bytes(
        csv_bytes(rows), filename=f"{item}.csv", department_code=dept, item_code=item
    )


def _check(platform: Platform, subject: str, scenario: str = "government_procurement") -> Any:
    with platform.engine.begin() as conn:
        return checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="t",
        )


def _projections(platform: Platform) -> tuple[list[Any], list[Any]]:
    with platform.engine.connect() as conn:
        m = conn.execute(select(list_memberships).order_by(list_memberships.c.id)).all()
        s = conn.execute(select(subject_status).order_by(subject_status.c.subject_key)).all()
    return list(m), list(s)


def test_court_feed_lists_and_revocation_ends_it(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "gy", "court")
    result = _import(platform, "gy", "SXBZXR", [_defaulter()])
    assert result.accepted == 1
    answer = _check(platform, ORG)
    assert [m["list_type"] for m in answer["memberships"]] == ["COURT_DEFAULTER"]
    member = answer["memberships"][0]
    assert member["listed_on"] == "2026-06-01"
    # The court's term depends on grounds the feed does not carry: no computed end.
    assert member["until"] is None
    assert answer["measures"], "a court defaulter meets measures in public procurement"
    assert all(m["via"]["list_type"] == "COURT_DEFAULTER" for m in answer["measures"])
    assert all(m["legal_basis"] for m in answer["measures"])
    # The same file again adds nothing, the membership stays single.
    _import(platform, "gy", "SXBZXR", [_defaulter()])
    assert len(_projections(platform)[0]) == 1

    clock.advance(dt.timedelta(days=3))
    revoke(platform, "gy", "SXBZXR", ORG, "（2026）陕01执123号", "已履行完毕，法院删除失信信息")
    after = _check(platform, ORG)
    assert after["memberships"] == []
    assert after["measures"] == []
    (row,), _ = _projections(platform)
    assert row.exit_reason == "revoked"
    assert row.exited_on == clock.today()


def test_serious_list_record_with_end_date_and_removal(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform, "swj", "tax")
    _import(
        platform,
        "swj",
        "YZSX",
        [
            _serious(YZ_YXQZ="2026-06-30"),
            # 99 (其他) is not told apart between the lists that use it: no membership.
            _serious(YZ_TYSHXYDM=ORG, YZ_ZTMC=COMPANY, YZ_MDLX="99", YZ_FDDBR="张三"),
        ],
    )
    answer = _check(platform, ORG2)
    assert [(m["list_type"], m["until"]) for m in answer["memberships"]] == [
        ("TAX_SERIOUS", "2026-07-01")  # 有效期至 is the last day; until is exclusive
    ]
    assert _check(platform, ORG)["memberships"] == []
    # Still listed on its last day, gone the day after.
    clock.set(dt.datetime(2026, 6, 30, 18, 0, tzinfo=CHINA_TZ))
    assert _check(platform, ORG2)["memberships"]
    clock.set(dt.datetime(2026, 7, 1, 9, 0, tzinfo=CHINA_TZ))
    assert _check(platform, ORG2)["memberships"] == []


def test_removal_reported_by_correction(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "swj", "tax")
    _import(platform, "swj", "YZSX", [_serious()])
    first = _check(platform, ORG2)
    assert first["memberships"][0]["until"] == "2029-05-20"  # the list's 36 months
    clock.advance(dt.timedelta(days=2))
    result = _import(platform, "swj", "YZSX", [_serious(YZ_YCRQ="2026-06-16")])
    assert result.corrections == 1
    assert _check(platform, ORG2)["memberships"] == []
    rows, statuses = _projections(platform)
    assert [(r.exit_reason, r.exited_on) for r in rows] == [("removed", dt.date(2026, 6, 16))]
    assert statuses[0].data_version == rows[0].entry_id


def test_rebuild_reproduces_incremental_rows(platform: Platform, clock: FixedClock) -> None:
    add_department(platform, "gy", "court")
    add_department(platform, "swj", "tax")
    _import(platform, "gy", "SXBZXR", [_defaulter(), _defaulter(案号="（2026）陕01执9号")])
    _import(platform, "swj", "YZSX", [_serious(), _serious(YZ_TYSHXYDM=ORG, YZ_ZTMC=COMPANY)])
    clock.advance(dt.timedelta(days=1))
    _import(platform, "swj", "YZSX", [_serious(YZ_YCRQ="2026-06-16")])
    revoke(platform, "gy", "SXBZXR", ORG, "（2026）陕01执9号", "纠正")
    incremental = _projections(platform)
    assert len(incremental[0]) == 4
    with platform.engine.begin() as conn:
        assert lists.rebuild(conn, platform.sanctions, platform.catalogue) == 2
    assert _projections(platform) == incremental


def test_tax_list_period_runs_from_publication(platform: Platform, clock: FixedClock) -> None:
    """令54 第十七条: 自公布之日起满3年 — the tax authority's publication date, not the date of
    its determination; without a publication date, from the determination (an earlier end)."""
    add_department(platform, "swj", "tax")
    clock.set(dt.datetime(2026, 7, 1, 10, 0, tzinfo=CHINA_TZ))
    result = _import(
        platform,
        "swj",
        "YZSX",
        [
            _serious(YZ_LRRQ="2026-05-20", YZ_GBRQ="2026-06-15"),
            _serious(YZ_TYSHXYDM=ORG, YZ_ZTMC=COMPANY, YZ_LRRQ="2026-05-20"),
        ],
    )
    assert result.rejected == 0, result.rejections
    with platform.engine.connect() as conn:
        rows = {
            r.subject_key: (r.listed_on, r.until)
            for r in conn.execute(select(list_memberships)).all()
        }
    assert rows[ORG2] == (dt.date(2026, 5, 20), dt.date(2029, 6, 15))
    assert rows[ORG] == (dt.date(2026, 5, 20), dt.date(2029, 5, 20))
