"""Subject accounts: issue a code, activate, sign in, read the own complete file (internal
records included), and nothing else; single use, expiry, lock-out, CSRF, audit rows; on both
engines through the real application (cookies over https, as deployed)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    IBIZ,
    ORG,
    ORG2,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    csv_bytes,
    penalty,
    person_penalty,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import Conflict, InputError, NotFound
from xinyong.selfservice import accounts
from xinyong.selfservice.service import OWN_FILE_PURPOSE
from xinyong.web.app import create_app
from xinyong.web.routes.subject_account import INVALID_CODE, INVALID_LOGIN

SESSION = "__Host-xinyong_subject"
PASSWORD = "Subject-Pass-2026"
# A warning is never public (令107): the subject sees it, the public does not.
WARNING_NO = "陕市监警〔2026〕7号"
FINE_NO = "陕市监罚〔2026〕1号"
OTHER_NO = "陕市监警〔2026〕99号"


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), base_url="https://testserver")


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


@pytest.fixture
def records(platform: Platform) -> None:
    add_department(platform)
    rows = [
        penalty(CF_WSH=FINE_NO),
        penalty(CF_WSH=WARNING_NO, CF_CFLB="警告", CF_NR="警告", CF_NR_FK="", CF_JDRQ="2026-06-11"),
        penalty(
            CF_XDR_MC="西安市雁塔区另一家有限公司",
            CF_XDR_SHXYM=ORG2,
            CF_WSH=OTHER_NO,
            CF_CFLB="警告",
            CF_NR="警告",
            CF_NR_FK="",
        ),
        person_penalty(resident_id(seq="456"), CF_WSH="陕市监罚〔2026〕50号"),
    ]
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 4, result.as_dict()


def _issue(platform: Platform, uscc: str = ORG, days: int = 14) -> str:
    with platform.engine.begin() as conn:
        issued = accounts.issue_code(
            conn, uscc=uscc, days=days, now=platform.clock.now(), actor="cli:张管理"
        )
    return issued.code


def _activate(
    client: TestClient, code: str, uscc: str = ORG, password: str = PASSWORD, **extra: str
) -> Any:
    form = client.get("/account/activate")
    assert form.status_code == 200
    data = {"uscc": uscc, "code": code, "password": password, "confirm": password}
    data.update(extra)
    return client.post(
        "/account/activate", data={**data, "csrf": csrf_of(form.text)}, follow_redirects=False
    )


def _sign_in(client: TestClient, uscc: str = ORG, password: str = PASSWORD) -> Any:
    form = client.get("/account/login")
    return client.post(
        "/account/login",
        data={"uscc": uscc, "password": password, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )


def test_issue_activate_sign_in_and_read_the_own_complete_file(
    platform: Platform, records: None
) -> None:
    code = _issue(platform)
    assert re.fullmatch(r"([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}", code)
    with platform.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT code_hash FROM subject_activation_codes").scalars()
        assert code.replace("-", "") not in " ".join(stored)  # only a hash is kept
    client = _client(platform)
    # Typed in lower case with spaces for the dashes: the same code.
    resp = _activate(client, code.lower().replace("-", " "))
    assert resp.status_code == 303
    assert resp.headers["location"] == "/account"
    cookie = next(h for h in resp.headers.get_list("set-cookie") if h.startswith(SESSION + "="))
    attributes = {a.strip().lower() for a in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    page = client.get("/account")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "本主体完整信用信息（含未公开信息）" in text
    assert WARNING_NO in text
    assert FINE_NO in text
    assert "未公开" in text
    assert OTHER_NO not in text  # another subject's record
    assert "即将提供" in text
    assert "信用修复申请" in text
    assert "<script" not in text
    assert "style=" not in text
    # The public sees the fine, not the warning.
    public = client.get(f"/api/v1/subjects/{ORG}/file").text
    assert FINE_NO in public
    assert WARNING_NO not in public
    assert WARNING_NO not in client.get(f"/subjects/{ORG}?tab=penalties").text
    reads = _audit(platform, "read_file")
    assert [(r["actor"], r["target"], r["purpose"]) for r in reads] == [
        (f"subject:{ORG}", f"subject:{ORG}", OWN_FILE_PURPOSE)
    ]
    issued = _audit(platform, "subject_code_issue")
    assert [(r["actor"], r["target"]) for r in issued] == [("cli:张管理", f"subject_account:{ORG}")]
    assert [r["actor"] for r in _audit(platform, "subject_account_activate")] == [f"subject:{ORG}"]
    # Sign out, then in again with USCC and password.
    out = client.post("/account/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/account", follow_redirects=False).headers["location"] == "/account/login"
    assert len(_audit(platform, "subject_logout")) == 1
    assert _sign_in(client).status_code == 303
    assert client.get("/account").status_code == 200
    assert [r["actor"] for r in _audit(platform, "subject_login")] == [f"subject:{ORG}"]
    assert len(_audit(platform, "read_file")) == 2  # every read audited


def test_a_subject_session_reaches_no_other_file_no_console_and_no_api(
    platform: Platform, records: None
) -> None:
    add_user(platform, "admin", "office_admin")
    client = _client(platform)
    assert _activate(client, _issue(platform)).status_code == 303
    # No route takes a subject from the address: asking for another is the own file or a 404.
    assert OTHER_NO not in client.get(f"/account?uscc={ORG2}&code={ORG2}").text
    assert client.get(f"/account/{ORG2}", follow_redirects=False).status_code == 404
    # The console does not know the subject's cookie.
    for page in ("/console", "/console/users", "/console/account"):
        resp = client.get(page, follow_redirects=False)
        assert (resp.status_code, resp.headers.get("location")) == (303, "/console/login"), page
    assert client.post("/console/logout", data={"csrf": "0" * 64}).status_code == 401
    token = client.cookies[SESSION]
    client.cookies.set("__Host-xinyong_session", token)  # the subject's token as a console one
    assert client.get("/console", follow_redirects=False).status_code == 303
    # The API knows keys only.
    internal = client.get(
        f"/api/v1/subjects/{ORG2}/file", params={"view": "internal", "purpose": "查看"}
    )
    assert internal.status_code == 401
    assert client.get("/api/v1/alerts").status_code == 401
    # And a staff session does not open the subject's page.
    staff = _client(platform)
    assert console_sign_in(staff, "admin").status_code == 303
    assert staff.get("/account", follow_redirects=False).headers["location"] == "/account/login"
    assert [r["target"] for r in _audit(platform, "read_file")] == [f"subject:{ORG}"]


def test_a_code_is_used_once_expires_and_a_newer_one_retires_it(
    platform: Platform, records: None, clock: FixedClock
) -> None:
    first = _issue(platform)
    second = _issue(platform)  # retires the first
    client = _client(platform)
    resp = _activate(client, first)
    assert resp.status_code == 401
    assert INVALID_CODE in resp.text
    assert _activate(client, second).status_code == 303
    again = _client(platform)
    resp = _activate(again, second, password="Another-Pass-2026")
    assert resp.status_code == 401
    assert INVALID_CODE in resp.text
    # Expired: the same message.
    late = _issue(platform, ORG2, days=2)
    clock.advance(dt.timedelta(days=2))
    resp = _activate(_client(platform), late, uscc=ORG2)
    assert resp.status_code == 401
    assert INVALID_CODE in resp.text
    # An unknown USCC and a code of another subject: the same message.
    resp = _activate(_client(platform), second, uscc=IBIZ)
    assert resp.status_code == 401
    assert INVALID_CODE in resp.text
    reasons = [
        json.loads(r["detail"])["reason"] for r in _audit(platform, "subject_activation_failed")
    ]
    assert reasons == ["superseded_code", "used_code", "expired_code", "unknown_account"]
    unknown = _audit(platform, "subject_activation_failed")[-1]
    assert unknown["target"] == "subject_account:unknown"
    assert IBIZ not in unknown["detail"]


def test_wrong_codes_and_passwords_lock_the_account(
    platform: Platform, records: None, clock: FixedClock
) -> None:
    code = _issue(platform)
    client = _client(platform)
    limit = platform.settings.login_max_failures
    for _ in range(limit - 1):
        assert _activate(client, "AAAA-BBBB-CCCC-DDDD-EEEE").status_code == 401
    locked = _activate(client, "AAAA-BBBB-CCCC-DDDD-EEEE")
    assert locked.status_code == 429
    assert "锁定" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    # Even the right code is refused while locked (not checked).
    assert _activate(client, code).status_code == 429
    clock.advance(dt.timedelta(minutes=platform.settings.login_lock_minutes))
    assert _activate(client, code).status_code == 303
    # Sign-in: wrong passwords lock too, and the right one waits.
    other = _client(platform)
    for _ in range(limit - 1):
        resp = _sign_in(other, password="Wrong-Pass-2026")
        assert resp.status_code == 401
        assert INVALID_LOGIN in resp.text
    assert _sign_in(other, password="Wrong-Pass-2026").status_code == 429
    assert _sign_in(other).status_code == 429
    # Locking ended the open session.
    assert client.get("/account", follow_redirects=False).status_code == 303
    clock.advance(dt.timedelta(minutes=platform.settings.login_lock_minutes))
    assert _sign_in(other).status_code == 303
    assert _audit(platform, "subject_login_refused_locked")
    assert _audit(platform, "subject_activation_refused_locked")


def test_forms_need_their_token_and_the_password_policy_spends_no_code(
    platform: Platform, records: None
) -> None:
    code = _issue(platform)
    client = _client(platform)
    client.get("/account/activate")
    data = {"uscc": ORG, "code": code, "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/account/activate", data={**data, "csrf": "0" * 64}).status_code == 403
    # A console form's token is not a subject form's.
    staff_form = client.get("/console/login")
    forged = {**data, "csrf": csrf_of(staff_form.text)}
    assert client.post("/account/activate", data=forged).status_code == 403
    resp = _activate(client, code, password="short")
    assert resp.status_code == 400
    assert "口令长度" in resp.text
    resp = _activate(client, code, confirm="Different-Pass-2026")
    assert resp.status_code == 400
    assert "不一致" in resp.text
    assert _audit(platform, "subject_activation_failed") == []
    assert _activate(client, code).status_code == 303  # still valid
    page = client.get("/account")
    assert client.post("/account/logout", data={"csrf": "0" * 64}).status_code == 403
    assert client.get("/account").status_code == 200
    assert csrf_of(page.text)


def test_issue_refuses_persons_unknown_and_invalid_codes(platform: Platform, records: None) -> None:
    number = resident_id(seq="456")
    with pytest.raises(InputError) as person:
        _issue(platform, number)
    assert "自然人" in person.value.message_zh
    assert number not in person.value.message_zh
    with pytest.raises(NotFound):
        _issue(platform, IBIZ)  # a valid code the platform has no record of
    with pytest.raises(InputError) as bad:
        _issue(platform, ORG[:-1] + ("0" if ORG[-1] != "0" else "1"))
    assert "统一社会信用代码有误" in bad.value.message_zh


def test_disable_ends_the_session_and_a_reissued_code_resets_the_password(
    platform: Platform, records: None
) -> None:
    client = _client(platform)
    assert _activate(client, _issue(platform)).status_code == 303
    # A new code for an active account: using it sets a new password, other sessions end.
    other = _client(platform)
    assert _activate(other, _issue(platform), password="Second-Pass-2026").status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert _sign_in(_client(platform)).status_code == 401
    assert _sign_in(_client(platform), password="Second-Pass-2026").status_code == 303
    with platform.engine.begin() as conn:
        accounts.disable(conn, ORG, now=platform.clock.now(), actor="cli:张管理")
    assert other.get("/account", follow_redirects=False).status_code == 303
    resp = _sign_in(_client(platform), password="Second-Pass-2026")
    assert resp.status_code == 401
    assert INVALID_LOGIN in resp.text
    with pytest.raises(Conflict):
        _issue(platform)
    with platform.engine.begin() as conn:
        accounts.enable(conn, ORG, now=platform.clock.now(), actor="cli:张管理")
    assert _sign_in(_client(platform), password="Second-Pass-2026").status_code == 303
    assert [r["action"] for r in _audit(platform, "subject_account_disable")]
    assert [r["action"] for r in _audit(platform, "subject_account_enable")]


def test_pages_without_a_session(platform: Platform) -> None:
    client = _client(platform)
    resp = client.get("/account", follow_redirects=False)
    assert (resp.status_code, resp.headers["location"]) == (303, "/account/login")
    assert client.post("/account/logout", data={"csrf": "0" * 64}).status_code == 401
    for page in ("/account/login", "/account/activate"):
        resp = client.get(page)
        assert resp.status_code == 200
        assert 'name="csrf"' in resp.text
    # Bounded fields: an endless value is a 400 page, not a 500.
    form = client.get("/account/login")
    resp = client.post(
        "/account/login",
        data={"uscc": "9" * 5000, "password": "x", "csrf": csrf_of(form.text)},
    )
    assert resp.status_code == 400
    assert "9" * 50 not in resp.text


SUBJECT_ROLES = ("anonymous", "subject", "office_admin")


def subject_matrix() -> dict[tuple[str, str], dict[str, str]]:
    """The table under "## 主体账户权限矩阵" in docs/operations.md."""
    from tests.web.test_authorisation_matrix import DOC

    text = DOC.read_text(encoding="utf-8").split("## 主体账户权限矩阵", 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`(GET|POST) ([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in m.group(3).split("|")]
            rows[(m.group(1), m.group(2))] = dict(zip(SUBJECT_ROLES, cells[:3], strict=True))
    return rows


def _as(platform: Platform, app: Any, role: str) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    if role == "subject":
        assert _sign_in(client).status_code == 303
    elif role == "office_admin":
        assert console_sign_in(client, "admin").status_code == 303
    return client


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_subject_page_answers_as_the_matrix_says_and_a_subject_reaches_nothing_else(
    platform: Platform, records: None
) -> None:
    from tests.helpers import api_routes
    from xinyong.web.routes.subject_account import cookie_names, csrf_key

    add_user(platform, "admin", "office_admin")
    assert _activate(_client(platform), _issue(platform)).status_code == 303
    app = create_app(platform)
    rows = subject_matrix()
    pages = {
        (method, route.path)
        for route in api_routes(app.routes)
        if route.path == "/account" or route.path.startswith("/account/")
        for method in route.methods - {"HEAD"}
    }
    assert pages - rows.keys() == set(), "subject pages missing from the matrix"
    assert rows.keys() - pages == set(), "matrix rows for subject pages that do not exist"
    session_cookie, login_cookie = cookie_names(secure=True)
    wrong = {}
    for (method, path), cells in sorted(rows.items()):
        for role in SUBJECT_ROLES:
            client = _as(platform, app, role)
            if method == "GET":
                resp = client.get(path, follow_redirects=False)
            else:
                # A valid token for whatever the form is bound to: the answer is the role's.
                if path == "/account/logout":
                    seed = client.cookies.get(session_cookie) or ""
                else:
                    client.cookies.set(login_cookie, "walk-seed")
                    seed = "walk-seed"
                token = accounts_csrf(csrf_key(platform), seed) if seed else "0" * 64
                data = {"csrf": token, "uscc": ORG, "password": PASSWORD}
                if path == "/account/activate":
                    data.update(code="AAAA", confirm="mismatch")  # a 400, nothing counted
                resp = client.post(path, data=data, follow_redirects=False)
            cell = cells[role]
            if cell == "登录":
                ok = resp.status_code == 303 and resp.headers["location"] == "/account/login"
            elif cell in ("401", "403"):
                ok = resp.status_code == int(cell)
            else:
                assert cell == "✓", (method, path, role, cell)
                ok = resp.status_code not in (401, 403) and resp.status_code < 500
            if not ok:
                wrong[f"{method} {path} {role}"] = (cell, resp.status_code)
    assert wrong == {}
    # A subject session opens no console page and no keyed API operation.
    subject = _as(platform, app, "subject")
    reached = {}
    walked = 0
    for route in api_routes(app.routes):
        if not (route.path.startswith("/console") or route.path.startswith("/api/v1")):
            continue
        if route.path == "/console/login":
            continue
        url = re.sub(r"{(\w+)}", "999999", route.path).replace("999999", ORG, 1)
        for method in route.methods - {"HEAD"}:
            resp = subject.request(
                method, url, params={"view": "internal", "purpose": "试"}, follow_redirects=False
            )
            if route.path.startswith("/console"):
                ok = resp.status_code == 401 or (
                    resp.status_code == 303 and resp.headers["location"] == "/console/login"
                )
            else:
                public = resp.status_code not in (401, 403)
                ok = resp.status_code == 401 or (public and _is_public(app, method, route.path))
            walked += 1
            if not ok:
                reached[f"{method} {route.path}"] = resp.status_code
    assert reached == {}
    assert walked > 40


def accounts_csrf(key: bytes, seed: str) -> str:
    from xinyong.access import accounts as staff_accounts

    return staff_accounts.csrf_token(key, seed)


def _is_public(app: Any, method: str, path: str) -> bool:
    from tests.web.test_authorisation_matrix import matrix

    return matrix().get((method, path), {}).get("anonymous") == "✓"
