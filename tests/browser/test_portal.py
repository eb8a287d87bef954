"""Journeys through the public portal at phone width (390×844) and on a desktop, on SQLite and
PostgreSQL. Every visit fails on console errors, CSP violations, failed requests, requests to
another host and serious or critical accessibility violations (``conftest.Visit``)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SITE_CONTACT, SITE_ICP, LiveSite, Visit


def _frame(visit: Visit) -> None:
    """The site's frame: its name in the header, the footer's contact, 备案号 and links."""
    page = visit.page
    assert page.locator("header .site-name").inner_text() == "信用信息公示平台"
    footer = page.locator("footer")
    assert SITE_CONTACT in footer.inner_text()
    assert footer.get_by_role("link", name=SITE_ICP).is_visible()
    assert footer.get_by_role("link", name="首页").is_visible()
    # The stylesheet applied: the header is the brand's red, not the browser's default.
    colour = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    assert colour == "rgb(183, 32, 46)", colour


def test_home_page(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/")
    page = visit.page
    assert page.title() == "首页 · 信用信息公示平台"
    assert page.get_by_role("heading", name="信用信息查询").is_visible()
    # The home page's own search box is the only one (the header's is left out here).
    assert page.get_by_role("searchbox").count() == 1
    assert re.search(r"已收录法人及非法人组织 \d+ 户", page.inner_text("main"))
    _frame(visit)
    visit.no_horizontal_scroll()
    visit.check("home")


def test_search_then_open_a_subject_file(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/")
    page = visit.page
    page.get_by_role("searchbox").fill(live_site.subject_name)
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.get_by_role("heading", name=re.compile("共找到")).is_visible()
    visit.no_horizontal_scroll()
    visit.check("search-results")

    page.get_by_role("link", name=live_site.subject_name).click()
    page.wait_for_url(f"**/subjects/{live_site.subject_code}")
    assert page.get_by_role("heading", level=1).inner_text() == live_site.subject_name
    highlights = page.locator(".highlights section.hl")
    assert highlights.count() == live_site.highlights
    assert live_site.subject_code in page.locator("table.facts").inner_text()
    visit.no_horizontal_scroll()
    visit.check("subject-file")


def test_header_search_from_a_subject_file(visit: Visit, live_site: LiveSite) -> None:
    visit.open(f"/subjects/{live_site.subject_code}")
    page = visit.page
    box = page.locator("header").get_by_role("searchbox")
    box.fill(live_site.subject_code)
    page.locator("header").get_by_role("button", name="查询").click()
    # A whole code is the subject itself: the search goes straight to its page.
    page.wait_for_url(f"**/subjects/{live_site.subject_code}")
    assert page.get_by_role("heading", level=1).inner_text() == live_site.subject_name
    _frame(visit)
    visit.check("header-search")


def test_not_found_page(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/no/such/page", status=404)
    page = visit.page
    assert page.title() == "未找到 · 信用信息公示平台"
    assert page.get_by_role("heading", level=1).inner_text() == "未找到"
    assert "请求的页面或接口不存在" in page.inner_text("main")
    assert page.get_by_role("link", name="返回首页").is_visible()
    _frame(visit)
    visit.no_horizontal_scroll()
    visit.check("not-found")
    # Its search box leads to the results.
    page.get_by_role("searchbox").fill(live_site.subject_code)
    page.get_by_role("searchbox").press("Enter")
    page.wait_for_url(f"**/subjects/{live_site.subject_code}")
    assert page.get_by_role("heading", level=1).inner_text() == live_site.subject_name
    visit.check("not-found-search")


def test_an_unknown_subject_is_the_not_found_page(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/subjects/91610000MA6T0000XX", status=404)
    assert visit.page.get_by_role("link", name="返回首页").is_visible()
    visit.check("unknown-subject")


# Swagger UI's own markup (vendored, not ours to change): a button inside each operation's
# summary button, and its grey-on-grey version badges. Every other rule still applies there.
SWAGGER_UI_AXE_EXCEPTIONS = ("nested-interactive", "color-contrast")
# ReDoc's: its unlabelled content-type <select> and its pale inline-code colour.
REDOC_AXE_EXCEPTIONS = ("select-name", "color-contrast")


# The documentation pages read nothing from the database: one engine is enough (and axe over
# Swagger UI's thirty operations is the slowest check here).
@pytest.mark.parametrize("live_site", ["sqlite"], indirect=True)
def test_api_documentation_pages(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/docs")
    page = visit.page
    page.wait_for_selector(".opblock-summary")
    assert page.get_by_text("主体信用档案").first.is_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    visit.check("docs", axe_exclude=SWAGGER_UI_AXE_EXCEPTIONS)
    visit.open("/redoc")
    page.wait_for_selector("[data-section-id]")
    assert "主体信用档案" in page.inner_text("body")
    visit.check("redoc", axe_exclude=REDOC_AXE_EXCEPTIONS)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/publicity/penalties", "行政处罚公示"),
        ("/publicity/licences", "行政许可公示"),
        ("/lists", None),
        ("/lists/SAMR_SERIOUS", "市场监督管理严重违法失信名单"),
        ("/typical-cases", "典型案例"),
        ("/announcements", "通知公告"),
        ("/ledger/anchors", None),
    ],
)
def test_the_portal_columns(
    visit: Visit, live_site: LiveSite, path: str, heading: str | None
) -> None:
    """The public columns (双公示, lists, typical cases, announcements, anchors) under the same
    checks as every page: no console error, CSP clean, no foreign request, axe, phone width."""
    visit.open(path)
    if heading is not None:
        assert visit.page.get_by_role("heading", level=1).first.inner_text() == heading
    visit.no_horizontal_scroll()
    visit.check("portal" + path.replace("/", "-"))
