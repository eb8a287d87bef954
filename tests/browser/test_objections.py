"""The objection journey in a real browser, on SQLite and PostgreSQL: a market entity signs in,
objects to one of its penalties and sees it marked 异议处理中 on its own file and on the public
subject page; the providing department's officer accepts it in the console and decides to
correct it; the public page shows the corrected record and the 更正公告 where it was. Every
page goes through ``conftest.Visit`` (console errors, CSP, foreign requests, axe)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import CONSOLE_PASSWORD, add_user
from xinyong.creditfile.service import build_credit_file
from xinyong.identity import repository as identity_repo
from xinyong.objections import repository as objections_repo
from xinyong.portal.rules import item_tab
from xinyong.selfservice import accounts

PASSWORD = "Browser-Objection-2026"
CORRECTED = "违法事实经异议核查更正（浏览器测试）"


def _fresh_penalty(site: LiveSite) -> tuple[str, int, str]:
    """(USCC, entry, department) of a public penalty of a demo organisation that has never
    had an objection (the demo stages some; each run of this test adds one)."""
    platform = site.platform
    with platform.engine.connect() as conn:
        for s in identity_repo.search_subjects(conn, "", limit=10_000):
            key = s["key"]
            if key == site.subject_code or s["kind"] == "person" or key.startswith("P"):
                continue
            if objections_repo.find(conn, subject_key=key, limit=1)[1]:
                continue
            cf = build_credit_file(
                conn,
                platform.catalogue,
                key,
                as_of=platform.clock.today(),
                view="public",
                sanctions=platform.sanctions,
            ).as_dict()
            for group in cf["groups"]:
                for item in group["items"]:
                    if item["item"] == "XZCF" and item["records"]:
                        rec = item["records"][0]
                        return key, int(rec["entry_id"]), rec["provenance"]["department"]["code"]
    raise AssertionError("no demo organisation with a public penalty and no objection")


def test_subject_objects_department_corrects(
    tab: Callable[[str], Visit], live_site: LiveSite
) -> None:
    platform = live_site.platform
    uscc, entry, department = _fresh_penalty(live_site)
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code

    subject = tab("objection-subject")
    page = subject.page
    subject.open("/account/activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    page.locator(f'a[href="/account/objections/new?entry={entry}"]').click()
    page.wait_for_url("**/account/objections/new?entry=*")
    assert page.get_by_role("heading", level=1).inner_text() == "提出异议"
    subject.check("objection-form")
    page.get_by_label("异议事由").select_option("wrong_content")
    page.locator("#statement").fill("公示的违法事实与处罚决定书不一致，请核查更正")
    page.get_by_role("button", name="提交异议").click()
    page.wait_for_url("**/account/objections/*")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "已提交，待推送/受理" in heading
    assert "异议处理中" in heading
    objection = int(page.url.rsplit("/", 1)[1])
    subject.check("objection-filed")

    subject.open("/account")
    assert page.locator(f"#e{entry} .tag.objection").inner_text() == "异议处理中"
    subject.check("objection-own-file-marked")
    public_page = f"/subjects/{uscc}?tab={item_tab(platform.catalogue, 'XZCF')}"
    subject.open(public_page)
    assert page.locator(f"#e{entry} .tag.objection").inner_text() == "异议处理中"
    subject.check("objection-public-marked")

    officer_name = f"obj_{uuid.uuid4().hex[:8]}"
    add_user(platform, officer_name, "department_officer", department)
    officer = tab("objection-officer")
    opage = officer.page
    officer.console_sign_in(officer_name, CONSOLE_PASSWORD)
    opage.get_by_role("link", name="异议办理").click()
    opage.wait_for_url("**/console/objections")
    officer.check("objection-console-inbox")
    opage.get_by_role("link", name=f"异议 {objection}", exact=True).click()
    opage.wait_for_url(f"**/console/objections/{objection}")
    officer.check("objection-console-submitted")
    opage.get_by_role("button", name="受理", exact=True).click()
    opage.wait_for_url(f"**/console/objections/{objection}?done=accept")
    assert "已办理：受理" in opage.get_by_role("status").inner_text()
    opage.locator("#outcome-decide").select_option("correct")
    opage.locator("#field-0").select_option("CF_SY")
    opage.locator("#value-0").fill(CORRECTED)
    opage.locator("#reason-decide").fill("经核查，报送时违法事实录入有误，已按处罚决定书更正")
    opage.get_by_role("button", name="作出核查决定").click()
    opage.wait_for_url(f"**/console/objections/{objection}?done=decide")
    assert "已办结" in opage.locator("table.case-facts").inner_text()
    officer.check("objection-console-decided")

    subject.open(public_page)
    main = page.inner_text("main")
    assert CORRECTED in main
    assert "更正公告" in page.locator(".correction-notice").first.inner_text()
    # The wrong entry is superseded: the record now shows under its correcting entry, unmarked.
    assert page.locator(f"#e{entry}").count() == 0
    corrected = page.locator("table.record", has_text=CORRECTED)
    assert corrected.locator(".tag.objection").count() == 0
    subject.check("objection-public-corrected")
    subject.open("/account/objections")
    listing = page.inner_text("main")
    assert "更正" in listing
    assert "经核查，报送时违法事实录入有误" in listing
    subject.check("objection-own-list")
