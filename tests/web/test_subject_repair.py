"""The subject's credit repair pages on both engines: the conditions per record, an
application with the commitment and materials (refusals re-shown with the reason, nothing
written), the case with its deadline, completing materials; another subject's case is 404."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.helpers import ORG, ORG2, add_department, csrf_of, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.repair import service as repair
from xinyong.selfservice import accounts
from xinyong.web.app import create_app

PASSWORD = "Subject-Pass-2026"
PDF = b"%PDF-1.7 proof"


def _signed_in(platform: Platform, uscc: str = ORG) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:管理"
        ).code
    form = client.get("/account/activate")
    data = {"uscc": uscc, "code": code, "password": PASSWORD, "confirm": PASSWORD}
    resp = client.post("/account/activate", data={**data, "csrf": csrf_of(form.text)})
    assert resp.status_code == 200, resp.text
    return client


def test_the_subject_applies_and_follows_its_case(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 12, 10, 0, tzinfo=CHINA_TZ))
    rows = [
        penalty(),
        penalty(CF_XDR_SHXYM=ORG2, CF_XDR_MC="另一家公司", CF_WSH="陕市监罚〔2026〕8号"),
    ]
    platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    client = _signed_in(platform)
    assert client.get("/account").text.count("/account/repair") >= 1
    page = client.get("/account/repair")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "暂不可申请" in page.text
    assert "2026-09-10 起可申请" in page.text
    assert "待核实" in page.text
    assert "认定单位 部门scjg" in page.text  # the deciding unit by name, not its code
    assert "陕市监罚〔2026〕8号" not in page.text  # another subject's record
    assert "提交信用修复申请" not in page.text  # nothing eligible yet
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    form = client.get("/account/login")  # the session has expired meanwhile
    signed = client.post(
        "/account/login",
        data={"uscc": ORG, "password": PASSWORD, "csrf": csrf_of(form.text)},
    )
    assert signed.status_code == 200
    page = client.get("/account/repair")
    assert "提交信用修复申请" in page.text
    assert "信用承诺书" in page.text
    with platform.engine.connect() as conn:
        [r] = repair.eligibility_view(conn, platform.repair_deps(), ORG, clock.today())["records"]
    record = str(r["record"]["entry"])
    csrf = csrf_of(page.text)
    files = [("materials", ("凭证.pdf", PDF, "application/pdf"))]
    # Without the commitment: shown again with the reason, nothing written.
    refused = client.post(
        "/account/repair/apply",
        data={"csrf": csrf, "record": record, "signatory": "王经理"},
        files=files,
    )
    assert refused.status_code == 400
    assert "信用承诺" in refused.text
    assert "我的信用修复申请" not in refused.text
    bad = client.post(
        "/account/repair/apply",
        data={"csrf": "x", "record": record, "signatory": "王经理", "commitment_signed": "true"},
        files=files,
    )
    assert bad.status_code == 403
    done = client.post(
        "/account/repair/apply",
        data={"csrf": csrf, "record": record, "signatory": "王经理", "commitment_signed": "true"},
        files=files,
        follow_redirects=False,
    )
    assert done.status_code == 303
    location = done.headers["location"]
    case = client.get(location)
    assert "已提交，待受理" in case.text
    assert "2026-10-08" in case.text
    case_id = int(location.rsplit("/", 1)[1])
    with platform.transaction() as conn:
        repair.step(
            conn,
            platform.repair_deps(),
            case_id,
            "incomplete",
            actor="scjg:李",
            role="department",
            department_code="scjg",
            now=clock.now(),
            note="请补充整改报告",
        )
    case = client.get(location)
    assert "请补充整改报告" in case.text
    assert "补正材料" in case.text
    completed = client.post(
        f"{location}/complete",
        data={"csrf": csrf_of(case.text)},
        files=[("materials", ("整改报告.pdf", PDF + b"2", "application/pdf"))],
        follow_redirects=False,
    )
    assert completed.status_code == 303
    assert "已受理，待决定" in client.get(location).text
    # Another subject's session does not reach this case.
    other = _signed_in(platform, ORG2)
    assert other.get(location).status_code == 404
