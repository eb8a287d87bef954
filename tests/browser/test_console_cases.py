"""The list-case journey in a real browser, on SQLite and PostgreSQL: the market regulator's
officer proposes a serious-violation listing of a demo company and takes the department's
steps, the credit office publishes it, it shows on the public list page and in the check
(逢办必查); revocation takes it off both. Another department's officer opening the case gets
403. Every page goes through ``conftest.Visit`` (console errors, CSP, foreign requests, axe)."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveSite, Visit
from tests.helpers import add_user
from xinyong.access import service as access
from xinyong.cases import repository as cases_repo
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo

LIST_TYPE = "SAMR_SERIOUS"
LIST_NAME = "严重违法失信名单"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OTHER_OFFICER = "swj_officer"


def _fresh_company(site: LiveSite) -> tuple[str, str]:
    """A demo organisation with no list case yet (and not the one the portal tests read)."""
    platform = site.platform
    with platform.engine.connect() as conn:
        for s in identity_repo.search_subjects(conn, "", limit=10_000):
            key = s["key"]
            if key == site.subject_code or key.startswith("P") or not s["name"]:
                continue
            if not cases_repo.cases_of_subject(conn, key):
                return key, s["name"]
    raise AssertionError("no demo organisation without a case")


def _check(visit: Visit, key: str, code: str) -> list[str]:
    """The list types POST /api/v1/checks reports for ``code`` (a department's system calls
    it, through the browser context's own HTTP client)."""
    resp = visit.context.request.post(
        f"{visit.base.scheme}://{visit.base.netloc}/api/v1/checks",
        data={"subject": code, "scenario": "government_procurement"},
        headers={"X-API-Key": key},
    )
    assert resp.status == 200, resp.text()
    return [m["list_type"] for m in resp.json()["memberships"]]


LISTING_NUMBER = "陕市监信列〔2026〕88号"
LISTING_GROUNDS = "以欺骗手段取得食品经营许可，被依法撤销许可"


def _take(visit: Visit, step: str, note: str, *, files: list[dict[str, Any]] | None = None) -> None:
    page = visit.page
    form = page.locator(f"form:has(input[name='name'][value='{step}'])")
    form.locator("textarea[name='note']").fill(note)
    if step == "list":  # the listing decision states its number and grounds
        form.get_by_label("列入决定书文号").fill(LISTING_NUMBER)
        form.get_by_label("列入事由").fill(LISTING_GROUNDS)
    if files:
        form.locator("input[type='file']").set_input_files(files)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/console/cases/*?done={step}")
    assert page.get_by_role("status").inner_text().startswith("已办理")


def _offered(visit: Visit) -> set[str]:
    return set(
        visit.page.locator("form input[name='name']").evaluate_all("els => els.map(e => e.value)")
    )


def test_listing_journey_from_proposal_to_revocation(tab: Any, live_site: LiveSite) -> None:
    platform = live_site.platform
    code, name = _fresh_company(live_site)
    with platform.engine.begin() as conn:
        key = access.issue_key(conn, "浏览器测试核查", "department", "scjg", platform.clock.now())
    add_user(platform, OTHER_OFFICER, "department_officer", "swj", DEMO_PASSWORD)
    portal = tab("cases-portal")
    assert LIST_TYPE not in _check(portal, key, code)

    officer = tab("cases-officer")
    officer.console_sign_in("demo_officer")
    page = officer.page
    page.get_by_role("link", name="名单认定", exact=True).click()
    page.wait_for_url("**/console/cases")
    officer.check("cases-inbox")
    page.get_by_role("link", name="提出拟列入").click()
    page.wait_for_url("**/console/cases/new")
    page.get_by_label("名单类型").select_option(LIST_TYPE)
    page.get_by_label("主体的统一社会信用代码").fill(code)
    page.get_by_label("拟列入的事由和依据").fill("食品安全严重违法，拟列入严重违法失信名单")
    officer.check("cases-new")
    page.get_by_role("button", name="提出拟列入").click()
    page.wait_for_url("**/console/cases/*")
    case_path = page.url.split(live_site.url, 1)[1]
    assert page.get_by_role("heading", level=1).inner_text().endswith(LIST_NAME)
    assert name in page.locator("table.case-facts").inner_text()
    # From "proposed" the department may notify or drop; it cannot publish yet.
    assert _offered(officer) == {"notify", "drop"}
    officer.check("case-proposed")

    _take(
        officer,
        "notify",
        "已送达拟列入告知书",
        files=[{"name": "告知书.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    assert page.get_by_role("link", name="告知书.pdf").is_visible()

    admin = tab("cases-admin")
    admin.console_sign_in("demo_admin")
    admin.open(case_path)
    # The office takes no department step: none is offered while the case is notified.
    assert _offered(admin) == set()
    assert "没有可办理的操作" in admin.page.inner_text("main")

    _take(officer, "state_case", "当事人提交书面陈述，经复核不予采纳")
    _take(officer, "list", "作出列入决定")
    officer.check("case-listed")

    admin.open(case_path)
    assert _offered(admin) == {"publish"}
    _take(admin, "publish", "经信用办审核予以公示")
    assert "已列入并公示" in admin.page.locator("table.case-facts").inner_text()
    admin.check("case-published")

    portal.open(f"/lists/{LIST_TYPE}")
    assert portal.page.get_by_role("link", name=name).first.is_visible()
    # The listing is published with the decision's own number and grounds.
    listing = portal.page.locator("section", has=portal.page.get_by_role("link", name=name))
    assert LISTING_NUMBER in listing.inner_text()
    assert LISTING_GROUNDS in listing.inner_text()
    assert LIST_TYPE in _check(portal, key, code)

    officer.open(case_path)
    assert "revoke" in _offered(officer)
    _take(officer, "revoke", "据以列入的行政处罚决定已被撤销")
    history = officer.page.locator("table.history").inner_text()
    for label in ("提出拟列入", "告知", "陈述申辩", "决定列入", "公示", "撤销"):
        assert label in history, label
    officer.check("case-revoked")

    portal.open(f"/lists/{LIST_TYPE}")
    assert portal.page.get_by_role("link", name=name).count() == 0
    assert LIST_TYPE not in _check(portal, key, code)
    portal.check("cases-list-after-revocation")

    stranger = tab("cases-stranger")
    stranger.console_sign_in(OTHER_OFFICER)
    stranger.open(case_path, status=403)
    assert "只能查看和办理本部门的办件" in stranger.page.inner_text("main")
    assert name not in stranger.page.inner_text("main")
    stranger.check("case-other-department")
