"""The console's work pages (web/routes/console_work.py) on both engines, through the real
application: the check at the counter with its receipt and feedback, the office's alerts and
typical cases. Each page answers as its API twin would, shows no ID number in clear, and a
refused form changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    list_subject,
    penalty,
    person_penalty,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app

RECEIPT = re.compile(r"/console/check/receipts/([0-9a-f]{32})")
PERSON_ID = resident_id("610103", "19900305", "456")
ORG2_NAME = "西安市新城区另一科技有限公司"


@pytest.fixture
def staff(platform: Platform) -> dict[str, int]:
    add_department(platform)  # scjg
    add_department(platform, "zjt", "housing")
    return {
        "admin": add_user(platform, "admin", "office_admin"),
        "officer": add_user(platform, "officer", "department_officer", "scjg"),
        "other": add_user(platform, "other", "department_officer", "zjt"),
        "inspector": add_user(platform, "inspector", "inspector"),
        "auditor": add_user(platform, "auditor", "auditor"),
    }


@pytest.fixture
def records(platform: Platform, staff: dict[str, int]) -> None:
    """ORG: 责令停产停业 (M04 decided) and listed; ORG2, with the same legal representative: a
    large fine (M04 to verify), and the 易地开张 alert its link raises; a person's penalty."""
    result = platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(CF_CFLB="罚款,责令停产停业"),
                penalty(
                    CF_XDR_SHXYM=ORG2,
                    CF_XDR_MC=ORG2_NAME,
                    CF_WSH="陕市监罚〔2026〕2号",
                    CF_NR_FK="250",
                ),
                person_penalty(PERSON_ID, CF_WSH="陕市监罚〔2026〕3号"),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 3, result.rejections
    list_subject(platform, ORG)


def _signed_in(platform: Platform, name: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, name).status_code == 303
    return client


def _csrf(client: TestClient, path: str = "/console/check") -> str:
    return csrf_of(client.get(path).text)


def _check(client: TestClient, subject: str, scenario: str = "government_procurement") -> Any:
    return client.post(
        "/console/check",
        data={"csrf": _csrf(client), "subject": subject, "scenario": scenario},
    )


def _count(platform: Platform, table: str) -> int:
    with platform.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())  # noqa: S608


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


# -- 逢办必查 --------------------------------------------------------------------------------


def test_the_form_lists_the_scenarios_by_chinese_name(
    platform: Platform, staff: dict[str, int]
) -> None:
    page = _signed_in(platform, "inspector").get("/console/check")
    assert page.status_code == 200
    assert '<option value="government_procurement">政府采购</option>' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_a_check_by_code_shows_measures_with_basis_and_the_receipt(
    platform: Platform, records: None
) -> None:
    client = _signed_in(platform, "officer")
    resp = _check(client, ORG.lower())
    assert resp.status_code == 200, resp.text
    text = resp.text
    receipt = RECEIPT.search(text)
    assert receipt is not None
    assert "市场监督管理严重违法失信名单" in text  # the membership
    assert "M04 政府采购重大违法记录资格限制" in text
    # Its legal basis with the evidence label, and who implements it.
    assert "《中华人民共和国政府采购法（2014年修正）》第二十二条第一款第（五）项" in text
    assert re.search(r'<span class="tag">已读原文</span>', text)
    assert "采购人、采购代理机构（资格审查）" in text
    assert "2029-06-10" in text  # M04's period: three years from the decision
    assert "不能适用告知承诺制、容缺受理" in text
    with platform.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT department_code, actor, scenario FROM check_receipts WHERE receipt = ?"
            if platform.engine.dialect.name == "sqlite"
            else "SELECT department_code, actor, scenario FROM check_receipts WHERE receipt = %s",
            (receipt.group(1),),
        ).one()
    assert row[0] == "scjg"
    assert row[1].startswith("user:")
    assert row[1].endswith(":officer")
    assert row[2] == "government_procurement"


def test_a_measure_to_verify_is_never_presented_as_applying(
    platform: Platform, records: None
) -> None:
    text = _check(_signed_in(platform, "officer"), ORG2).text
    applied, _, rest = text.partition("须人工核实条件的措施")
    assert rest, "the answer has a measure to verify"
    # M04 is to verify for ORG2: under the verify heading with its condition, not applied.
    assert "M04" not in applied.split("适用的措施", 1)[1]
    assert "尚未确定适用" in rest
    assert "较大数额罚款" in rest
    assert "须核实的条件" in rest


def test_a_resident_id_number_is_never_shown_in_clear(platform: Platform, records: None) -> None:
    client = _signed_in(platform, "officer")
    resp = _check(client, PERSON_ID)
    assert resp.status_code == 200, resp.text
    assert PERSON_ID not in resp.text
    assert PERSON_ID[:6] + "********" + PERSON_ID[-4:] in resp.text
    receipt = RECEIPT.search(resp.text)
    assert receipt is not None
    again = client.get(f"/console/check/receipts/{receipt.group(1)}")
    assert again.status_code == 200
    assert PERSON_ID not in again.text
    # A mistyped number: refused, not echoed, and not put back into the form.
    wrong = PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")
    bad = _check(client, wrong)
    assert bad.status_code == 400
    assert wrong not in bad.text
    assert wrong[:14] not in bad.text
    assert 'name="subject" type="text" maxlength="200" required value=""' in bad.text


def test_a_check_by_name_is_flagged_not_authoritative(platform: Platform, records: None) -> None:
    resp = _check(_signed_in(platform, "officer"), ORG2_NAME)
    assert resp.status_code == 200, resp.text
    assert "非权威：按名称识别" in resp.text
    assert "以统一社会信用代码" in resp.text
    fuzzy = _check(_signed_in(platform, "officer"), "西安市新城区另一科枝有限公司")
    assert "候选主体" in fuzzy.text
    assert ORG2 in fuzzy.text
    assert "适用的措施" not in fuzzy.text


def test_bad_input_is_told_in_chinese_and_changes_nothing(
    platform: Platform, records: None
) -> None:
    client = _signed_in(platform, "officer")
    before = _count(platform, "check_receipts")
    unknown = _check(client, ORG, "no_such_scenario")
    assert unknown.status_code == 404
    assert "没有应用场景" in unknown.text
    empty = _check(client, "   ")
    assert empty.status_code == 400
    assert "请填写核查对象" in empty.text
    forged = client.post(
        "/console/check",
        data={"csrf": "0" * 64, "subject": ORG, "scenario": "government_procurement"},
    )
    assert forged.status_code == 403
    assert _count(platform, "check_receipts") == before


def test_feedback_by_the_department_that_checked_only(platform: Platform, records: None) -> None:
    officer = _signed_in(platform, "officer")
    receipt = RECEIPT.search(_check(officer, ORG).text)
    assert receipt is not None
    url = f"/console/check/receipts/{receipt.group(1)}"
    page = officer.get(url)
    assert page.status_code == 200
    assert "尚未反馈" in page.text
    token = csrf_of(page.text)

    def post(client: TestClient, token: str, **data: str) -> Any:
        return client.post(f"{url}/feedback", data={"csrf": token, **data}, follow_redirects=False)

    no_reason = post(officer, token, measure="M04", applied="no", reason=" ")
    assert no_reason.status_code == 400
    assert "未实施措施须说明理由" in no_reason.text
    not_listed = post(officer, token, measure="M99", applied="yes")
    assert not_listed.status_code == 400
    assert "该次核查结果中没有措施 M99" in not_listed.text
    assert _count(platform, "check_feedback") == 0
    done = post(officer, token, measure="M04", applied="no", reason="采购项目已完成资格审查")
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}?saved=M04"
    shown = officer.get(done.headers["location"])
    assert "已记录措施 M04 的实施情况" in shown.text
    assert "未实施：采购项目已完成资格审查" in shown.text
    assert _count(platform, "check_feedback") == 1
    reads = _audit(platform, "read_receipt")
    assert reads
    assert reads[-1]["purpose"] == "控制台查看本部门核查回执"

    other = _signed_in(platform, "other")  # another department
    assert other.get(url).status_code == 403
    other_token = _csrf(other)
    assert post(other, other_token, measure="M04", applied="yes").status_code == 403
    inspector = _signed_in(platform, "inspector")
    assert post(inspector, _csrf(inspector), measure="M04", applied="yes").status_code == 403
    assert inspector.get(url).status_code == 403
    assert officer.get("/console/check/receipts/" + "0" * 32).status_code == 404
    assert _count(platform, "check_feedback") == 1


# -- 易地开张预警 ------------------------------------------------------------------------------


def test_alerts_for_the_office_and_auditors_only(platform: Platform, records: None) -> None:
    admin = _signed_in(platform, "admin")
    page = admin.get("/console/alerts")
    assert page.status_code == 200
    assert "疑似易地开张" in page.text
    assert resident_id() not in page.text  # the legal representative, masked
    assert _audit(platform, "read_alerts")[-1]["purpose"] == "控制台预警核查处理"
    assert "没有符合条件的预警" in admin.get("/console/alerts?status=dismissed").text
    bad = admin.get("/console/alerts?status=nonsense")
    assert bad.status_code == 400
    assert "未知状态" in bad.text
    auditor = _signed_in(platform, "auditor")
    assert auditor.get("/console/alerts").status_code == 200
    detail = auditor.get("/console/alerts/1")
    assert detail.status_code == 200
    assert "确认预警" not in detail.text  # auditors read, never handle
    for name in ("officer", "inspector"):
        assert _signed_in(platform, name).get("/console/alerts").status_code == 403
        assert _signed_in(platform, name).get("/console/alerts/1").status_code == 403
    assert admin.get("/console/alerts/999").status_code == 404


def test_the_office_acknowledges_and_dismisses_with_a_reason(
    platform: Platform, records: None
) -> None:
    admin = _signed_in(platform, "admin")
    page = admin.get("/console/alerts/1")
    assert page.status_code == 200
    assert ORG2_NAME in page.text
    assert "法定代表人" in page.text
    token = csrf_of(page.text)
    no_reason = admin.post("/console/alerts/1/dismiss", data={"csrf": token, "note": ""})
    assert no_reason.status_code == 400
    assert "排除预警须说明理由" in no_reason.text
    assert "待处理" in admin.get("/console/alerts/1").text
    auditor = _signed_in(platform, "auditor")
    refused = auditor.post(
        "/console/alerts/1/acknowledge", data={"csrf": csrf_of(auditor.get("/console").text)}
    )
    assert refused.status_code == 403
    ok = admin.post(
        "/console/alerts/1/acknowledge",
        data={"csrf": token, "note": "已转执法部门核查"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    shown = admin.get("/console/alerts/1")
    assert "已确认" in shown.text
    assert "已转执法部门核查" in shown.text
    again = admin.post("/console/alerts/1/acknowledge", data={"csrf": token})
    assert again.status_code == 409
    assert "不能再确认" in again.text
    dismissed = admin.post(
        "/console/alerts/1/dismiss",
        data={"csrf": token, "note": "经核实为同名不同人"},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    assert [r["action"] for r in _audit(platform, "alert_dismiss")] == ["alert_dismiss"]


# -- 典型案例 --------------------------------------------------------------------------------


def _draft(client: TestClient, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "csrf": _csrf(client, "/console/typical-cases"),
        "title": "某公司被列入严重违法失信名单",
        "summary": "该公司因严重违法失信行为被列入名单，在政府采购中依法受到限制。",
        "category": "punishment",
        "measures": ["M11", "M12"],
        "department": "scjg",
        "subject": ORG,
        "receipt": "",
        "case_id": "",
    }
    data.update(overrides)
    return client.post("/console/typical-cases", data=data)


def test_the_office_drafts_publishes_and_withdraws(platform: Platform, records: None) -> None:
    admin = _signed_in(platform, "admin")
    drafted = _draft(admin)
    assert drafted.status_code == 200, drafted.text
    assert "已登记典型案例 1（草稿）" in drafted.text
    assert "草稿" in drafted.text
    public = TestClient(create_app(platform))
    assert "某公司被列入严重违法失信名单" not in public.get("/typical-cases").text
    officer = _signed_in(platform, "officer")
    assert "某公司被列入严重违法失信名单" not in officer.get("/console/typical-cases").text
    token = csrf_of(drafted.text)
    step = admin.post(
        "/console/typical-cases/1/publish", data={"csrf": token}, follow_redirects=False
    )
    assert step.status_code == 303  # back to the list: a reload publishes nothing again
    assert step.headers["location"] == "/console/typical-cases?done=published-1"
    published = admin.get(step.headers["location"])
    assert "典型案例 1 已发布" in published.text
    assert "某公司被列入严重违法失信名单" in public.get("/typical-cases").text
    seen = officer.get("/console/typical-cases").text
    assert "某公司被列入严重违法失信名单" in seen
    assert "发布案例" not in seen
    again = admin.post("/console/typical-cases/1/publish", data={"csrf": token})
    assert again.status_code == 409
    withdrawn = admin.post(
        "/console/typical-cases/1/withdraw", data={"csrf": token, "reason": "主体已完成信用修复"}
    )
    assert withdrawn.status_code == 200
    assert "已撤回" in withdrawn.text
    assert "主体已完成信用修复" in withdrawn.text
    assert "某公司被列入严重违法失信名单" not in public.get("/typical-cases").text
    assert admin.post("/console/typical-cases/99/publish", data={"csrf": token}).status_code == 404
    assert _audit(platform, "read_typical_cases")[-1]["purpose"] == "控制台典型案例管理"
    auditor_view = _signed_in(platform, "auditor").get("/console/typical-cases").text
    assert "已撤回" in auditor_view
    assert "登记草稿" not in auditor_view


def test_a_draft_with_an_id_number_is_refused_and_not_echoed(
    platform: Platform, records: None
) -> None:
    admin = _signed_in(platform, "admin")
    number = resident_id("610104", "19751111", "321")
    refused = _draft(admin, summary=f"当事人身份证号{number}，多次违法。")
    assert refused.status_code == 400
    assert "身份证号码" in refused.text
    assert number not in refused.text
    mismatched = _draft(admin, category="incentive")
    assert mismatched.status_code == 400
    assert "不是激励措施" in mismatched.text
    bad_case = _draft(admin, case_id="abc")
    assert bad_case.status_code == 400
    assert "case_id" in bad_case.text
    person = _draft(admin, subject=PERSON_ID)
    assert person.status_code == 400
    assert PERSON_ID not in person.text
    assert _count(platform, "typical_cases") == 0
    officer = _signed_in(platform, "officer")
    assert _draft(officer).status_code == 403
    assert _count(platform, "typical_cases") == 0
