"""Small builders shared by tests: departments, penalty rows, files in each format."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import func, select

from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.demo.generator import XZCF_HEADERS, department_uscc
from xinyong.identity.ric import ric_check_char
from xinyong.identity.uscc import make_uscc
from xinyong.ledger.tables import batches, entries
from xinyong.lists import service as lists

ORG = make_uscc("9", "1", "610102", "MA6T1C7D")
ORG2 = make_uscc("9", "1", "610103", "MA6T2K9X")
IBIZ = make_uscc("9", "2", "610104", "L01234Q5")


def resident_id(area: str = "610102", birth: str = "19800101", seq: str = "123") -> str:
    body = area + birth + seq
    return body + ric_check_char(body)


def add_department(
    platform: Platform,
    code: str = "scjg",
    sector: str = "market_regulation",
    name: str | None = None,
) -> str:
    """Register a department and return its API key."""
    with platform.engine.begin() as conn:
        access.add_department(conn, code, name or f"部门{code}", sector, None, platform.clock.now())
        return access.issue_key(conn, f"{code}系统", "department", code, platform.clock.now())


def revoke(
    platform: Platform, department: str, item: str, subject: str, record: str, reason: str
) -> int:
    """Revoke a record as ``department`` in one transaction; returns the revocation entry."""
    from xinyong.ingest.service import revoke_record

    with platform.transaction() as conn:
        return revoke_record(
            conn,
            platform.catalogue,
            platform.vault,
            now=platform.clock.now(),
            department_code=department,
            item_code=item,
            subject=subject,
            record=record,
            reason=reason,
            actor=f"department:{department}",
            sanctions=platform.sanctions,
        )


def penalty(**overrides: str) -> dict[str, str]:
    row = dict.fromkeys(XZCF_HEADERS, "")
    row.update(
        CF_XDR_MC="西安市碑林区示例科技有限公司",
        CF_XDR_LB="法人及非法人组织",
        CF_XDR_SHXYM=ORG,
        CF_FRDB="张三",
        CF_FR_ZJLX="身份证",
        CF_FR_ZJHM=resident_id(),
        CF_WSH="陕市监罚〔2026〕1号",
        # 广告法 is outside the fields 令107 classes 严重: a plain fine is 一般 (tests that
        # need a food, drug or special-equipment penalty cite that law themselves).
        CF_WFXW="发布虚假广告",
        CF_SY="经查属实",
        CF_YJ="《中华人民共和国广告法》第五十五条",
        CF_CFLB="罚款",
        CF_NR="罚款人民币2000元",
        CF_NR_FK="0.2",
        CF_JDRQ="2026-06-10",
        CF_CFJG="省市场监督管理局",
        CF_CFJGDM=department_uscc("scjg"),
        CF_SJLY="省市场监督管理局",
        CF_SJLYDM=department_uscc("scjg"),
    )
    row.update(overrides)
    return row


def person_penalty(number: str, name: str = "李四", **overrides: str) -> dict[str, str]:
    """A penalty on a natural person identified by a resident ID number (no USCC, no legal
    representative)."""
    return penalty(
        CF_XDR_MC=name,
        CF_XDR_LB="自然人",
        CF_XDR_SHXYM="",
        CF_FRDB="",
        CF_FR_ZJLX="",
        CF_FR_ZJHM="",
        CF_XDR_ZJLX="身份证",
        CF_XDR_ZJHM=number,
        **overrides,
    )


def free_port() -> int:
    """A free TCP port on loopback, for a test's own server."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live_server(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, in a thread; its base URL."""
    import threading
    import time

    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    for _ in range(200):
        if live.started:
            break
        time.sleep(0.05)
    assert live.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        live.should_exit = True
        thread.join(timeout=10)


def cli_env(url: str, data_dir: Any, **settings: str) -> dict[str, str]:
    """The environment of a ``xinyong`` subprocess on the test's database: this process's
    environment without its XINYONG_* settings, plus the database, the test key and a data
    folder (and any ``XINYONG_*`` given)."""
    import os

    from tests.conftest import TEST_KEY

    clean = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    return {
        **clean,
        "XINYONG_DATABASE_URL": url,
        "XINYONG_SECRET_KEY": TEST_KEY,
        "XINYONG_DATA_DIR": str(data_dir),
        **settings,
    }


def csv_bytes(
    rows: Sequence[dict[str, str]],
    encoding: str = "utf-8-sig",
    headers: Sequence[str] | None = None,
) -> bytes:
    headers = list(headers or rows[0].keys())
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for r in rows:
        writer.writerow([r.get(h, "") for h in headers])
    return buf.getvalue().encode(encoding)


def json_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    return json.dumps({"records": list(rows)}, ensure_ascii=False).encode()


def xlsx_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    headers = list(rows[0].keys())
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def counts(platform: Platform) -> tuple[int, int]:
    with platform.engine.connect() as conn:
        n_batches = conn.execute(select(func.count()).select_from(batches)).scalar_one()
        n_entries = conn.execute(select(func.count()).select_from(entries)).scalar_one()
    return int(n_batches), int(n_entries)


def listing_details(step: str, n: int = 1) -> dict[str, str]:
    """What the listing decision (the ``list`` step) must state; nothing for other steps."""
    if step != "list":
        return {}
    return {
        "decision_number": f"陕市监信列〔2026〕{n}号",
        "grounds": "提供虚假材料取得行政许可，被依法吊销许可证",
    }


LISTING_STEPS = (
    ("notify", "department"),
    ("state_case", "subject"),
    ("list", "department"),
    ("publish", "system"),
)


def list_subject(
    platform: Platform,
    subject: str,
    list_type: str = "SAMR_SERIOUS",
    department: str = "scjg",
    *,
    dispatch: bool = True,
) -> int:
    """Take a listing case through every step to "published" at the platform clock's time;
    returns the case id. ``dispatch=False``: committed, but the process stops before it hands
    the events to their consumers (a crash)."""
    unit = platform.transaction() if dispatch else platform.engine.begin()
    with unit as conn:
        case = lists.propose(
            conn,
            platform.sanctions,
            platform.calendar,
            list_type=list_type,
            subject_key=subject,
            department_code=department,
            actor=f"{department}:张科员",
            now=platform.clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
            note="拟列入名单",
        )
        for step, role in LISTING_STEPS:
            lists.advance(
                conn,
                platform.sanctions,
                platform.catalogue,
                platform.calendar,
                case.id,
                step,
                actor="t",
                role=role,
                now=platform.clock.now(),
                **listing_details(step),
            )
    return case.id


def error_detail(resp: Any) -> dict[str, Any]:
    """The API's one error shape, and nothing else: ``{"detail": {"code", "message",
    "message_en"}}``, with ``fields`` for a malformed request."""
    assert resp.headers["content-type"].startswith("application/json"), resp.text
    body = resp.json()
    assert set(body) == {"detail"}, body
    detail: dict[str, Any] = body["detail"]
    assert {"code", "message", "message_en"} <= set(detail), detail
    assert set(detail) <= {"code", "message", "message_en", "fields"}, detail
    assert all(isinstance(detail[k], str) and detail[k] for k in ("code", "message"))
    return detail


def api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every API route of an application, inside included routers too (FastAPI keeps an
    included router as one entry; ours have no prefix)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes)


# Append-only tables: migrations 0015 (ledger, audit log), 0016 (anchors) and 0021 (identity
# links).
LEDGER_GUARDED = (
    "entries",
    "batches",
    "audit_log",
    "ledger_anchors",
    "relations",
    "subject_key_aliases",
)


def drop_write_guards(conn: Any) -> None:
    """What a tamperer with DDL rights does first: drop the triggers that keep the ledger
    append-only (migrations 0015, 0021), so a test can then alter or delete ledger rows."""
    from sqlalchemy import text

    for table in LEDGER_GUARDED:
        if conn.dialect.name == "postgresql":
            # Disabled rather than dropped: the test database outlives the test, and the
            # engine fixture enables them again for the next one.
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:  # each SQLite test has its own copy of the database
            for kind in ("no_delete", "no_update"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_{kind}"))


def wait_for_job(
    client: Any, poll_url: str, headers: dict[str, str], timeout: float = 120.0
) -> dict[str, Any]:
    """Poll an import job (``GET poll_url``) until it is done or failed; its last answer."""
    import time

    end = time.monotonic() + timeout
    while True:
        resp = client.get(poll_url, headers=headers)
        assert resp.status_code == 200, resp.text
        job: dict[str, Any] = resp.json()
        if job["state"] in ("done", "failed") or time.monotonic() > end:
            return job
        time.sleep(0.05)


# The staff console (web/routes/console.py).
CONSOLE_PASSWORD = "Console-Test-2026"
CONSOLE_USERS = {
    "office_admin": ("admin", None),
    "department_officer": ("officer", "scjg"),
    "inspector": ("inspector", None),
    "auditor": ("auditor", None),
}
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def add_user(
    platform: Platform,
    name: str,
    role: str,
    department: str | None = None,
    password: str = CONSOLE_PASSWORD,
) -> int:
    from xinyong.access import accounts

    with platform.engine.begin() as conn:
        return accounts.create_user(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            name=name,
            display_name=f"{name}姓名",
            role=role,
            department_code=department,
            password=password,
            now=platform.clock.now(),
            actor="test",
        )


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a console page."""
    found = _CSRF.search(html)
    assert found is not None, html
    return found.group(1)


def console_sign_in(client: Any, name: str, password: str = CONSOLE_PASSWORD) -> Any:
    """GET the sign-in form (its cookie and token), POST it; the answer (303 on success)."""
    form = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"name": name, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )


def run_cli(*args: str, operator: str | None = None) -> tuple[int, str]:
    """``xinyong`` run in-process (typer's runner): its exit code and what it printed."""
    from typer.testing import CliRunner

    from xinyong.web.cli import app

    given = ["--operator", operator, *args] if operator else list(args)
    result = CliRunner().invoke(app, given)
    return result.exit_code, result.output


def cli_json(*args: str, operator: str | None = None) -> Any:
    """``xinyong … --json`` in-process, which must succeed: its output read back."""
    code, out = run_cli(*args, "--json", operator=operator)
    assert code == 0, out
    return json.loads(out)
