"""The console's imports (web/routes/console_imports.py) on both engines, through the real
application: an officer uploads as their department, sees the batch's rejections (masked),
downloads the rejection file (the API's, byte for byte) and sends the corrected file again;
other departments, other roles, bad forms and oversized files are refused, nothing written."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import (
    add_department,
    add_user,
    console_sign_in,
    counts,
    csrf_of,
    csv_bytes,
    penalty,
    person_penalty,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.ingest.tables import import_jobs
from xinyong.kernel.settings import Settings
from xinyong.ledger.tables import batches
from xinyong.web.app import create_app

BAD_DATE = "2026-13-01"
PERSON_ID = resident_id("610102", "19900307", "456")


def _good(i: int) -> dict[str, str]:
    return penalty(
        CF_WSH=f"陕市监罚〔2026〕{i}号", CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MA{i:06d}")
    )


def _bad_file() -> bytes:
    """Three good rows and two bad ones (lines 4 and 6 of the file, after its header): a bad
    date, and a person's bad date."""
    rows = [
        _good(1),
        _good(2),
        penalty(CF_WSH="陕市监罚〔2026〕3号", CF_JDRQ=BAD_DATE),
        _good(4),
        person_penalty(PERSON_ID, CF_WSH="陕市监罚〔2026〕5号", CF_JDRQ=BAD_DATE),
    ]
    return csv_bytes(rows)


def _fixed_file() -> bytes:
    return csv_bytes(
        [
            penalty(CF_WSH="陕市监罚〔2026〕3号"),
            person_penalty(PERSON_ID, CF_WSH="陕市监罚〔2026〕5号"),
        ]
    )


def _client(platform: Platform, name: str | None = None) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    if name is not None:
        assert console_sign_in(client, name).status_code == 303
    return client


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


def _upload(
    client: TestClient, data: bytes, *, item: str = "XZCF", name: str = "penalties.csv"
) -> Any:
    page = client.get("/console/imports")
    assert page.status_code == 200, page.text
    return client.post(
        "/console/imports",
        data={"csrf": csrf_of(page.text), "item": item},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


@pytest.fixture
def staff(platform: Platform) -> dict[str, Any]:
    key = add_department(platform)  # scjg
    other = add_department(platform, "swj", "taxation")
    return {
        "key": key,
        "other_key": other,
        "officer": add_user(platform, "officer", "department_officer", "scjg"),
        "other": add_user(platform, "other", "department_officer", "swj"),
        "admin": add_user(platform, "admin", "office_admin"),
        "auditor": add_user(platform, "auditor", "auditor"),
        "inspector": add_user(platform, "inspector", "inspector"),
    }


def test_officer_uploads_sees_rejections_downloads_and_resends(
    platform: Platform, staff: dict[str, Any]
) -> None:
    client = _client(platform, "officer")
    resp = _upload(client, _bad_file())
    assert resp.status_code == 303, resp.text
    batch_url = resp.headers["location"]
    batch_id = int(batch_url.rsplit("/", 1)[1])
    page = client.get(batch_url)
    assert page.status_code == 200
    text = page.text
    assert f"批次 {batch_id}：行政处罚信息（XZCF）" in text
    rejected_rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td>', text)
    assert {int(n) for n, _ in rejected_rows} == {4, 6}
    assert "下载退回文件" in text
    assert "重新报送" in text
    # Values masked on the page: the person's ID number never appears.
    assert PERSON_ID not in text
    assert "拒收" in text
    with platform.engine.connect() as conn:
        stored = conn.execute(
            select(batches.c.department_code, batches.c.accepted, batches.c.rejected)
            .add_columns(batches.c.channel)
            .where(batches.c.id == batch_id)
        ).one()
    assert tuple(stored) == ("scjg", 3, 2, "console")
    [imported] = _audit(platform, "import")
    assert imported["actor"] == f"user:{staff['officer']}:officer"
    [read] = _audit(platform, "read_batch")
    assert read["purpose"] == "查看本部门报送结果（控制台）"

    # The rejection file is the API's, byte for byte, with the clear values for the sender.
    download = client.get(f"{batch_url}/rejections")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    api = client.get(
        f"/api/v1/batches/{batch_id}/rejections",
        params={"purpose": "核对"},
        headers={"X-API-Key": staff["key"]},
    )
    assert api.status_code == 200
    assert download.content == api.content
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [r["原行号"] for r in rows] == ["4", "6"]
    assert rows[1]["CF_XDR_ZJHM"] == PERSON_ID  # the sender's own row, as sent
    assert all(r["错误原因"] for r in rows)
    downloads = _audit(platform, "download_rejections")
    assert downloads[0]["actor"] == f"user:{staff['officer']}:officer"
    assert '"clear": true' in downloads[0]["detail"]

    # The corrected file: a new batch, everything accepted.
    resent = _upload(client, _fixed_file(), name="penalties-fixed.csv")
    assert resent.status_code == 303
    second = client.get(resent.headers["location"])
    assert re.search(r'<li class="good"><span class="n">2</span>接收</li>', second.text)
    assert "拒收的行" not in second.text
    listing = client.get("/console/imports")
    ids = [int(i) for i in re.findall(r'href="/console/imports/(\d+)"', listing.text)]
    assert ids[:2] == sorted(ids[:2], reverse=True)
    assert "行政处罚信息（XZCF）" in listing.text
    assert _audit(platform, "read_batches")

    # The same file again adds nothing and says which batch has it.
    before = counts(platform)
    again = _upload(client, _fixed_file(), name="penalties-fixed.csv")
    assert again.status_code == 200
    assert "该文件此前已报送" in again.text
    assert counts(platform) == before


def test_another_departments_batch_job_and_file_are_refused(
    platform: Platform, staff: dict[str, Any], settings: Settings
) -> None:
    officer = _client(platform, "officer")
    batch_url = _upload(officer, _bad_file()).headers["location"]
    other = _client(platform, "other")
    before = len(_audit(platform, "read_batch")), len(_audit(platform, "download_rejections"))
    for url in (batch_url, f"{batch_url}/rejections"):
        resp = other.get(url)
        assert resp.status_code == 403, url
        assert "本部门" in resp.text
        assert "<html" in resp.text
    # As the API: refused before anything is read, so nothing to audit.
    after = len(_audit(platform, "read_batch")), len(_audit(platform, "download_rejections"))
    assert after == before
    assert other.get("/console/imports?department=scjg").status_code == 403
    # The other department's history does not list the batch.
    assert batch_url not in other.get("/console/imports").text
    missing = officer.get("/console/imports/999999")
    assert missing.status_code == 404
    assert "批次 999999 不存在" in missing.text
    assert officer.get("/console/imports/jobs/" + "0" * 32).status_code == 404


def test_office_and_auditor_state_a_purpose_and_get_masked_files(
    platform: Platform, staff: dict[str, Any]
) -> None:
    officer = _client(platform, "officer")
    batch_url = _upload(officer, _bad_file()).headers["location"]
    for name in ("admin", "auditor"):
        client = _client(platform, name)
        ask = client.get("/console/imports")
        assert ask.status_code == 200
        assert "查询用途" in ask.text
        assert batch_url not in ask.text
        listed = client.get("/console/imports", params={"department": "scjg", "purpose": "检查"})
        assert f'href="{batch_url}?purpose=' in listed.text
        rows = [r for r in _audit(platform, "read_batches") if name in r["actor"]]
        assert rows
        assert rows[-1]["purpose"] == "检查"
        assert "查询用途" in client.get(batch_url).text  # nothing shown without one
        page = client.get(batch_url, params={"purpose": "检查"})
        assert "拒收的行" in page.text
        assert "重新报送" not in page.text
        file = client.get(f"{batch_url}/rejections", params={"purpose": "检查"})
        assert file.status_code == 200
        assert PERSON_ID not in file.content.decode("utf-8-sig")
        # No upload for them: the guard refuses before the body is read.
        refused = client.post(
            "/console/imports",
            data={"csrf": csrf_of(ask.text)},
            files={"file": ("p.csv", _fixed_file(), "text/csv")},
        )
        assert refused.status_code == 403
        assert "请求体未读取" in refused.text
    inspector = _client(platform, "inspector")
    assert inspector.get("/console/imports").status_code == 403
    assert inspector.get(batch_url).status_code == 403


def test_refused_uploads_write_nothing(platform: Platform, staff: dict[str, Any]) -> None:
    client = _client(platform, "officer")
    before = counts(platform)
    # No CSRF token.
    no_csrf = client.post(
        "/console/imports",
        data={"csrf": "0" * 64},
        files={"file": ("p.csv", _bad_file(), "text/csv")},
    )
    assert no_csrf.status_code == 403
    # An unknown item, an empty file, a file that is not a table.
    unknown = _upload(client, _bad_file(), item="NOPE")
    assert 400 <= unknown.status_code < 500
    assert "NOPE" in unknown.text
    empty = _upload(client, b"")
    assert empty.status_code == 422
    assert "文件为空" in empty.text
    garbage = _upload(client, "名称\n".encode() + b"\xff\xfe\x00" * 50)
    assert 400 <= garbage.status_code < 500
    assert '<p class="error" role="alert">' in garbage.text
    # Without a session: 401 before the body is read.
    anonymous = _client(platform).post(
        "/console/imports", files={"file": ("p.csv", _bad_file(), "text/csv")}
    )
    assert anonymous.status_code == 401
    assert "请先登录控制台" in anonymous.text
    assert counts(platform) == before


def test_an_oversized_upload_is_a_chinese_page_and_writes_nothing(
    platform: Platform, staff: dict[str, Any]
) -> None:
    # A small import limit: under the guard's (limit + multipart allowance), the reader
    # refuses it (422); past the guard's, the guard does before reading it (413).
    platform.settings = platform.settings.model_copy(update={"max_import_bytes": 4096})
    client = _client(platform, "officer")
    before = counts(platform)
    big = csv_bytes([_good(i) for i in range(1, 40)])
    assert len(big) > 4096
    over = _upload(client, big)
    assert over.status_code == 422
    assert "MiB" in over.text or "字节" in over.text
    huge = big * 40
    assert len(huge) > 4096 + 64 * 1024
    page = client.get("/console/imports")
    refused = client.post(
        "/console/imports",
        data={"csrf": csrf_of(page.text), "item": "XZCF"},
        files={"file": ("huge.csv", huge, "text/csv")},
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert "上传的文件过大" in refused.text
    assert "未导入" in refused.text
    assert counts(platform) == before


def test_a_large_file_becomes_a_job_whose_page_refreshes_until_done(
    platform: Platform, staff: dict[str, Any]
) -> None:
    platform.settings = platform.settings.model_copy(update={"async_import_bytes": 100})
    client = _client(platform, "officer")
    resp = _upload(client, _bad_file())
    assert resp.status_code == 303
    job_url = resp.headers["location"]
    assert re.fullmatch(r"/console/imports/jobs/[0-9a-f]{32}", job_url)
    job_id = job_url.rsplit("/", 1)[1]
    with platform.engine.connect() as conn:
        channel, department, actor = conn.execute(
            select(import_jobs.c.channel, import_jobs.c.department_code, import_jobs.c.actor)
        ).one()
    assert (channel, department, actor) == ("console", "scjg", f"user:{staff['officer']}:officer")
    end = time.monotonic() + 60
    while True:
        page = client.get(job_url)
        assert page.status_code == 200
        if "已完成" in page.text or time.monotonic() > end:
            break
        assert '<meta http-equiv="refresh" content="2">' in page.text
        time.sleep(0.1)
    assert 'http-equiv="refresh"' not in page.text
    found = re.search(r'href="/console/imports/(\d+)"', page.text)
    assert found is not None
    assert "拒收 2" in page.text
    # The job list shows it; another department's officer may not open it.
    assert job_id in client.get("/console/imports").text
    assert _client(platform, "other").get(job_url).status_code == 403
    # The office opens it for a stated purpose, audited as the API's poll is.
    admin = _client(platform, "admin")
    assert "查询用途" in admin.get(job_url).text
    assert "已完成" in admin.get(job_url, params={"purpose": "检查"}).text
    with platform.engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(import_jobs).where(import_jobs.c.state == "done")
        ).scalar_one()
    assert n == 1
    assert [r["purpose"] for r in _audit(platform, "read_import_job")] == ["检查"]
