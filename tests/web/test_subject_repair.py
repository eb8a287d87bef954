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


def _login(client: TestClient) -> None:
    form = client.get("/account/login")
    signed = client.post(
        "/account/login", data={"uscc": ORG, "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    assert signed.status_code == 200


def _dept_step(platform: Platform, case_id: int, name: str, note: str) -> None:
    with platform.transaction() as conn:
        repair.step(
            conn,
            platform.repair_deps(),
            case_id,
            name,
            actor="scjg:李",
            role="department",
            department_code="scjg",
            now=platform.clock.now(),
            note=note,
        )


def test_deadlines_across_national_day_and_new_year_on_the_case_page(
    platform: Platform, clock: FixedClock
) -> None:
    """One case from before National Day 2026 into 2027 (a provisional calendar year): the
    subject reads each deadline, marked 暂定 with its possible range only when it is."""
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 12, 10, 0, tzinfo=CHINA_TZ))
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    client = _signed_in(platform)
    with platform.engine.connect() as conn:
        [r] = repair.eligibility_view(conn, platform.repair_deps(), ORG, clock.today())["records"]
    page = client.get("/account/repair")
    done = client.post(
        "/account/repair/apply",
        data={
            "csrf": csrf_of(page.text),
            "record": str(r["record"]["entry"]),
            "signatory": "王经理",
            "commitment_signed": "true",
        },
        files=[("materials", ("凭证.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert done.status_code == 303
    location = done.headers["location"]
    case_id = int(location.rsplit("/", 1)[1])
    # 令107: 2 working days to accept, across National Day: 2026-10-08, official.
    shown = client.get(location).text
    assert "2026-10-08" in shown
    assert "暂定" not in shown
    clock.set(dt.datetime(2026, 10, 8, 10, 0, tzinfo=CHINA_TZ))
    _dept_step(platform, case_id, "incomplete", "请补充整改报告")
    clock.set(dt.datetime(2026, 12, 28, 10, 0, tzinfo=CHINA_TZ))
    _login(client)
    case = client.get(location)
    completed = client.post(
        f"{location}/complete",
        data={"csrf": csrf_of(case.text)},
        files=[("materials", ("整改报告.pdf", PDF + b"2", "application/pdf"))],
        follow_redirects=False,
    )
    assert completed.status_code == 303
    # 7 working days from 2026-12-28 run into 2027: 2027-01-07, possibly 01-05 .. 01-08.
    shown = client.get(location).text
    assert "2027-01-07" in shown
    assert "暂定" in shown
    assert "2027-01-05 至 2027-01-08" in shown
    assert shown.count("可能为") == 1
    clock.set(dt.datetime(2026, 12, 30, 10, 0, tzinfo=CHINA_TZ))
    _dept_step(platform, case_id, "extend", "需现场核查整改情况")
    with platform.engine.connect() as conn:
        view = repair.case_view(
            conn, platform.repair_deps(), case_id, today=clock.today(), role=None
        )
    due = view["due"]
    assert due["provisional"] is True
    assert 2027 in due["provisional_years"]
    # On from 2027-01-07, not from 2026-12-30.
    assert due["date"] == platform.calendar.deadline(dt.date(2027, 1, 7), 10).date.isoformat()
    assert "暂定" in due["status_label"]
    assert due["guidance"] == f"请按可能的最早日期 {due['earliest']} 办结"
    _login(client)
    shown = client.get(location).text
    assert due["date"] in shown
    assert "暂定" in shown
    history = [h["due"] for h in view["history"]]
    assert [bool(h and h["provisional"]) for h in history] == [False, False, True, True]
