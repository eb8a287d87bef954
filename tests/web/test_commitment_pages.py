"""The 信用承诺专栏 and the subject's commitments page on both engines: a subject signs a
template, sees it in its list and in the public column; a refusal is shown with its reason
and writes nothing; a 政务共享 commitment is not in the column; filters work."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import ORG, add_department, csrf_of, csv_bytes, penalty
from tests.web.test_subject_repair import _signed_in
from xinyong.bootstrap import Platform
from xinyong.commitments import service as commitments_service
from xinyong.commitments.tables import commitments
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.web.app import create_app


def _count(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(commitments)).scalar_one())


def test_subject_signs_and_sees_it_published(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    add_department(platform, name="省市场监督管理局")
    add_department(platform, "wsjk", "health", "省卫生健康委员会")
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    client = _signed_in(platform)
    assert "/account/commitments" in client.get("/account").text
    page = client.get("/account/commitments")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "主动型诚信经营承诺书" in page.text
    assert "该模板没有法律依据" in page.text
    csrf = csrf_of(page.text)
    # Not agreed: refused, nothing written.
    resp = client.post(
        "/account/commitments/sign",
        data={"csrf": csrf, "template": "ZD_CXJY", "department": "scjg"},
    )
    assert resp.status_code == 400
    assert "勾选" in resp.text
    assert _count(platform) == 0
    resp = client.post(
        "/account/commitments/sign",
        data={"csrf": csrf, "template": "ZD_WYJ", "department": "scjg", "agreed": "true"},
    )
    assert resp.status_code == 409
    assert "没有法律依据" in resp.text
    assert _count(platform) == 0
    resp = client.post(
        "/account/commitments/sign",
        data={"csrf": "x", "template": "ZD_CXJY", "department": "scjg", "agreed": "true"},
    )
    assert resp.status_code == 403
    assert _count(platform) == 0
    for template, dept in (("ZD_CXJY", "scjg"), ("GGFB_RQSL", "wsjk")):
        resp = client.post(
            "/account/commitments/sign",
            data={"csrf": csrf, "template": template, "department": dept, "agreed": "true"},
            follow_redirects=False,
        )
        assert resp.status_code == 303, resp.text
    mine = client.get("/account/commitments").text
    assert "卫生检测报告" in mine
    assert "2026-06-30" in mine
    assert "履约中" in mine
    public = client.get("/commitments")
    assert public.status_code == 200
    assert "主动型诚信经营承诺书" in public.text
    assert "西安市碑林区示例科技有限公司" in public.text
    assert "卫生检测报告" not in public.text  # the materials are not public
    only = client.get("/commitments", params={"type": "4"}).text
    assert "主动型诚信经营承诺书" in only
    assert "公共场所卫生许可容缺受理承诺书" not in only
    assert "暂无" in client.get("/commitments", params={"department": "nope"}).text
    assert client.get("/commitments", params={"type": "9"}).status_code in (400, 422)


def test_the_subject_page_shows_its_commitments_under_the_commitment_tab(
    platform: Platform, clock: FixedClock
) -> None:
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    add_department(platform, name="省市场监督管理局")
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    deps = platform.commitment_deps()
    with platform.transaction() as conn:
        signed = commitments_service.sign(
            conn,
            deps,
            subject=ORG,
            template="ZD_CXJY",
            department_code="scjg",
            channel="cli",
            actor="t",
            now=clock.now(),
        )
    client = TestClient(create_app(platform), base_url="https://testserver")
    page = client.get(f"/subjects/{ORG}", params={"tab": "commitment"}).text
    assert "信用承诺（1）" in page
    tab = page.split('id="tab-commitment"')[1]
    assert "主动型诚信经营承诺书" in tab
    assert "履约中" in tab
    with platform.transaction() as conn:
        commitments_service.step(
            conn,
            deps,
            int(signed["id"]),
            "breach",
            actor="t",
            now=clock.now(),
            department_code="scjg",
            note="违背承诺",
        )
    tab = client.get(f"/subjects/{ORG}", params={"tab": "commitment"}).text
    tab = tab.split('id="tab-commitment"')[1]
    assert "未履约" in tab
    assert "履约中" not in tab  # the restated record replaces the signed one
