"""The console's commitment pages on both engines: each department's officer sees the
commitments it accepted (another's is a 403), the office and the auditor see all; the due date
with its overdue flag; each step through its form (materials, the verification result, a
breach with its reason, a list proposal), a refusal shown with nothing changed, the CSRF token
required; the office's 复核 draw (the auditor reads only); the templates viewer; and the
dashboard's commitment coverage and voluntary share against the target."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
)
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.commitments import service as commitments
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.voluntary import service as voluntary
from xinyong.web.app import create_app


def _client(platform: Platform, name: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, name).status_code == 303
    return client


def _sign(platform: Platform, subject: str, template: str, department: str) -> int:
    with platform.transaction() as conn:
        view = commitments.sign(
            conn,
            platform.commitment_deps(),
            subject=subject,
            template=template,
            department_code=department,
            channel="cli",
            actor="test",
            now=platform.clock.now(),
        )
    return int(view["id"])


def _status(platform: Platform, cid: int) -> str:
    with platform.engine.connect() as conn:
        return str(commitments.view(conn, platform.commitment_deps(), cid)["status"])


def _province(platform: Platform, clock: FixedClock) -> dict[str, int]:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    add_department(platform, name="省市场监督管理局")
    add_department(platform, "zjt", "housing", "省住房和城乡建设厅")
    add_user(platform, "officer", "department_officer", "scjg")
    add_user(platform, "builder", "department_officer", "zjt")
    add_user(platform, "admin", "office_admin")
    add_user(platform, "audit", "auditor")
    rows = [
        penalty(),
        penalty(CF_XDR_SHXYM=ORG2, CF_XDR_MC="另一家公司", CF_WSH="陕市监罚〔2026〕8号"),
    ]
    platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    return {
        "verify": _sign(platform, ORG, "SPJY_GZCN", "scjg"),
        "materials": _sign(platform, ORG, "JZQY_RQSL", "zjt"),
        "standing": _sign(platform, ORG2, "ZD_CXJY", "scjg"),
    }


def _post(client: TestClient, path: str, page: Any, **data: Any) -> Any:
    return client.post(path, data={"csrf": csrf_of(page.text), **data}, follow_redirects=False)


def test_inbox_by_department_and_each_step_by_form(platform: Platform, clock: FixedClock) -> None:
    ids = _province(platform, clock)
    officer = _client(platform, "officer")
    inbox = officer.get("/console/commitments")
    assert inbox.status_code == 200
    assert "/console/commitments" in officer.get("/console").text  # the nav link
    assert f"承诺 {ids['verify']}<" in inbox.text
    assert f"承诺 {ids['standing']}<" in inbox.text
    assert f"承诺 {ids['materials']}<" not in inbox.text  # zjt accepted it
    assert "<script" not in inbox.text
    only = officer.get("/console/commitments", params={"type": "4"}).text
    assert f"承诺 {ids['standing']}<" in only
    assert f"承诺 {ids['verify']}<" not in only
    assert officer.get(f"/console/commitments/{ids['materials']}").status_code == 403
    admin = _client(platform, "admin")
    everything = admin.get("/console/commitments").text
    assert all(f"承诺 {cid}<" in everything for cid in ids.values())

    # The 容缺 promise: 15 working days; past them the inbox flags it.
    clock.set(dt.datetime(2026, 7, 10, 10, 0, tzinfo=CHINA_TZ))
    builder = _client(platform, "builder")
    officer = _client(platform, "officer")  # a new day, a new session
    late = builder.get("/console/commitments")
    assert f"承诺 {ids['materials']}<" in late.text
    assert "已逾期" in late.text
    with platform.engine.connect() as conn:
        due = commitments.view(conn, platform.commitment_deps(), ids["materials"])["due_date"]
    assert dt.date.fromisoformat(due) < clock.today()
    assert f'<span class="code">{due}</span>' in late.text
    page = builder.get(f"/console/commitments/{ids['materials']}")
    assert "技术负责人职称证书：<strong>未提交</strong>" in page.text
    path = f"/console/commitments/{ids['materials']}/steps"
    resp = _post(builder, path, page, name="deliver", materials=["技术负责人职称证书"])
    assert resp.status_code == 303
    assert _status(platform, ids["materials"]) == "signed"
    page = builder.get(resp.headers["location"])
    assert "已办理：提交容缺材料" in page.text
    resp = _post(builder, path, page, name="deliver", materials=["近三年工程业绩证明"])
    assert resp.status_code == 303
    assert _status(platform, ids["materials"]) == "fulfilled"

    # The verification result: without the token refused, then recorded.
    page = officer.get(f"/console/commitments/{ids['verify']}")
    assert "核查结果" in page.text
    path = f"/console/commitments/{ids['verify']}/steps"
    forged = officer.post(path, data={"csrf": "0" * 64, "name": "verify", "result": "true"})
    assert forged.status_code == 403
    assert _status(platform, ids["verify"]) == "signed"
    missing = _post(officer, path, page, name="verify")
    assert missing.status_code == 400
    assert "result（核查结果）" in missing.text
    resp = _post(officer, path, page, name="verify", result="true", note="现场核查属实")
    assert resp.status_code == 303
    done = officer.get(resp.headers["location"]).text
    assert "已履约" in done
    assert "现场核查属实" in done
    assert "可办理的操作" in done
    assert "该承诺已办结" in done

    # A breach needs its reason; then the list proposal is offered and opens a case.
    page = officer.get(f"/console/commitments/{ids['standing']}")
    path = f"/console/commitments/{ids['standing']}/steps"
    refused = _post(officer, path, page, name="breach")
    assert refused.status_code == 400
    assert "须写明事实和依据" in refused.text
    assert _status(platform, ids["standing"]) == "signed"
    resp = _post(officer, path, page, name="breach", note="经检查发现虚假宣传，违背承诺")
    assert resp.status_code == 303
    page = officer.get(resp.headers["location"])
    assert "未履约" in page.text
    assert "据此提出拟列入名单" in page.text
    choice = re.search(r'<option value="([^"]+)">', page.text.split('name="list_type"')[1])
    assert choice is not None
    proposed = _post(
        officer,
        f"/console/commitments/{ids['standing']}/list-proposal",
        page,
        list_type=choice.group(1),
    )
    assert proposed.status_code == 303, proposed.text
    assert "case=" in proposed.headers["location"]
    assert "名单认定办件" in officer.get(proposed.headers["location"]).text

    # The auditor reads and takes no step.
    auditor = _client(platform, "audit")
    seen = auditor.get(f"/console/commitments/{ids['standing']}")
    assert seen.status_code == 200
    assert "审计人员只读" in seen.text
    assert (
        auditor.post(path, data={"csrf": csrf_of(seen.text), "name": "repair"}).status_code == 403
    )


def test_recheck_draw_and_templates(platform: Platform, clock: FixedClock) -> None:
    ids = _province(platform, clock)
    with platform.transaction() as conn:
        commitments.step(
            conn,
            platform.commitment_deps(),
            ids["verify"],
            "verify",
            actor="t",
            now=platform.clock.now(),
            department_code="scjg",
            result=True,
        )
    auditor = _client(platform, "audit")
    page = auditor.get("/console/commitment-samples")
    assert page.status_code == 200
    assert "尚未抽取复核样本" in page.text
    assert "抽取复核样本</button>" not in page.text
    assert (
        auditor.post(
            "/console/commitment-samples", data={"csrf": csrf_of(page.text), "month": "2026-06"}
        ).status_code
        == 403
    )
    officer = _client(platform, "officer")
    assert officer.get("/console/commitment-samples").status_code == 403
    admin = _client(platform, "admin")
    page = admin.get("/console/commitment-samples")
    resp = _post(admin, "/console/commitment-samples", page, month="2026-06")
    assert resp.status_code == 303
    drawn = admin.get("/console/commitment-samples").text
    assert f'href="/console/commitments/{ids["verify"]}"' in drawn
    again = _post(admin, "/console/commitment-samples", page, month="2026-06")
    assert again.status_code == 409
    assert "已抽取" in again.text
    future = _post(admin, "/console/commitment-samples", page, month="2027-01")
    assert future.status_code == 400
    assert "尚未开始" in future.text

    templates = officer.get("/console/commitment-templates")
    assert templates.status_code == 200
    text = templates.text
    assert "容缺受理承诺书" in text
    assert "主动型诚信经营承诺书" in text
    assert "不实行（" in text  # an item excluded from 告知承诺, with its reason
    assert "国办发〔2020〕42号" in text
    assert "有效期" in text
    assert "market_regulation" not in text  # sectors by their names


def _figures(html: str) -> dict[str, Any]:
    found = re.search(r"data-figures='([^']*)'", html)
    assert found is not None
    return dict(json.loads(found.group(1).replace("&#34;", '"').replace("&amp;", "&")))


def test_dashboard_commitment_coverage_and_voluntary_share(
    platform: Platform, clock: FixedClock
) -> None:
    ids = _province(platform, clock)
    with platform.transaction() as conn:
        commitments.step(
            conn,
            platform.commitment_deps(),
            ids["standing"],
            "breach",
            actor="t",
            now=platform.clock.now(),
            department_code="scjg",
            note="违背承诺",
        )
    admin = _client(platform, "admin")
    page = admin.get("/console/dashboard")
    assert page.status_code == 200
    assert "信用承诺覆盖" in page.text
    assert "自愿注册记录占比" in page.text
    figures = _figures(page.text)
    by_type = {t["type"]: t for t in figures["commitments"]["by_type"]}
    assert by_type["1"]["total"] == 2
    assert by_type["1"]["by_status"]["signed"] == 2
    assert by_type["4"]["by_status"]["breached"] == 1
    assert by_type["2"]["total"] == 0  # every type, zero included
    assert {d["department"] for d in figures["commitments"]["by_department"]} == {"scjg", "zjt"}
    share = figures["voluntary"]
    assert share["target"]["share"] == 0.3
    assert share["overall"]["voluntary"] == 0
    assert share["overall"]["total"] > 0
    assert "30%" in page.text
    # The department officer: its own department's commitments only.
    officer = _client(platform, "builder")
    mine = _figures(officer.get("/console/dashboard").text)
    assert [d["department"] for d in mine["commitments"]["by_department"]] == ["zjt"]
    assert sum(t["total"] for t in mine["commitments"]["by_type"]) == 1


def test_voluntary_inbox_flags_a_registration_past_its_verification_deadline(
    platform: Platform, clock: FixedClock
) -> None:
    _province(platform, clock)
    with platform.transaction() as conn:
        case = voluntary.submit(
            conn,
            platform.voluntary_deps(),
            subject_key=ORG,
            kind="QUALIFICATION",
            values={
                "certificate_name": "食品经营许可证",
                "certificate_no": "JY16101020012345",
                "issuer": "西安市市场监督管理局",
                "issued_on": "2024-05-20",
            },
            department_code="scjg",
            commitment=True,
            authorisation=True,
            materials=[Upload("证明.pdf", b"%PDF-1.4 x")],
            actor=f"subject:{ORG}",
            role="subject",
            now=clock.now(),
        )
    officer = _client(platform, "officer")
    row = officer.get("/console/voluntary").text.split(f"自愿注册 {case.id}<")[1].split("</tr>")[0]
    assert "已超期" not in row
    clock.set(dt.datetime(2026, 7, 15, 10, 0, tzinfo=CHINA_TZ))  # past the 10 working days
    officer = _client(platform, "officer")
    row = officer.get("/console/voluntary").text.split(f"自愿注册 {case.id}<")[1].split("</tr>")[0]
    assert "已超期" in row


def test_a_promised_date_on_a_provisional_year_is_marked(
    platform: Platform, clock: FixedClock
) -> None:
    _province(platform, clock)
    clock.set(dt.datetime(2026, 12, 21, 10, 0, tzinfo=CHINA_TZ))
    cid = _sign(platform, ORG2, "JZQY_RQSL", "zjt")
    with platform.engine.connect() as conn:
        view = commitments.view(conn, platform.commitment_deps(), cid)
    assert view["due_provisional"], view["due_date"]  # 2027's holidays are not yet announced
    builder = _client(platform, "builder")
    row = builder.get("/console/commitments").text.split(f"承诺 {cid}<")[1].split("</tr>")[0]
    assert "暂定" in row
    assert f"最迟 {view['due_latest']}" in row
    assert "已逾期" not in row
