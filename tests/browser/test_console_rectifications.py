"""Rectification in a real browser, on SQLite and PostgreSQL: the department that made a
finding sees its order in the console inbox, schedules a 警示约谈, and on the day records it
(attendees by role and name, minutes, agreed actions); the 约谈记录 enters the subject's
ledger. Every page goes through ``conftest.Visit`` (console errors, CSP, foreign requests,
axe)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import LiveSite
from tests.helpers import add_user, csv_bytes, penalty
from xinyong.cases import repository as cases_repo
from xinyong.demo.generator import department_uscc
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.ledger import service as ledger
from xinyong.ledger.tables import entries
from xinyong.rectifications import service as rect


def _ordered(site: LiveSite) -> tuple[int, str]:
    """A rectification ordered by the market regulator on a penalty it reported, for a demo
    company no case concerns yet: (case id, company key)."""
    platform = site.platform
    with platform.engine.connect() as conn:
        company = next(
            s
            for s in identity_repo.search_subjects(conn, "", limit=10_000)
            if s["key"].startswith("91")
            and s["key"] != site.subject_code
            and s["name"]
            and not cases_repo.cases_of_subject(conn, s["key"])
        )
    number = f"陕市监罚〔2026〕整改{platform.engine.dialect.name}号"
    row = penalty(
        CF_XDR_MC=company["name"],
        CF_XDR_SHXYM=company["key"],
        CF_WSH=number,
        CF_JDRQ="2026-05-05",
        CF_CFJGDM=department_uscc("scjg"),
        CF_SJLYDM=department_uscc("scjg"),
    )
    platform.importer().import_bytes(
        csv_bytes([row]), filename="z.csv", department_code="scjg", item_code="XZCF"
    )
    with platform.engine.connect() as conn:
        record = int(
            conn.execute(
                select(entries.c.id)
                .where(entries.c.subject_key == company["key"], entries.c.item_code == "XZCF")
                .order_by(entries.c.id.desc())
            )
            .scalars()
            .first()
            or 0
        )
    with platform.transaction() as conn:
        case = rect.order(
            conn,
            platform.rectification_deps(),
            record=record,
            obligation="停止违法行为并补缴罚款",
            deadline=dt.date(2026, 7, 15),
            actor="department:browser",
            role="department",
            department_code="scjg",
            now=platform.clock.now(),
        )
    return case.id, company["key"]


def test_the_department_schedules_and_records_an_interview(tab: Any, live_site: LiveSite) -> None:
    platform = live_site.platform
    clock = platform.clock
    assert isinstance(clock, FixedClock)
    started = clock.now()
    case_id, company = _ordered(live_site)
    officer = f"rect_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    staff = tab("rectification-officer")
    page = staff.page

    def sign_in() -> None:
        staff.console_sign_in(officer)

    try:
        sign_in()
        staff.open("/console/rectifications")
        staff.check("console-rectifications")
        page.get_by_role("link", name=f"办件 {case_id}").click()
        page.wait_for_url(f"**/console/rectifications/{case_id}")
        assert "已责令限期整改" in page.inner_text("main")
        staff.check("console-rectification-ordered")
        page.get_by_label("约谈类型").select_option("WARNING")
        page.get_by_label("约谈日期").fill("2026-06-22")
        page.get_by_label("约谈地点").fill("市场监管局三楼会议室")
        page.get_by_role("button", name="安排约谈").click()
        page.wait_for_url("**done=schedule")
        assert "已安排约谈" in page.inner_text("main")
        assert "警示约谈" in page.inner_text("main")
        clock.set(dt.datetime(2026, 6, 22, 15, 0, tzinfo=CHINA_TZ))
        # A week later the console session has expired: sign in again.
        sign_in()
        staff.open(f"/console/rectifications/{case_id}")
        page.get_by_label("职务 1", exact=True).fill("法定代表人")
        page.get_by_label("姓名 1", exact=True).fill("王经理")
        page.get_by_label("职务 3", exact=True).fill("执法科科长")
        page.get_by_label("姓名 3", exact=True).fill("李科长")
        page.get_by_label("约谈纪要").fill("告知整改不到位将依法提出列入名单建议")
        page.get_by_label("措施 1", exact=True).fill("补缴罚款并提交整改报告")
        page.get_by_label("完成日期 1", exact=True).fill("2026-07-10")
        staff.check("console-rectification-record-form")
        page.get_by_role("button", name="记录约谈").click()
        page.wait_for_url("**done=hold")
        text = page.inner_text("main")
        assert "已约谈，整改中" in text
        assert "被约谈主体 法定代表人 王经理" in text
        assert "补缴罚款并提交整改报告（2026-07-10前）" in text
        staff.check("console-rectification-held")
    finally:
        clock.set(started)
    with platform.engine.connect() as conn:
        ids = (
            conn.execute(
                select(entries.c.id).where(
                    entries.c.subject_key == company, entries.c.item_code == "YTJL"
                )
            )
            .scalars()
            .all()
        )
        (entry,) = [ledger.entry(conn, i) for i in ids]
    assert entry.payload["YT_YTLX"] == "警示约谈"
    assert not entry.public
