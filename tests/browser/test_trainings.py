"""Integrity education in a real browser, on SQLite and PostgreSQL: a department officer
creates a session in the console, records a demo company's attendance (its representative
masked) and issues the certificate; the company, signed in, sees the certificate on
/account/trainings. Every page goes through ``conftest.Visit`` (console errors, CSP, foreign
requests, axe)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.browser.conftest import LiveSite
from tests.helpers import add_user
from xinyong.commitments import repository as commitments_repo
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.selfservice import accounts
from xinyong.selfservice.tables import subject_accounts

PASSWORD = "Browser-Train-2026"


def test_a_session_its_attendance_and_the_subjects_certificate(
    tab: Any, live_site: LiveSite
) -> None:
    platform = live_site.platform
    with platform.engine.connect() as conn:
        company = next(
            s
            for s in identity_repo.search_subjects(conn, "", limit=10_000)
            if s["key"].startswith("91")
            and s["key"] != live_site.subject_code
            and s["name"]
            and not commitments_repo.trainings_of_subject(conn, s["key"])
            and conn.execute(
                select(subject_accounts.c.id).where(subject_accounts.c.uscc == s["key"])
            ).first()
            is None
        )
    officer = f"train_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    staff = tab("training-officer")
    page = staff.page
    staff.console_sign_in(officer)
    page.get_by_role("link", name="诚信教育").click()
    page.wait_for_url("**/console/trainings")
    assert "不得收费" in page.inner_text("main")
    page.get_by_label("培训名称").fill("失信主体诚信教育专题培训")
    page.get_by_label("培训地点").fill("市场监管局三楼会议室")
    page.get_by_role("button", name="创建培训").click()
    page.wait_for_url("**done=created")
    staff.check("console-training-created")
    page.get_by_label("统一社会信用代码", exact=True).fill(company["key"])
    page.get_by_label("参训的法定代表人姓名").fill("王建国")
    page.get_by_role("button", name="登记参训").click()
    page.wait_for_url("**done=attended")
    text = page.inner_text("main")
    assert "王**" in text
    assert "王建国" not in text
    page.get_by_role("button", name="发放证书").click()
    page.wait_for_url("**done=certified")
    text = page.inner_text("main")
    assert "已发放证书" in text
    assert "PX" in text
    staff.check("console-training")
    staff.open("/console/trainings")
    staff.check("console-trainings")

    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=company["key"], days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code
    subject = tab("training-subject")
    spage = subject.page
    subject.open("/account/activate")
    spage.get_by_label("统一社会信用代码", exact=True).fill(company["key"])
    spage.get_by_label("激活码").fill(code)
    spage.get_by_label("设置口令").fill(PASSWORD)
    spage.get_by_label("再次输入口令").fill(PASSWORD)
    spage.get_by_role("button", name="激活").click()
    spage.wait_for_url("**/account")
    spage.get_by_role("link", name="诚信教育", exact=True).click()
    spage.wait_for_url("**/account/trainings")
    mine = spage.inner_text("main")
    assert "失信主体诚信教育专题培训" in mine
    assert "PX" in mine
    subject.check("subject-trainings")
