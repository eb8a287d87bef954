"""Console pages for list cases: inbox, proposing, a case with its steps, attachments, the
optimistic lock and department scoping, on both engines, through the real application."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    listing_details,
    penalty,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.cases import attachments
from xinyong.web.app import create_app

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OVERDUE = '<span class="tag serious">已超期</span>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml", "<ofd:OFD/>")
        z.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    return buf.getvalue()


@pytest.fixture
def staff(platform: Platform) -> dict[str, int]:
    """scjg (market regulation) reports penalties for ORG and ORG2; sthj is another sector."""
    add_department(platform)
    add_department(platform, "sthj", "ecology")
    add_department(platform, "qxscjg")
    result = platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_WSH="陕市监罚〔2026〕2号", CF_XDR_SHXYM=ORG2)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    assert result.accepted == 2
    return {
        "admin": add_user(platform, "admin", "office_admin"),
        "officer": add_user(platform, "officer", "department_officer", "scjg"),
        "other": add_user(platform, "other", "department_officer", "qxscjg"),
        "eco": add_user(platform, "eco", "department_officer", "sthj"),
        "inspector": add_user(platform, "inspector", "inspector"),
        "auditor": add_user(platform, "auditor", "auditor"),
    }


def _as(platform: Platform, name: str) -> TestClient:
    client = TestClient(create_app(platform), base_url="https://testserver")
    assert console_sign_in(client, name).status_code == 303
    return client


def _propose(client: TestClient, subject: str = ORG, note: str = "拟列入：食品安全严重违法") -> Any:
    form = client.get("/console/cases/new")
    assert form.status_code == 200, form.text
    return client.post(
        "/console/cases",
        data={
            "csrf": csrf_of(form.text),
            "list_type": "SAMR_SERIOUS",
            "subject": subject,
            "note": note,
        },
        follow_redirects=False,
    )


def _case_id(resp: Any) -> int:
    assert resp.status_code == 303, resp.text
    found = re.fullmatch(r"/console/cases/(\d+)", resp.headers["location"])
    assert found, resp.headers["location"]
    return int(found.group(1))


def _version(html: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, html
    return int(found.group(1))


def _step(
    client: TestClient,
    case_id: int,
    name: str,
    note: str = "依法办理",
    *,
    version: int | None = None,
    files: list[tuple[str, bytes, str]] | None = None,
    **extra: str,
) -> Any:
    page = client.get(f"/console/cases/{case_id}")
    assert page.status_code == 200, page.text
    data = {
        "csrf": csrf_of(page.text),
        "name": name,
        "note": note,
        "version": str(version if version is not None else _version(page.text)),
        **listing_details(name),
        **extra,
    }
    upload = [("attachments", (n, c, t)) for n, c, t in files or []]
    return client.post(
        f"/console/cases/{case_id}/steps",
        data=data,
        files=upload or None,
        follow_redirects=False,
    )


def _offered(html: str) -> set[str]:
    return set(re.findall(r'name="name" value="([a-z_]+)"', html))


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


def test_officer_proposes_and_works_a_case_the_office_publishes(
    platform: Platform, staff: dict[str, int]
) -> None:
    officer = _as(platform, "officer")
    case_id = _case_id(_propose(officer))
    page = officer.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert "严重违法失信名单" in page.text
    assert "拟列入：食品安全严重违法" in page.text
    # The list type's legal basis, with its document number.
    assert "《市场监督管理严重违法失信名单管理办法》（国家市场监督管理总局令第44号）" in page.text
    # The officer is offered exactly the department's steps from "proposed".
    assert _offered(page.text) == {"notify", "drop"}
    assert _audit(platform, "read_case")[-1]["purpose"] == "控制台办理名单认定办件"

    resp = _step(officer, case_id, "notify", "已送达告知书", files=[("告知书.pdf", PDF, "x/y")])
    assert resp.status_code == 303, resp.text
    link = re.search(
        r'href="(/console/cases/\d+/attachments/\d+)">告知书.pdf<',
        officer.get(f"/console/cases/{case_id}").text,
    )
    assert link is not None
    got = officer.get(link.group(1))
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert "filename*=utf-8''%E5%91%8A%E7%9F%A5%E4%B9%A6.pdf" in got.headers["content-disposition"]
    assert resp.headers["location"] == f"/console/cases/{case_id}?done=notify"
    page = officer.get(resp.headers["location"])
    assert "已办理：告知拟列入的事由、依据和权利" in page.text
    assert "已告知，陈述申辩期" in page.text
    assert "告知书.pdf" in page.text
    assert _offered(page.text) >= {"state_case", "drop"}

    assert _step(officer, case_id, "state_case", "当事人书面陈述").status_code == 303
    resp = _step(
        officer, case_id, "list", "决定列入", decision_date=platform.clock.today().isoformat()
    )
    assert resp.status_code == 303, resp.text

    admin = _as(platform, "admin")
    page = admin.get(f"/console/cases/{case_id}")
    # The office may publish only; it is not offered revocation, which is the department's.
    assert _offered(page.text) == {"publish"}
    assert _step(admin, case_id, "publish", "公示").status_code == 303
    page = admin.get(f"/console/cases/{case_id}")
    assert "已列入并公示" in page.text
    assert _offered(page.text) == set()

    page = officer.get(f"/console/cases/{case_id}")
    assert {"revoke", "exit_early"} & _offered(page.text)
    assert _step(officer, case_id, "revoke", "处罚决定已被撤销").status_code == 303
    page = officer.get(f"/console/cases/{case_id}")
    assert "已移出" in page.text
    history = page.text.split("办理记录", 1)[1]
    for label in ("提出拟列入", "告知拟列入", "提交陈述申辩", "决定列入", "公示", "因据以列入"):
        assert label in history, label
    assert "处罚决定已被撤销" in history


def test_a_step_the_role_may_not_take_is_refused_and_changes_nothing(
    platform: Platform, staff: dict[str, int]
) -> None:
    case_id = _case_id(_propose(_as(platform, "officer")))
    admin = _as(platform, "admin")
    page = admin.get(f"/console/cases/{case_id}")
    assert _offered(page.text) == set()  # notify is the department's: not offered
    resp = _step(admin, case_id, "notify", version=1)
    assert resp.status_code == 403
    assert "当前角色无权执行" in resp.text
    page = admin.get(f"/console/cases/{case_id}")
    assert "已告知" not in page.text


def test_a_stale_form_is_a_409_page_showing_the_case_now(
    platform: Platform, staff: dict[str, int]
) -> None:
    officer = _as(platform, "officer")
    case_id = _case_id(_propose(officer))
    old = _version(officer.get(f"/console/cases/{case_id}").text)
    assert _step(officer, case_id, "notify").status_code == 303
    resp = _step(officer, case_id, "drop", "不予列入", version=old)
    assert resp.status_code == 409
    assert "已被更新" in resp.text
    assert "请刷新后重试" in resp.text
    assert "已告知，陈述申辩期" in resp.text  # the case as it is now
    assert "决定不予列入" not in resp.text.split("办理记录", 1)[1].split("可办理的操作")[0]


def test_department_scope_unknown_case_and_auditor(
    platform: Platform, staff: dict[str, int]
) -> None:
    case_id = _case_id(_propose(_as(platform, "officer")))
    other = _as(platform, "other")
    resp = other.get(f"/console/cases/{case_id}")
    assert resp.status_code == 403
    assert "只能查看和办理本部门的办件" in resp.text
    assert ORG not in resp.text
    assert other.get("/console/cases/999999").status_code == 404
    inbox = other.get("/console/cases")
    assert inbox.status_code == 200
    assert f"办件 {case_id}" not in inbox.text
    page = other.get(f"/console/cases/{case_id}")
    assert page.status_code == 403
    resp = other.post(
        f"/console/cases/{case_id}/steps",
        data={"csrf": csrf_of(inbox.text), "name": "notify", "note": "x", "version": "1"},
        follow_redirects=False,
    )
    assert resp.status_code == 403

    auditor = _as(platform, "auditor")
    page = auditor.get(f"/console/cases/{case_id}")
    assert page.status_code == 200
    assert _offered(page.text) == set()
    assert f"办件 {case_id}" in auditor.get("/console/cases").text
    assert _as(platform, "inspector").get("/console/cases").status_code == 403


def test_inbox_filters_overdue_and_paging(platform: Platform, staff: dict[str, int]) -> None:
    officer = _as(platform, "officer")
    first = _case_id(_propose(officer))
    second = _case_id(_propose(officer, ORG2))
    for step in ("notify", "state_case", "list"):
        assert _step(officer, first, step).status_code == 303
    page = officer.get("/console/cases", params={"state": "listed"})
    assert page.status_code == 200
    assert f"办件 {first}" in page.text
    assert f"办件 {second}" not in page.text
    assert "共 1 条" in page.text
    page = officer.get("/console/cases", params={"list_type": "SAMR_SERIOUS"})
    assert "共 2 条" in page.text
    assert "公示期限" in page.text
    assert OVERDUE not in page.text
    # Past the publication deadline (20 working days for this list type): overdue.
    platform.clock.advance(dt.timedelta(days=60))  # type: ignore[attr-defined]
    officer = _as(platform, "officer")  # the session has long expired
    page = officer.get("/console/cases", params={"overdue": "true"})
    assert f"办件 {first}" in page.text
    assert OVERDUE in page.text
    assert 'class="overdue"' in page.text
    assert f"办件 {second}" not in page.text
    assert _audit(platform, "list_cases")[-1]["purpose"] == "控制台查看待办办件"
    bad = officer.get("/console/cases", params={"state": "nonsense"})
    assert bad.status_code == 400
    assert "不是“名单认定”的状态" in bad.text
    assert officer.get("/console/cases", params={"page": "0"}).status_code == 400
    assert officer.get("/console/cases", params={"list_type": "X" * 49}).status_code == 400


def test_proposal_refusals_are_clear_and_echo_no_id_number(
    platform: Platform, staff: dict[str, int]
) -> None:
    officer = _as(platform, "officer")
    number = resident_id("610102", "19900101", "456")
    resp = _propose(officer, number)
    assert resp.status_code == 404
    assert "尚未在平台登记" in resp.text
    assert number not in resp.text
    assert _case_id(_propose(officer)) > 0
    again = _propose(officer)
    assert again.status_code == 409
    assert "不能重复提出" in again.text
    assert _propose(officer, "91610000XXXXXXXX").status_code == 400
    assert _propose(officer, note="  ").status_code == 400
    # Another sector's officer is offered none of market regulation's list types.
    eco = _as(platform, "eco")
    form = eco.get("/console/cases/new")
    assert "SAMR_SERIOUS" not in form.text
    resp = eco.post(
        "/console/cases",
        data={
            "csrf": csrf_of(form.text),
            "list_type": "SAMR_SERIOUS",
            "subject": ORG2,
            "note": "x",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 403
    assert "本部门无权提出" in resp.text
    assert _as(platform, "admin").get("/console/cases/new").status_code == 403


def test_attachments_are_checked_stored_by_content_and_downloaded_audited(
    platform: Platform, staff: dict[str, int]
) -> None:
    officer = _as(platform, "officer")
    case_id = _case_id(_propose(officer))
    # A file named .pdf that is not one is refused, and the step is not taken.
    resp = _step(
        officer, case_id, "notify", files=[("告知书.pdf", b"MZ\x90\x00", "application/pdf")]
    )
    assert resp.status_code == 400
    assert "第 1 个文件的类型不被接受" in resp.text
    assert "已告知" not in resp.text.split("可办理的操作")[0]
    files = [("a.pdf", PDF, "application/pdf"), ("b.png", PNG, "image/png"), ("c.ofd", _ofd(), "")]
    assert _step(officer, case_id, "notify", files=files).status_code == 303
    stored = platform.settings.data_dir / attachments.ATTACHMENT_DIR
    assert len(list(stored.iterdir())) == 3
    page = officer.get(f"/console/cases/{case_id}")
    links = re.findall(rf'href="(/console/cases/{case_id}/attachments/\d+)">([^<]+)<', page.text)
    assert [n for _, n in links] == ["a.pdf", "b.png", "c.ofd"]
    got = officer.get(links[0][0])
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["cache-control"] == "no-store"
    assert "attachment" in got.headers["content-disposition"]
    row = _audit(platform, "read_attachment")[-1]
    assert row["target"] == f"case:{case_id}/attachment:{links[0][0].rsplit('/', 1)[1]}"
    assert row["purpose"] == "控制台下载办件附件"
    named = officer.get(next(u for u, n in links if n == "c.ofd"))
    assert named.headers["content-type"] == "application/ofd"
    # Another department cannot download it; an attachment id under another case is unknown.
    assert _as(platform, "other").get(links[0][0]).status_code == 403
    second = _case_id(_propose(officer, ORG2))
    wrong = links[0][0].replace(f"/cases/{case_id}/", f"/cases/{second}/")
    assert officer.get(wrong).status_code == 404
    # Too large (limit from the settings): refused with the limit named.
    big = b"%PDF-" + b"0" * platform.settings.attachment_max_bytes
    resp = _step(officer, second, "notify", files=[("big.pdf", big, "application/pdf")])
    assert resp.status_code == 400
    assert "超过大小上限" in resp.text
    # Too many files.
    many = [
        (f"{n}.png", PNG, "image/png") for n in range(platform.settings.attachment_max_files + 1)
    ]
    resp = _step(officer, second, "notify", files=many)
    assert resp.status_code == 400
    assert "最多上传" in resp.text


def test_sniff_and_file_names() -> None:
    assert attachments.sniff(PDF) == "application/pdf"
    assert attachments.sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert attachments.sniff(PNG) == "image/png"
    assert attachments.sniff(_ofd()) == "application/ofd"
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("word/document.xml", "x")
    assert attachments.sniff(plain_zip.getvalue()) is None
    assert attachments.sniff(b"PK\x03\x04broken") is None
    assert attachments.clean_file_name("C:\\Users\\x\\..\\决定书.pdf") == "决定书.pdf"
    assert attachments.clean_file_name("../../etc/passwd") == "passwd"
    assert attachments.clean_file_name("a\x00b\r\n.pdf") == "ab.pdf"
    assert attachments.clean_file_name("") == "附件"
    long = attachments.clean_file_name("长" * 300 + ".pdf")
    assert len(long) == attachments.FILE_NAME_MAX
    assert long.endswith(".pdf")


def test_bad_step_input_is_a_clear_page(platform: Platform, staff: dict[str, int]) -> None:
    officer = _as(platform, "officer")
    case_id = _case_id(_propose(officer))
    resp = _step(officer, case_id, "nonsense")
    assert resp.status_code == 400
    assert "不是名单认定的操作" in resp.text
    resp = _step(officer, case_id, "notify", note=" ")
    assert resp.status_code == 400
    assert "必须填写" in resp.text
    resp = _step(officer, case_id, "notify", decision_date="2026-13-01")
    assert resp.status_code == 400
    assert "decision_date" in resp.text
    resp = _step(officer, case_id, "notify", term_months="12")
    assert resp.status_code == 400
    assert "term_months" in resp.text
    page = officer.get(f"/console/cases/{case_id}")
    assert "已告知，陈述申辩期" not in page.text.split("办理记录")[0]


def test_the_step_form_has_the_attachment_body_limit_and_other_forms_do_not() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from xinyong.web.routes.console_cases import UPLOAD_PATHS
    from xinyong.web.security import MULTIPART_ALLOWANCE, Guard

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    inner = Starlette(routes=[Route("/{path:path}", echo, methods=["POST"])])
    upload = 5000
    app = Guard(
        inner, import_limit=10, body_limit=1000, upload_paths=UPLOAD_PATHS, upload_limit=upload
    )
    client = TestClient(app)
    assert client.post("/console/cases/7/steps", content=b"x" * 3000).text == "3000"
    assert client.post("/console/cases", content=b"x" * 3000).status_code == 413
    assert client.post("/console/cases/7/steps/x", content=b"x" * 3000).status_code == 413
    over = upload + MULTIPART_ALLOWANCE + 1
    assert client.post("/console/cases/7/steps", content=b"x" * over).status_code == 413
