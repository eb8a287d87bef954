"""The evaluation in a real browser, on SQLite and PostgreSQL, at phone width and on a desktop:
the office starts a run from the console and watches it finish (the page refreshes itself),
the grade distribution chart is drawn; the portal's /evaluation page publishes the model.
Every visit fails on console errors, CSP violations, failed requests and serious
accessibility violations (``conftest.Visit``)."""

from __future__ import annotations

import re

from tests.browser.conftest import LiveSite, Visit


def test_the_office_runs_an_evaluation_from_the_console(visit: Visit, live_site: LiveSite) -> None:
    visit.console_sign_in("demo_admin")
    page = visit.page
    page.locator(".console-nav").get_by_role("link", name="信用评价").click()
    page.wait_for_url("**/console/evaluation")
    page.get_by_label("评价方式").select_option("full")
    page.get_by_role("button", name="开始评价").click()
    page.wait_for_url("**/console/evaluation")
    # The run's row reaches 已完成 (the page refreshes itself while it runs).
    runs = page.get_by_role("table", name="最近的评价批次（北京时间）")
    first = runs.locator("tr").nth(1)
    first.locator("td", has_text="已完成").wait_for(timeout=60_000)
    cells = first.locator("td").all_inner_texts()
    assert cells[2] == "全量", cells
    done, total = (int(x) for x in cells[3].split("/"))
    assert done == total > 0, cells
    assert page.locator('meta[http-equiv="refresh"]').count() == 0  # nothing running now
    # The distribution chart is drawn and its table counts every subject scored.
    page.reload()
    page.wait_for_selector("#chart-dist-GGXYPJ canvas")
    assert page.evaluate(
        """() => {
          const c = document.querySelector('#chart-dist-GGXYPJ canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
          return false;
        }"""
    )
    # The run scores each subject under every model in force for it: the public GGXYPJ and
    # the internal risk classification QYXYFXFL (organisations only), both shown to the office.
    counts = []
    for code, name in (
        ("GGXYPJ", "公共信用综合评价（本平台模型）"),
        ("QYXYFXFL", "企业信用风险分类（本平台模型，内部）"),
    ):
        page.locator(f"#h-dist-{code} ~ details summary").click()
        table = page.get_by_role("table", name=f"{name}各等级主体数")
        counts += [int(n) for n in table.locator("tr td:nth-child(2)").all_inner_texts()]
    assert sum(counts) == total, (counts, total)
    visit.no_horizontal_scroll()
    visit.check("console-evaluation")


def test_the_portal_publishes_the_evaluation_model(visit: Visit, live_site: LiveSite) -> None:
    visit.open("/evaluation")
    page = visit.page
    assert page.title().startswith("信用评价模型")
    assert page.get_by_role("heading", name="公共信用综合评价（本平台模型）").is_visible()
    statement = page.locator(".evaluation-statement").inner_text()
    assert "GB/T 45255-2025" in statement
    assert "本平台自定" in statement
    indicators = page.get_by_role("table", name=re.compile("评价指标"))
    assert "严重失信行政处罚（按时间衰减）" in indicators.inner_text()
    grades = page.get_by_role("table", name=re.compile("等级与分值区间")).inner_text()
    assert "优" in grades
    assert "850 ≤ 得分 ≤ 1000" in grades
    visit.no_horizontal_scroll()
    visit.check("evaluation-models")
