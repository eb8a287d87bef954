"""Voluntary registration in a real browser, on SQLite and PostgreSQL: a demo company signs in,
registers a qualification certificate with the truthfulness commitment and the authorisation
(refused, with the reason, while the authorisation is not ticked); the market regulator's
officer verifies it in the console; it shows on the public subject page under 其他, marked
自主申报. Every page goes through ``conftest.Visit`` (console errors, CSP, foreign requests,
axe)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveSite
from tests.helpers import add_user
from xinyong.cases import repository as cases_repo
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.selfservice import accounts

PASSWORD = "Browser-Voluntary-2026"


def _company(site: LiveSite) -> str:
    """A demo company no case concerns yet and without a subject account."""
    with site.platform.engine.connect() as conn:
        return str(
            next(
                s
                for s in reversed(identity_repo.search_subjects(conn, "", limit=10_000))
                if s["key"].startswith("91")
                and s["key"] != site.subject_code
                and s["name"]
                and not cases_repo.cases_of_subject(conn, s["key"])
            )["key"]
        )


def test_a_department_verifies_a_voluntary_registration_and_it_shows_on_the_subject_page(
    tab: Any, live_site: LiveSite
) -> None:
    platform = live_site.platform
    uscc = _company(live_site)
    number = f"ZZ-{platform.engine.dialect.name}-2026"
    officer = f"voluntary_scjg_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", "scjg", password=DEMO_PASSWORD)
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code

    subject = tab("voluntary-subject")
    page = subject.page
    subject.open("/account/activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    page.get_by_role("link", name="自愿注册信用信息").click()
    page.wait_for_url("**/account/voluntary")
    subject.check("subject-voluntary")

    def fill() -> Any:
        card = page.locator("#kind-QUALIFICATION")
        card.get_by_label("证书名称（必填）").fill("安全生产许可证")
        card.get_by_label("证书编号（必填）").fill(number)
        card.get_by_label("发证机关（必填）").fill("陕西省住房和城乡建设厅")
        card.get_by_label("发证日期（必填）").fill("2026-03-01")
        card.get_by_label("核验部门").select_option("scjg")
        card.get_by_label("本主体作出上述真实性承诺").check()
        return card

    # Without the authorisation: refused with the reason (400), nothing registered.
    subject.expect_error_status("/account/voluntary/register", 400)
    fill().get_by_role("button", name="注册“资质证书”").click()
    assert "未授权的信息不予注册" in page.locator("[role=alert]").inner_text()
    assert "我的自愿注册" not in page.inner_text("main")
    subject.check("subject-voluntary-refused")
    card = fill()
    card.get_by_label("本主体授权使用所填报的信息").check()
    card.get_by_role("button", name="注册“资质证书”").click()
    page.wait_for_url("**/account/voluntary/*")
    assert "已注册，待核验" in page.inner_text("main")
    subject.check("subject-voluntary-case")
    case_url = page.url
    case_id = case_url.rsplit("/", 1)[1]

    public = tab("voluntary-public")
    public.open(f"/subjects/{uscc}?tab=other")
    assert number not in public.page.inner_text("main")

    staff = tab("voluntary-officer")
    staff.console_sign_in(officer)
    spage = staff.page
    spage.get_by_role("link", name="自愿注册核验").click()
    spage.wait_for_url("**/console/voluntary")
    staff.check("console-voluntary")
    spage.get_by_role("link", name=f"自愿注册 {case_id}", exact=True).click()
    spage.wait_for_url(f"**/console/voluntary/{case_id}")
    section = spage.locator("section.step", has_text="核验通过")
    section.locator("textarea").fill("与发证机关数据核对一致")
    section.get_by_role("button", name="核验通过").click()
    spage.wait_for_url("**done=verify")
    assert "已核验，纳入信用记录" in spage.inner_text("main")
    staff.check("console-voluntary-verified")

    subject.open(case_url.split(subject.base.netloc, 1)[1])
    assert "已纳入本主体信用档案" in page.inner_text("main")
    public.open(f"/subjects/{uscc}?tab=other")
    text = public.page.inner_text("main")
    assert number in text
    assert "自主申报" in text
    public.check("public-voluntary")
