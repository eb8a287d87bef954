"""The department officer's import journey in a real browser, at phone width and on a desktop,
on SQLite and PostgreSQL: sign in through the form → upload a file with two bad rows → see the
rejections → download the rejection file → upload the corrected file → the batch is accepted;
another department's batch is a 403 page. Every visit fails on console errors, CSP violations,
failed requests, requests to another host and serious accessibility violations."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import CONSOLE_PASSWORD, add_user, csv_bytes, penalty
from xinyong.demo.generator import department_uscc
from xinyong.identity.uscc import make_uscc
from xinyong.ledger.tables import batches

BAD_DATE = "2026-13-01"


def _rows(tag: str, *, fixed: bool) -> list[dict[str, str]]:
    """Four penalties of scjg; without ``fixed`` the second and fourth have a date that does
    not exist (lines 3 and 5 of the file, after its header)."""
    rows = []
    for i in range(1, 5):
        bad = not fixed and i in (2, 4)
        rows.append(
            penalty(
                CF_WSH=f"陕市监罚〔2026〕{tag}-{i}号",
                CF_XDR_SHXYM=make_uscc("9", "1", "610102", f"MB{tag[:4].upper()}{i:02d}"),
                CF_JDRQ=BAD_DATE if bad else "2026-06-10",
                CF_CFJGDM=department_uscc("scjg"),
                CF_SJLYDM=department_uscc("scjg"),
            )
        )
    return rows


def _upload(visit: Visit, name: str, data: bytes) -> None:
    page = visit.page
    page.set_input_files("#file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.get_by_label("目录信息项").select_option("XZCF")


def test_officer_uploads_downloads_rejections_and_resends(
    visit: Visit, live_site: LiveSite, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    officer = f"officer_{tag}"
    add_user(live_site.platform, officer, "department_officer", "scjg")
    visit.console_sign_in(officer, CONSOLE_PASSWORD)
    page = visit.page
    page.get_by_role("link", name="报送与退回").first.click()
    page.wait_for_url("**/console/imports")
    assert page.get_by_role("heading", name="报送文件").is_visible()
    visit.no_horizontal_scroll()
    visit.check("console-imports")

    rows = _rows(tag, fixed=False)
    _upload(visit, f"penalties-{tag}.csv", csv_bytes(rows))
    page.get_by_role("button", name="上传并报送").click()
    page.wait_for_url(re.compile(r".*/console/imports/\d+$"))
    first_batch = page.url.rsplit("/", 1)[1]
    assert page.get_by_role("heading", name=re.compile(f"批次 {first_batch}")).is_visible()
    rejected = page.locator("table.rejections tr td.num")
    assert sorted(rejected.all_inner_texts()) == ["3", "5"]
    assert "日期不存在" in page.locator("table.rejections").inner_text()
    visit.no_horizontal_scroll()
    visit.check("console-imports-batch")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载退回文件").click()
    download = download_info.value
    assert download.suggested_filename == f"penalties-{tag}.rejected.csv"
    saved = tmp_path / "rejections.csv"
    download.save_as(saved)
    back = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert [r["原行号"] for r in back] == ["3", "5"]
    assert [r["CF_WSH"] for r in back] == [rows[1]["CF_WSH"], rows[3]["CF_WSH"]]
    assert all("日期" in r["错误原因"] for r in back)

    # The corrected rows, sent again from the batch's own 重新报送 form (its item chosen).
    fixed = [r for r in _rows(tag, fixed=True) if r["CF_WSH"] in {b["CF_WSH"] for b in back}]
    page.set_input_files(
        "#file",
        files=[{"name": f"fixed-{tag}.csv", "mimeType": "text/csv", "buffer": csv_bytes(fixed)}],
    )
    assert page.get_by_label("目录信息项").input_value() == "XZCF"
    page.get_by_role("button", name="重新报送").click()
    page.wait_for_url(re.compile(r".*/console/imports/\d+$"))
    second_batch = page.url.rsplit("/", 1)[1]
    assert second_batch != first_batch
    counts = page.locator("ul.counts").inner_text()
    assert re.search(r"2\s*接收", counts), counts
    assert re.search(r"0\s*拒收", counts), counts
    assert page.locator("table.rejections").count() == 0
    visit.check("console-imports-resent")

    # The history lists both, newest first.
    page.get_by_role("link", name="返回报送记录").click()
    page.wait_for_url("**/console/imports")
    links = page.locator("table.imports a").all_inner_texts()
    assert links[:2] == [second_batch, first_batch]

    # Another department's batch, typed into the address bar: the 403 page.
    with live_site.platform.engine.connect() as conn:
        other = conn.execute(
            select(batches.c.id).where(batches.c.department_code != "scjg").limit(1)
        ).scalar_one()
    visit.open(f"/console/imports/{other}", status=403)
    assert page.get_by_role("heading", name="无权访问").is_visible()
    assert "本账号属于部门“scjg”，只能查看本部门的批次" in page.inner_text("main")
    visit.check("console-imports-403")


def test_a_large_file_is_a_job_whose_page_follows_it_then_the_office_reviews(
    visit: Visit, live_site: LiveSite
) -> None:
    platform = live_site.platform
    tag = uuid.uuid4().hex[:6]
    officer, admin = f"officer_{tag}", f"admin_{tag}"
    add_user(platform, officer, "department_officer", "scjg")
    add_user(platform, admin, "office_admin")
    saved = platform.settings
    # Every file is "large": the upload is spooled and imported as a job.
    platform.settings = saved.model_copy(update={"async_import_bytes": 0})
    try:
        visit.console_sign_in(officer, CONSOLE_PASSWORD)
        visit.open("/console/imports")
        page = visit.page
        _upload(visit, f"job-{tag}.csv", csv_bytes(_rows(tag, fixed=False)))
        page.get_by_role("button", name="上传并报送").click()
        page.wait_for_url(re.compile(r".*/console/imports/jobs/[0-9a-f]{32}$"))
        # The page reloads itself (meta refresh, no script) until the job is done.
        page.get_by_text("已完成").wait_for(timeout=60_000)
        assert page.locator('meta[http-equiv="refresh"]').count() == 0
        assert "拒收 2" in page.inner_text("main")
        visit.check("console-imports-job")
        page.get_by_role("link", name=re.compile("查看批次")).click()
        page.wait_for_url(re.compile(r".*/console/imports/\d+$"))
        batch_path = "/console/imports/" + page.url.rsplit("/", 1)[1]
        assert sorted(page.locator("table.rejections tr td.num").all_inner_texts()) == ["3", "5"]
    finally:
        platform.settings = saved
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/console/login")

    # The office: every department's history, for a stated purpose; rejected values masked.
    visit.console_sign_in(admin, CONSOLE_PASSWORD)
    page.get_by_role("link", name="报送与退回").first.click()
    page.wait_for_url("**/console/imports")
    assert page.locator("table.imports").count() == 0
    page.get_by_label("部门").select_option("scjg")
    page.get_by_label("查询用途（必填，记入审计日志）").fill("数据质量检查")
    page.get_by_role("button", name="查看报送记录").click()
    page.wait_for_url("**/console/imports?*")
    assert page.locator("table.imports").first.is_visible()
    visit.no_horizontal_scroll()
    visit.check("console-imports-office")
    page.locator(f'table.imports a[href^="{batch_path}?"]').first.click()
    page.wait_for_url(re.compile(r".*/console/imports/\d+\?purpose=.*"))
    assert page.get_by_role("heading", name="拒收的行").is_visible()
    assert page.get_by_role("button", name="重新报送").count() == 0
    visit.check("console-imports-office-batch")
