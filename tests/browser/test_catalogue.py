"""The catalogue viewer in a real browser, at phone width and on a desktop: the pages fit the
screen, pass the accessibility check and keep to the page policy (its own style sheet for the
calendar grid, no inline style). The catalogue reads no database: one engine is enough."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LiveSite, Visit


@pytest.mark.parametrize("live_site", ["sqlite"], indirect=True)
def test_catalogue_pages(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/")
    page = visit.page
    page.locator("header nav").get_by_role("link", name="信用目录").click()
    page.wait_for_url("**/catalogue")
    for path, heading in [
        ("/catalogue", "信用目录"),
        ("/catalogue/items/XZCF", "行政处罚信息 XZCF"),
        ("/catalogue/list-types/SAMR_SERIOUS", "市场监督管理严重违法失信名单 SAMR_SERIOUS"),
        ("/catalogue/measures/M01", "限制再次申请行政许可 M01"),
        ("/catalogue/policies", "公示政策"),
    ]:
        visit.open(path)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        visit.no_horizontal_scroll()
        visit.check(path.strip("/").replace("/", "-"))


@pytest.mark.parametrize("live_site", ["sqlite"], indirect=True)
def test_provisional_calendar_year(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/catalogue/calendar")
    page = visit.page
    page.get_by_role("link", name="2027年").click()
    page.wait_for_url("**/catalogue/calendar/2027")
    assert "暂定" in page.get_by_role("heading", level=1).inner_text()
    assert "本年为暂定日历" in page.inner_text("main")
    # The grid's style sheet applied: a provisional compensation day is marked in red.
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('td.compensation')).backgroundColor"
    )
    assert colour == "rgb(253, 232, 232)", colour
    visit.no_horizontal_scroll()
    visit.check("calendar-2027")
