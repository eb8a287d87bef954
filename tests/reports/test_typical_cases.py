"""Typical cases: recording, the draft → published → withdrawn states, and the refusal of
anything that would publish a natural person."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.helpers import ORG, ORG2, add_department, resident_id
from tests.reports.support import ORG3, build_story, cst
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.identity.ric import resident_ids_in
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import InputError, NotFound
from xinyong.reports import service as reports
from xinyong.reports.rules import CaseStateError
from xinyong.reports.tables import typical_cases

SUMMARY = (
    "某科技有限公司因销售不符合食品安全标准的食品被列入严重违法失信名单，在政府采购中被限制参与。"
)


def _add(platform: Platform, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "title": "严重违法失信企业被限制参加政府采购",
        "summary": SUMMARY,
        "category": "惩戒",
        "measures": ["M11", "m12"],
        "department_code": "scjg",
        "actor": "office:李处长",
        "now": platform.clock.now(),
    }
    args.update(overrides)
    with platform.engine.begin() as conn:
        return reports.add_typical_case(conn, platform.sanctions, **args)


def _step(platform: Platform, step: str, case_id: int, **kw: Any) -> dict[str, Any]:
    fn = reports.publish_typical_case if step == "publish" else reports.withdraw_typical_case
    with platform.engine.begin() as conn:
        return fn(conn, platform.sanctions, case_id, now=platform.clock.now(), **kw)


def _list(platform: Platform, internal: bool) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return reports.list_typical_cases(conn, platform.sanctions, internal=internal)


def test_draft_publish_withdraw_with_who_and_when(platform: Platform, clock: FixedClock) -> None:
    story = build_story(platform, clock)
    case = _add(platform, receipt=story.receipts["jun_gp"], case_id=story.cases["org"])
    assert case["state"] == "draft"
    assert case["category_name"] == "惩戒"
    assert [m["measure"] for m in case["measures"]] == ["M11", "M12"]
    assert case["measures"][0]["implementing_department"] == "县级以上地方人民政府及其有关部门"
    assert case["subject"] == ORG  # taken from the linked check and list case
    assert case["created_by"] == "office:李处长"
    assert _list(platform, internal=False) == []  # drafts are not public

    clock.set(cst(2026, 7, 16, 9, 30))
    published = _step(platform, "publish", case["id"], actor="office:王主任")
    assert (published["state"], published["published_by"]) == ("published", "office:王主任")
    assert published["published_at"] == "2026-07-16T09:30:00+08:00"
    public = _list(platform, internal=False)
    assert [c["id"] for c in public] == [case["id"]]
    assert set(public[0]) == {
        "id",
        "title",
        "summary",
        "category",
        "category_name",
        "measures",
        "department",
        "subject",
        "published_at",
    }
    assert public[0]["department"] == {"code": "scjg", "name": "部门scjg"}
    with pytest.raises(CaseStateError) as again:
        _step(platform, "publish", case["id"], actor="office:王主任")
    assert "已发布" in again.value.message_zh

    clock.set(cst(2026, 7, 20, 9))
    gone = _step(platform, "withdraw", case["id"], actor="office:王主任", reason="数据更正")
    assert (gone["state"], gone["withdraw_reason"]) == ("withdrawn", "数据更正")
    assert gone["withdrawn_at"] == "2026-07-20T09:00:00+08:00"
    assert _list(platform, internal=False) == []
    assert [c["state"] for c in _list(platform, internal=True)] == ["withdrawn"]
    with pytest.raises(CaseStateError):
        _step(platform, "publish", case["id"], actor="office:王主任")
    with platform.engine.connect() as conn:
        actions = [
            r.action
            for r in conn.execute(
                select(audit_log)
                .where(audit_log.c.target.like("typical_case:%"))
                .order_by(audit_log.c.id)
            )
        ]
    assert actions == ["typical_case.add", "typical_case.publish", "typical_case.withdraw"]


def test_a_person_is_never_in_the_public_view(platform: Platform, clock: FixedClock) -> None:
    story = build_story(platform, clock)
    # A check of a natural person: the link is kept internally, the person is not shown.
    with platform.engine.begin() as conn:
        answer = checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=resident_id(),
            scenario="company_office",
            today=clock.today(),
            now=clock.now(),
            actor="t",
            department_code="scjg",
        )
    case = _add(platform, receipt=answer["receipt"], measures=["M10"])
    assert case["subject"] is None
    _step(platform, "publish", case["id"], actor="office")
    text = json.dumps(_list(platform, internal=False), ensure_ascii=False)
    assert resident_id() not in text
    assert "receipt" not in text
    with platform.engine.connect() as conn:
        key = conn.execute(
            select(typical_cases.c.subject_uscc).where(typical_cases.c.id == case["id"])
        ).scalar_one()
    assert key is None
    assert story.receipts  # the story's organisations are unaffected


@pytest.mark.parametrize(
    "text",
    [
        f"当事人张三（身份证号{resident_id()}）经营的企业",
        f"身份证 {resident_id()[:6]} {resident_id()[6:14]} {resident_id()[14:]}",
        "身份证号６１０１０２１９８００１０１１２３４",  # full-width, wrong check digit
        "旧证号610102800101123",
    ],
)
def test_summary_with_a_resident_id_is_refused_naming_the_field(
    platform: Platform, text: str
) -> None:
    add_department(platform)
    with pytest.raises(InputError) as exc:
        _add(platform, summary=text)
    assert "案例摘要（summary）" in exc.value.message_zh
    assert "身份证号码" in exc.value.message_zh
    assert resident_id() not in exc.value.message_zh  # the message masks the number
    assert "610102" in exc.value.message_zh
    with platform.engine.connect() as conn:
        assert conn.execute(select(typical_cases)).first() is None


def test_publication_screens_the_text_again(platform: Platform) -> None:
    add_department(platform)
    case = _add(platform)
    # A draft written before the screen existed (or edited in the database) is still caught.
    with platform.engine.begin() as conn:
        conn.execute(
            update(typical_cases)
            .where(typical_cases.c.id == case["id"])
            .values(summary=SUMMARY + f"法定代表人身份证号码{resident_id()}。")
        )
    with pytest.raises(InputError) as exc:
        _step(platform, "publish", case["id"], actor="office")
    assert "案例摘要（summary）" in exc.value.message_zh
    assert [c["state"] for c in _list(platform, internal=True)] == ["draft"]


def test_ordinary_numbers_are_not_mistaken_for_id_numbers() -> None:
    text = (
        f"统一社会信用代码{ORG}，罚款20000元，电话029-88886666，"
        "账号6222021001123456789，文号陕市监罚〔2026〕1号"
    )
    assert resident_ids_in(text, cst(2026, 6, 1).date()) == []


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"title": "  "}, "标题（title）不能为空"),
        ({"summary": "案" * 5001}, "最多5000个"),
        ({"category": "表彰"}, "案例类别（category）“表彰”无效"),
        ({"measures": []}, "至少填写一项相关措施"),
        ({"measures": ["M99"]}, "相关措施（measures）“M99”不在措施目录中"),
        ({"measures": ["I01"]}, "不是惩戒措施"),
        ({"category": "激励", "measures": ["M11"]}, "不是激励措施"),
        ({"subject": resident_id()}, "主体（subject）是居民身份证号码"),
        ({"subject": "91610102MA6T1C7D3B"}, "主体（subject）“91610102MA6T1C7D3B”不是有效的"),
        ({"subject": ORG2, "case_id": "org"}, "不一致"),
        ({"department_code": "nosuch"}, "nosuch"),
        ({"receipt": "0" * 32}, "关联核查回执（receipt）"),
        ({"case_id": 999999}, "关联名单办件（case_id）“999999”不存在"),
    ],
)
def test_bad_input_names_field_value_and_reason(
    platform: Platform, clock: FixedClock, overrides: dict[str, Any], fragment: str
) -> None:
    story = build_story(platform, clock)
    if overrides.get("case_id") == "org":
        overrides["case_id"] = story.cases["org"]
    with pytest.raises((InputError, NotFound)) as exc:
        _add(platform, **overrides)
    assert fragment in exc.value.message_zh


def test_incentive_case_with_the_red_list_subject(platform: Platform, clock: FixedClock) -> None:
    story = build_story(platform, clock)
    case = _add(
        platform,
        title="纳税信用A级企业享受容缺受理",
        summary="某企业为纳税信用A级纳税人，办理行政许可时适用容缺受理，当日办结。",
        category="incentive",
        measures=["I01", "I02"],
        department_code="swj",
        case_id=story.cases["org3"],
    )
    assert case["category_name"] == "激励"
    assert case["subject"] == ORG3
