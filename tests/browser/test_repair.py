"""The credit repair journey in a real browser, on SQLite and PostgreSQL: a demo company signs
in, reads which of its records may be repaired, applies with the credit commitment and proof;
the deciding department's officer accepts and approves it in the console; the record leaves
the public credit file and the 双公示 column. Every page goes through ``conftest.Visit``
(console errors, CSP, foreign requests, axe)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import LiveSite
from tests.helpers import add_user, csv_bytes, penalty
from xinyong.cases import repository as cases_repo
from xinyong.demo.generator import department_uscc
from xinyong.demo.run import DEMO_PASSWORD
from xinyong.identity import repository as identity_repo
from xinyong.repair import service as repair
from xinyong.selfservice import accounts

PASSWORD = "Browser-Repair-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _eligible(site: LiveSite) -> tuple[str, int, str, str]:
    """(USCC, record entry, decision number, department) of a demo company with a penalty it
    may apply to repair today: the market regulator reports one (decided 2026-01-05, a fine:
    令107's minimum of 3 months has passed) for a company no case concerns yet."""
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
    number = f"陕市监罚〔2026〕修复{platform.engine.dialect.name}号"
    row = penalty(
        CF_XDR_MC=company["name"],
        CF_XDR_SHXYM=company["key"],
        CF_WSH=number,
        CF_JDRQ="2026-01-05",
        CF_CFJGDM=department_uscc("scjg"),
        CF_SJLYDM=department_uscc("scjg"),
    )
    platform.importer().import_bytes(
        csv_bytes([row]), filename="r.csv", department_code="scjg", item_code="XZCF"
    )
    deps = platform.repair_deps()
    with platform.engine.connect() as conn:
        found = next(
            e
            for e in repair.eligibility(conn, deps, company["key"], platform.clock.today())
            if e.target.record_key.endswith(number)
        )
    assert found.eligible, found.reasons()
    return company["key"], found.target.entry_id, number, found.target.department_code


def test_a_subject_applies_and_the_department_approves(
    tab: Any, live_site: LiveSite, tmp_path: Path
) -> None:
    platform = live_site.platform
    uscc, record, number, department = _eligible(live_site)
    officer = f"repair_{department}_{platform.engine.dialect.name}"[:32]
    add_user(platform, officer, "department_officer", department, password=DEMO_PASSWORD)
    with platform.engine.begin() as conn:
        code = accounts.issue_code(
            conn, uscc=uscc, days=14, now=platform.clock.now(), actor="cli:浏览器测试"
        ).code
    # The public sees the penalty before.
    public = tab("repair-public")
    public.open(f"/subjects/{uscc}?tab=administrative")
    assert number in public.page.inner_text("main")

    subject = tab("repair-subject")
    page = subject.page
    subject.open("/account/activate")
    page.get_by_label("统一社会信用代码", exact=True).fill(uscc)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("设置口令").fill(PASSWORD)
    page.get_by_label("再次输入口令").fill(PASSWORD)
    page.get_by_role("button", name="激活").click()
    page.wait_for_url("**/account")
    page.get_by_role("link", name="信用修复申请").click()
    page.wait_for_url("**/account/repair")
    subject.check("subject-repair-eligibility")
    card = page.locator(f"#record-{record}")
    assert "可申请信用修复" in card.inner_text()
    assert "待核实" in card.inner_text()
    card.get_by_label("本主体已阅读并签署上述信用承诺书").check()
    card.get_by_label("承诺人（法定代表人或授权代表）").fill("王经理")
    proof = tmp_path / "罚款缴纳凭证.pdf"
    proof.write_bytes(PDF)
    card.locator("input[type=file]").set_input_files(str(proof))
    card.get_by_role("button", name="提交信用修复申请").click()
    page.wait_for_url("**/account/repair/*")
    assert "已提交，待受理" in page.inner_text("main")
    subject.check("subject-repair-case")
    case_url = page.url

    staff = tab("repair-officer")
    staff.console_sign_in(officer)
    spage = staff.page
    staff.open("/console/repairs")
    staff.check("console-repairs")
    case_id = case_url.rsplit("/", 1)[1]
    spage.get_by_role("link", name=f"办件 {case_id}").click()
    spage.wait_for_url(f"**/console/repairs/{case_id}")
    spage.get_by_role("button", name="受理").click()
    spage.wait_for_url("**done=accept")
    assert "已受理，待决定" in spage.inner_text("main")
    spage.get_by_label("办理说明（可选）").first.wait_for()
    section = spage.locator("section.step", has_text="决定予以修复")
    section.locator("textarea").fill("已履行义务，予以修复")
    section.get_by_role("button", name="决定予以修复").click()
    spage.wait_for_url("**done=approve")
    assert "已修复，停止公示" in spage.inner_text("main")
    staff.check("console-repair-approved")

    subject.open(case_url.split(subject.base.netloc, 1)[1])
    assert "已修复，停止公示" in page.inner_text("main")
    public.open(f"/subjects/{uscc}?tab=administrative")
    assert number not in public.page.inner_text("main")
    public.open("/publicity/penalties")
    assert number not in public.page.inner_text("main")
    public.check("public-after-repair")
