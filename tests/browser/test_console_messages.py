"""The console's 消息 page in a real browser on the demo province: a department officer sees
the unread count in the nav, reads the new cases routed to the department and marks one read
through the form; no console error, no CSP violation, no serious accessibility violation."""

from __future__ import annotations

import re

from tests.browser.conftest import LiveSite, Visit


def _unread(text: str) -> int:
    found = re.search(r"未读 (\d+)", text)
    assert found is not None, text
    return int(found.group(1))


def test_an_officer_reads_and_marks_the_department_messages(
    visit: Visit, live_site: LiveSite
) -> None:
    visit.console_sign_in("demo_officer")
    page = visit.page
    nav = page.locator(".console-nav").get_by_role("link", name=re.compile("^消息"))
    badge = int(nav.locator(".badge").inner_text())
    assert badge > 0  # the demo's cases were routed to the department
    nav.click()
    page.wait_for_url("**/console/messages")
    heading = page.get_by_role("heading", name=re.compile("^消息"))
    assert _unread(heading.inner_text()) == badge
    first = page.locator("ol.messages li.unread").first
    assert "新办件" in first.inner_text()
    first.get_by_role("button", name="标为已读").click()
    page.wait_for_url(re.compile(r"/console/messages\?done=\d+$"))
    assert page.get_by_role("status").inner_text().endswith("已标为已读")
    assert _unread(page.get_by_role("heading", name=re.compile("^消息")).inner_text()) == badge - 1
    visit.no_horizontal_scroll()
    visit.check("console-messages")
