"""The console's credit repair pages on both engines: the department officer's inbox with the
overdue flag, the case page and its step forms (a reason required where the law asks for one,
a refusal shown on the page with nothing changed), approval; another department's officer is
refused; the office's re-check draw and the auditor's read-only view."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
)
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.repair import service as repair
from xinyong.web.app import create_app


def _client(platform: Platform, name: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, name).status_code == 303
    return client


def test_department_inbox_case_and_steps(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    add_department(platform, "swj", sector="tax")
    add_user(platform, "officer", "department_officer", "scjg")
    add_user(platform, "taxman", "department_officer", "swj")
    add_user(platform, "admin", "office_admin")
    add_user(platform, "audit", "auditor")
    clock.set(dt.datetime(2026, 6, 12, 10, 0, tzinfo=CHINA_TZ))
    platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    with platform.transaction() as conn:
        deps = platform.repair_deps()
        [e] = repair.eligibility(conn, deps, ORG, clock.today())
        case = repair.apply(
            conn,
            deps,
            subject_key=ORG,
            record=e.target.entry_id,
            kind="ordinary",
            commitment_signed=True,
            signatory="王经理",
            materials=[Upload("凭证.pdf", b"%PDF-1.7 x")],
            actor="subject",
            now=clock.now(),
        )
    clock.set(dt.datetime(2026, 10, 9, 10, 0, tzinfo=CHINA_TZ))  # past the 2 working days
    officer = _client(platform, "officer")
    inbox = officer.get("/console/repairs")
    assert inbox.status_code == 200
    assert f"办件 {case.id}" in inbox.text
    assert "已超期" in inbox.text
    assert "<script" not in inbox.text
    assert "style=" not in inbox.text
    only_late = officer.get("/console/repairs", params={"overdue": "true"})
    assert f"办件 {case.id}" in only_late.text
    page = officer.get(f"/console/repairs/{case.id}")
    assert page.status_code == 200
    assert "已提交，待受理" in page.text
    assert "王经理" in page.text
    version = str(case.version)
    # A refusal without reasons is shown on the page, nothing changes.
    refused = officer.post(
        f"/console/repairs/{case.id}/steps",
        data={"csrf": csrf_of(page.text), "name": "refuse", "version": version},
    )
    assert refused.status_code == 400
    assert "理由" in refused.text
    accepted = officer.post(
        f"/console/repairs/{case.id}/steps",
        data={"csrf": csrf_of(page.text), "name": "accept", "version": version},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = officer.get(accepted.headers["location"])
    assert "已办理：受理" in page.text
    assert "决定予以修复" in page.text
    stale = officer.post(
        f"/console/repairs/{case.id}/steps",
        data={"csrf": csrf_of(page.text), "name": "approve", "version": version},
    )
    assert stale.status_code == 409  # the form of an older version
    # Another department's officer reaches neither the case nor its steps.
    other = _client(platform, "taxman")
    assert other.get(f"/console/repairs/{case.id}").status_code == 403
    assert f"办件 {case.id}" not in other.get("/console/repairs").text
    with platform.engine.connect() as conn:
        current = repair.get_repair(conn, case.id).version
    done = officer.post(
        f"/console/repairs/{case.id}/steps",
        data={
            "csrf": csrf_of(page.text),
            "name": "approve",
            "version": str(current),
            "note": "予以修复",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "已修复，停止公示" in officer.get(f"/console/repairs/{case.id}").text
    # The office draws October's re-check sample; the auditor reads it.
    clock.set(dt.datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    admin = _client(platform, "admin")
    form = admin.get("/console/repair-samples")
    assert form.status_code == 200
    assert "抽取复查样本" in form.text
    drawn = admin.post(
        "/console/repair-samples",
        data={"csrf": csrf_of(form.text), "month": "2026-10"},
        follow_redirects=False,
    )
    assert drawn.status_code == 303
    again = admin.post(
        "/console/repair-samples", data={"csrf": csrf_of(form.text), "month": "2026-10"}
    )
    assert again.status_code == 409
    assert "已抽取" in again.text
    auditor = _client(platform, "audit")
    view = auditor.get("/console/repair-samples")
    assert f"办件 {case.id}" in view.text
    assert "抽取复查样本" not in view.text
