"""Uploads answered 202 and imported as jobs: the poll, who sees a job, crash recovery."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select, text

from tests.helpers import (
    add_department,
    csv_bytes,
    error_detail,
    penalty,
    person_penalty,
    resident_id,
    wait_for_job,
)
from xinyong.access import service as access
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.ingest.jobs import node_name
from xinyong.ingest.tables import import_jobs
from xinyong.ledger.tables import batches
from xinyong.web.app import create_app

ASYNC = {"Prefer": "respond-async"}


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform))


def _rows(n: int, start: int = 0) -> list[dict[str, str]]:
    return [
        penalty(
            CF_WSH=f"陕市监罚〔2026〕{start + i + 1}号",
            CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MA{start + i:06d}"),
        )
        for i in range(n)
    ]


def _upload(
    client: TestClient,
    key: str,
    data: bytes,
    *,
    name: str = "p.csv",
    headers: dict[str, str] | None = None,
) -> Any:
    return client.post(
        "/api/v1/imports",
        params={"item": "XZCF"},
        files={"file": (name, data, "text/csv")},
        headers={"X-API-Key": key, **(headers or {})},
    )


def _spool_files(platform: Platform) -> list[str]:
    spool = platform.settings.data_dir / "import-spool"
    return sorted(p.name for p in spool.iterdir()) if spool.exists() else []


def test_respond_async_answers_202_and_the_poll_gives_the_batch(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    rows = [*_rows(3), penalty(CF_WSH="坏行", CF_JDRQ="2026-13-01")]
    resp = _upload(client, key, csv_bytes(rows), headers=ASYNC)
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert set(body) == {"job_id", "state", "poll_url"}
    assert body["state"] == "queued"
    assert body["poll_url"] == f"/api/v1/imports/{body['job_id']}"
    assert resp.headers["location"] == body["poll_url"]

    job = wait_for_job(client, body["poll_url"], {"X-API-Key": key})
    assert job["state"] == "done", job
    assert job["progress"] == {"rows_done": 4, "rows_total": 4}
    assert job["result"]["accepted"] == 3
    assert job["result"]["rejected"] == 1
    assert job["result"]["resent"] is False
    assert job["error"] is None
    assert job["format"] == "csv"
    assert job["attempts"] == 1
    assert job["started_at"]
    assert job["finished_at"]
    batch_id = job["batch_id"]
    assert job["batch_url"] == f"/api/v1/batches/{batch_id}"
    assert job["rejection_file_url"] == f"/api/v1/batches/{batch_id}/rejections"
    got = client.get(job["batch_url"], params={"purpose": "核对"}, headers={"X-API-Key": key})
    assert got.status_code == 200, got.text
    assert (got.json()["accepted"], got.json()["rejected"]) == (3, 1)
    assert _spool_files(platform) == []  # the spool is gone once the job is done


def test_an_upload_over_the_threshold_is_a_job_and_a_small_one_is_answered_at_once(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    small = csv_bytes(_rows(1))
    large = csv_bytes(_rows(50, start=10))
    platform.settings.async_import_bytes = len(small) + 100
    at_once = _upload(client, key, small)
    assert at_once.status_code == 201, at_once.text
    assert at_once.json()["accepted"] == 1
    assert "job_id" not in at_once.json()
    later = _upload(client, key, large)
    assert later.status_code == 202, later.text
    job = wait_for_job(client, later.json()["poll_url"], {"X-API-Key": key})
    assert (job["state"], job["result"]["accepted"]) == ("done", 50)
    assert job["size_bytes"] == len(large)


def test_a_refused_file_fails_the_job_with_the_chinese_reason(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    resp = _upload(client, key, b"%PDF-1.4 not a table", name="scan.pdf", headers=ASYNC)
    assert resp.status_code == 202
    job = wait_for_job(client, resp.json()["poll_url"], {"X-API-Key": key})
    assert job["state"] == "failed"
    assert job["batch_id"] is None
    assert job["result"] is None
    assert job["error"]["code"] == "invalid_input"
    assert "PDF" in job["error"]["message"]
    assert _spool_files(platform) == []


def test_the_job_row_holds_no_personal_data_in_clear(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    number = resident_id()
    rows = [person_penalty(number), person_penalty(number, CF_WSH="2号", CF_JDRQ="2026-13-01")]
    resp = _upload(client, key, csv_bytes(rows), name=f"{number}.csv", headers=ASYNC)
    job = wait_for_job(client, resp.json()["poll_url"], {"X-API-Key": key})
    assert job["state"] == "done", job
    assert number not in json.dumps(job, ensure_ascii=False)
    with platform.engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM import_jobs")).all()
    assert number not in repr(stored)
    assert "李四" not in repr(stored)


def test_the_spool_is_readable_by_the_platform_user_only(platform: Platform) -> None:
    import io

    add_department(platform)
    gate = platform.import_gate
    gate.acquire()  # the job waits: its spool file is there to look at
    try:
        job = platform.import_jobs().submit(
            io.BytesIO(csv_bytes(_rows(1))),
            filename="p.csv",
            department_code="scjg",
            item_code="XZCF",
            channel="api",
            actor="client:1:scjg系统",
        )
        spool = platform.settings.data_dir / "import-spool"
        assert spool.stat().st_mode & 0o777 == 0o700
        assert (spool / f"{job['id']}.upload").stat().st_mode & 0o777 == 0o600
    finally:
        gate.release()


def test_concurrent_async_uploads_queue_and_all_land(
    client: TestClient, platform: Platform
) -> None:
    key = add_department(platform)
    answers = [
        _upload(client, key, csv_bytes(_rows(200, start=i * 1000)), headers=ASYNC) for i in range(3)
    ]
    assert [a.status_code for a in answers] == [202] * 3
    jobs = [wait_for_job(client, a.json()["poll_url"], {"X-API-Key": key}) for a in answers]
    assert [j["state"] for j in jobs] == ["done"] * 3, jobs
    assert [j["result"]["accepted"] for j in jobs] == [200] * 3
    assert len({j["batch_id"] for j in jobs}) == 3


def test_who_may_see_a_job(client: TestClient, platform: Platform) -> None:
    scjg = {"X-API-Key": add_department(platform)}
    other = {"X-API-Key": add_department(platform, "sthj", "ecology")}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        office = {"X-API-Key": access.issue_key(conn, "信用办", "office", None, now)}
        auditor = {"X-API-Key": access.issue_key(conn, "审计", "auditor", None, now)}
    resp = _upload(client, scjg["X-API-Key"], csv_bytes(_rows(1)), headers=ASYNC)
    url = resp.json()["poll_url"]
    wait_for_job(client, url, scjg)

    assert client.get(url).status_code == 401
    refused = client.get(url, headers=other)
    assert refused.status_code == 403
    assert error_detail(refused)["code"] == "permission_denied"
    unknown = client.get(f"/api/v1/imports/{uuid.uuid4().hex}", headers=scjg)
    assert unknown.status_code == 404
    # The department polls its own job without a purpose, and the poll writes nothing.
    with platform.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    assert client.get(url, headers=scjg).status_code == 200
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_log)).scalar_one() == audits
    # The office and auditors state a purpose, which the audit log keeps.
    for who in (office, auditor):
        missing = client.get(url, headers=who)
        assert missing.status_code == 422
        assert "用途" in error_detail(missing)["message"]
        seen = client.get(url, params={"purpose": "抽查报送"}, headers=who)
        assert seen.status_code == 200, seen.text
        assert seen.json()["department"] == "scjg"
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.action, audit_log.c.purpose, audit_log.c.target).where(
                audit_log.c.action == "read_import_job"
            )
        ).all()
    job_id = url.rsplit("/", 1)[1]
    assert [tuple(r) for r in rows] == [("read_import_job", "抽查报送", f"import_job:{job_id}")] * 2


@pytest.mark.parametrize(
    "job_id",
    ["abc", "0" * 33, "G" * 32, resident_id() + "0" * 14, "0" * 31 + "%00", "0" * 31 + "g"],
)
def test_a_malformed_job_id_is_a_422_that_does_not_echo_it(
    client: TestClient, platform: Platform, job_id: str
) -> None:
    key = {"X-API-Key": add_department(platform)}
    resp = client.get(f"/api/v1/imports/{job_id}", headers=key)
    assert resp.status_code in (404, 422), resp.text
    if resp.status_code == 422:
        detail = error_detail(resp)
        assert detail["fields"][0]["field"] == "job_id"
        assert "十六进制" in detail["fields"][0]["reason"] or "32" in detail["fields"][0]["reason"]
    assert resident_id() not in resp.text


# -- recovery after a crash ---------------------------------------------------------------


def _left_behind(
    platform: Platform,
    data: bytes | None,
    *,
    state: str = "running",
    attempts: int = 1,
    node: str | None = None,
) -> str:
    """A job row as a crash leaves it (and its spool file, unless ``data`` is None)."""
    job_id = uuid.uuid4().hex
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        conn.execute(
            insert(import_jobs).values(
                id=job_id,
                department_code="scjg",
                item_code="XZCF",
                source_name="left.csv",
                size_bytes=len(data or b""),
                format="csv",
                channel="api",
                actor="client:1:scjg系统",
                node=node or node_name(),
                state=state,
                phase="validating" if state == "running" else None,
                rows_done=0,
                attempts=attempts,
                created_at=now,
                started_at=now if state == "running" else None,
            )
        )
    if data is not None:
        spool = platform.settings.data_dir / "import-spool"
        spool.mkdir(parents=True, exist_ok=True)
        (spool / f"{job_id}.upload").write_bytes(data)
    return job_id


def test_jobs_a_crash_left_are_recovered_at_start(platform: Platform) -> None:
    key = {"X-API-Key": add_department(platform)}
    running = _left_behind(platform, csv_bytes(_rows(5)))
    queued = _left_behind(platform, csv_bytes(_rows(5, start=100)), state="queued", attempts=0)
    no_spool = _left_behind(platform, None)
    exhausted = _left_behind(platform, csv_bytes(_rows(5, start=200)), attempts=3)
    elsewhere = _left_behind(platform, None, node="another-host")
    # The crash came after the import committed and before the job row said so.
    committed_data = csv_bytes(_rows(4, start=300))
    first = platform.importer().import_bytes(
        committed_data, filename="c.csv", department_code="scjg", item_code="XZCF"
    )
    committed = _left_behind(platform, committed_data)

    with TestClient(create_app(platform)) as client:  # the lifespan: start-up recovers
        done = {
            j: wait_for_job(client, f"/api/v1/imports/{j}", key)
            for j in (running, queued, no_spool, exhausted, committed)
        }
        still = client.get(f"/api/v1/imports/{elsewhere}", headers=key).json()

    assert (done[running]["state"], done[running]["result"]["accepted"]) == ("done", 5)
    assert done[running]["attempts"] == 2
    assert (done[queued]["state"], done[queued]["result"]["accepted"]) == ("done", 5)
    assert done[no_spool]["state"] == "failed"
    assert done[no_spool]["error"]["code"] == "spool_missing"
    assert "重新报送" in done[no_spool]["error"]["message"]
    assert done[exhausted]["state"] == "failed"
    assert done[exhausted]["error"]["code"] == "too_many_attempts"
    assert done[committed]["state"] == "done"
    assert done[committed]["batch_id"] == first.batch_id  # the batch it made before the crash
    assert done[committed]["result"]["resent"] is True
    assert still["state"] == "running"  # another host's spool: not ours to judge
    assert _spool_files(platform) == []
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(batches)).scalar_one() == 3
