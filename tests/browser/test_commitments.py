"""A subject signs a credit commitment on the portal and sees it published in the 信用承诺专栏;
the market regulator's officer records a 告知承诺's verification result in the console and the
subject page's 信用承诺 tab shows it fulfilled; in a real browser on SQLite and PostgreSQL (every page through ``conftest.Visit``: console
errors, CSP, foreign requests, axe)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveSite
from tests.helpers import add_user
from xinyong.commitments import service as commitments
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.selfservice import accounts

PASSWORD = "Browser-Commit-2026"


def test_a_subject_signs_a_commitment_and_sees_it_published(tab: Any, live_site: LiveSite) -> None:
    platform = live_site.platform
    deps = platform.commitment_deps()
    with platform.engine.connect() as conn:
        signed = {c["subject"]["code"] for c in commitments.find(conn, deps, limit=500)["items"]}
        company = next(
            s
            for s in identity_repo.search_subjects(conn, "", limit=10_000)
            if s["key"].startswith("91")
            and s["key"] != live_site.subject_code
            and s["name"]
            and s["key"] not in signed
        )
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=company["key"], days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code
    subject = tab("commitment-subject")
    page = subject.page
    subject.open("/account/activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(company["key"])
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    page.get_by_role("link", name="信用承诺", exact=True).click()
    page.wait_for_url("**/account/commitments")
    subject.check("subject-commitments")
    card = page.locator("#template-ZD_CXJY")
    card.get_by_label("本单位作出以上承诺").check()
    card.get_by_role("button", name="签署").click()
    page.wait_for_url("**/account/commitments")
    mine = page.locator("main").inner_text()
    assert "主动型诚信经营承诺书" in mine
    assert "履约中" in mine
    subject.check("subject-commitment-signed")

    public = tab("commitment-public")
    public.open("/commitments?type=4")
    text = public.page.inner_text("main")
    assert company["name"] in text
    assert "主动型诚信经营承诺书" in text
    public.check("public-commitments")


def test_an_officer_records_a_verification_result_in_the_console(
    tab: Any, live_site: LiveSite
) -> None:
    platform = live_site.platform
    deps = platform.commitment_deps()
    with platform.engine.connect() as conn:
        waiting = next(
            c
            for c in commitments.find(
                conn, deps, department_code="scjg", status="signed", type_="1", limit=100
            )["items"]
            if c["fulfilment"] == "verification"
        )
    cid, uscc = waiting["id"], waiting["subject"]["code"]
    officer = f"commit_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)

    staff = tab("commitment-officer")
    spage = staff.page
    staff.console_sign_in(officer)
    spage.get_by_role("link", name="信用承诺", exact=True).first.click()
    spage.wait_for_url("**/console/commitments")
    staff.check("console-commitments")
    spage.get_by_role("link", name=f"承诺 {cid}", exact=True).click()
    spage.wait_for_url(f"**/console/commitments/{cid}")
    assert "履约中" in spage.inner_text("main")
    section = spage.locator("section.step", has_text="核查结果")
    section.get_by_label("属实（已履约）").check()
    section.locator("textarea").fill("现场核查，经营条件与承诺一致")
    section.get_by_role("button", name="核查").click()
    spage.wait_for_url("**done=verify")
    text = spage.inner_text("main")
    assert "已办理：核查" in text
    assert "已履约" in text
    assert "现场核查，经营条件与承诺一致" in text
    staff.check("console-commitment-verified")
    spage.get_by_role("link", name="返回信用承诺").click()
    spage.get_by_role("link", name="承诺类型、事项与承诺书模板").click()
    spage.wait_for_url("**/console/commitment-templates")
    assert "食品经营许可告知承诺书" in spage.inner_text("main")
    staff.check("console-commitment-templates")

    public = tab("commitment-subject-page")
    public.open(f"/subjects/{uscc}?tab=commitment")
    shown = public.page.inner_text("main")
    assert "已履约" in shown
    assert "食品经营" in shown
    public.check("public-subject-commitments")
