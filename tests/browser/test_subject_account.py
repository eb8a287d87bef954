"""A market entity's journey in a real browser: activate its account with the office's code,
read its own complete file (what is not public included), sign out and in again; its session
opens no console page. At phone width and on a desktop, on SQLite and PostgreSQL, with the
harness's checks (console errors, CSP, other hosts, axe)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveSite, Visit
from xinyong.creditfile.service import build_credit_file
from xinyong.identity import repository as identity_repo
from xinyong.selfservice import accounts

PASSWORD = "Browser-Subject-2026"


_FOUND: dict[str, str] = {}


def _subject_with_hidden_records(platform: Any) -> str:
    """An organisation of the demo province with a record the public does not see (and one
    it does), once per live site."""
    url = str(platform.engine.url)
    if url not in _FOUND:
        _FOUND[url] = _search(platform)
    return _FOUND[url]


def _search(platform: Any) -> str:
    with platform.engine.connect() as conn:
        for s in identity_repo.search_subjects(conn, "", limit=10_000):
            if s["kind"] == "person":
                continue
            cf = build_credit_file(
                conn,
                platform.catalogue,
                s["key"],
                as_of=platform.clock.today(),
                view="internal",
                sanctions=platform.sanctions,
            ).as_dict()
            statuses = [
                r["publication"]["status"]
                for g in cf["groups"]
                for i in g["items"]
                for r in i["records"]
            ]
            if any(st != "公示中" for st in statuses) and "公示中" in statuses:
                return str(s["key"])
    raise AssertionError("the demo province has no organisation with a record not public")


def _issue(live_site: LiveSite, uscc: str) -> str:
    platform = live_site.platform
    with platform.engine.begin() as conn:
        return accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code


def test_activate_read_the_own_file_sign_out_and_in(visit: Visit, live_site: LiveSite) -> None:
    uscc = _subject_with_hidden_records(live_site.platform)
    code = _issue(live_site, uscc)  # a new code each run: it resets the password
    page = visit.page
    visit.open("/account/login")
    assert page.get_by_role("heading", level=1).inner_text() == "主体账户登录"
    visit.no_horizontal_scroll()
    visit.check("subject-login")

    page.get_by_role("link", name="激活主体账户").click()
    page.wait_for_url("**/account/activate")
    visit.no_horizontal_scroll()
    visit.check("subject-activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "本主体完整信用信息（含未公开信息）"
    assert uscc in page.locator("table.facts").inner_text()
    assert page.locator(".tag.not-public").count() >= 1
    assert "即将提供" in page.inner_text("main")
    visit.no_horizontal_scroll()
    visit.check("subject-own-file")

    # The subject's session is not a console session.
    visit.open("/console")
    assert page.url.endswith("/console/login")
    visit.open("/account")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/account/login")
    visit.open("/account")
    assert page.url.endswith("/account/login")

    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("口令", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/account")
    assert page.locator(".tag.not-public").count() >= 1
    visit.check("subject-signed-in-again")


def test_a_wrong_code_is_one_message(visit: Visit, live_site: LiveSite) -> None:
    uscc = _subject_with_hidden_records(live_site.platform)
    page = visit.page
    visit.open("/account/activate")
    visit.expect_error_status("/account/activate", 401)
    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("激活码").fill("AAAA-BBBB-CCCC-DDDD-EEEE")
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_load_state("networkidle")
    alert = page.get_by_role("alert").inner_text()
    assert alert == "统一社会信用代码或激活码有误，或激活码已过期、已使用"
    visit.check("subject-activate-refused")
