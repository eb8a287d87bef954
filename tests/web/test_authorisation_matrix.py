"""The authorisation matrix of docs/operations.md, walked: every operation of the API with
every kind of caller. A new operation without a row in the matrix fails here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import ORG, add_department, api_routes, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.web.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
ROLES = ("anonymous", "department", "office", "auditor")
# What a cell of the matrix means for the answer to a caller of that kind.
ALLOWED = {"✓", "本部门", "内部"}  # allowed (本部门: own department's only; 内部: more shown)
REFUSED = {"401": 401, "403": 403}
FILL = {
    "batch_id": "999999",
    "case_id": "999999",
    "repair_id": "999999",
    "rectification_id": "999999",
    "interview_id": "999999",
    "registration_id": "999999",
    "commitment_id": "999999",
    "training_id": "999999",
    "plan_id": "999999",
    "draw_id": "999999",
    "task_id": "999999",
    "recusal_id": "999999",
    "inspector_id": "SJ999",
    "alert_id": "999999",
    "notice_id": "999999",
    "objection_id": "999999",
    "job_id": "0" * 32,
    "announcement_id": "999999",
    "uscc": ORG,
    "receipt": "R00000000000000000000",
    "code": ORG,
    "year": "2027",
}


def matrix() -> dict[tuple[str, str], dict[str, str]]:
    """The table under "## 权限矩阵" in docs/operations.md: | METHOD path | four cells |."""
    text = DOC.read_text(encoding="utf-8").split("## 权限矩阵", 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`(GET|POST|PUT|PATCH|DELETE) ([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in m.group(3).split("|")]
            rows[(m.group(1), m.group(2))] = dict(zip(ROLES, cells[:4], strict=True))
    return rows


@pytest.fixture
def callers(platform: Platform) -> dict[str, dict[str, str]]:
    keys = {"department": add_department(platform)}
    with platform.engine.begin() as conn:
        now = platform.clock.now()
        keys["office"] = access.issue_key(conn, "信用办", "office", None, now)
        keys["auditor"] = access.issue_key(conn, "审计", "auditor", None, now)
    out = {role: {"X-API-Key": key} for role, key in keys.items()}
    out["anonymous"] = {}
    return out


def _request(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    url = re.sub(r"{(\w+)}", lambda m: FILL[m.group(1)], path)
    params = {"purpose": "权限核查", "month": "2026-06", "item": "XZCF", "view": "internal"}
    if method == "GET":
        return client.get(url, params=params, headers=headers)
    if path == "/api/v1/imports":
        files = {"file": ("p.csv", csv_bytes([penalty()]), "text/csv")}
        return client.post(url, params=params, files=files, headers=headers)
    return client.request(method, url, params=params, json={}, headers=headers)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_operation_answers_every_caller_as_the_matrix_says(
    platform: Platform, callers: dict[str, dict[str, str]]
) -> None:
    client = TestClient(create_app(platform))
    rows = matrix()
    operations = {
        (method.upper(), path)
        for path, item in client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in item
    }
    assert operations - rows.keys() == set(), "operations missing from the matrix"
    assert rows.keys() - operations == set(), "matrix rows for operations that do not exist"
    wrong = {}
    for (method, path), cells in sorted(rows.items()):
        for role in ROLES:
            cell = cells[role]
            status = _request(client, method, path, callers[role]).status_code
            if cell in REFUSED:
                ok = status == REFUSED[cell]
            else:
                assert cell in ALLOWED, (method, path, role, cell)
                ok = status not in (401, 403) and status < 500
            if not ok:
                wrong[f"{method} {path} {role}"] = (cell, status)
    assert wrong == {}


CONSOLE_ROLES = ("anonymous", "office_admin", "department_officer", "inspector", "auditor")
CONSOLE_FILL = {
    "user_id": "999999",
    "receipt": "0" * 32,
    "alert_id": "999999",
    "case_id": "999999",
    "objection_id": "999999",
}


def console_matrix() -> dict[tuple[str, str], dict[str, str]]:
    """The table under "## 控制台权限矩阵": | METHOD path | five cells |."""
    text = DOC.read_text(encoding="utf-8").split("## 控制台权限矩阵", 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`(GET|POST) ([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            cells = [c.strip() for c in m.group(3).split("|")]
            rows[(m.group(1), m.group(2))] = dict(zip(CONSOLE_ROLES, cells[:5], strict=True))
    return rows


def _console_request(platform: Platform, app: Any, role: str, method: str, path: str) -> Any:
    """One request as a fresh browser of ``role`` (signed in unless anonymous), with the
    CSRF token its cookies call for: the answer shows the role's right, not the form's."""
    from tests.helpers import CONSOLE_PASSWORD, CONSOLE_USERS, console_sign_in
    from xinyong.access import accounts
    from xinyong.web.routes.console import cookie_names, csrf_key

    client = TestClient(app, base_url="https://testserver")
    session_cookie, login_cookie = cookie_names(secure=True)
    if role != "anonymous":
        assert console_sign_in(client, CONSOLE_USERS[role][0]).status_code == 303
    # Path parameters as in the API walk (an unknown id: the role's answer comes first).
    url = re.sub(
        r"{(\w+)}",
        lambda m: CONSOLE_FILL.get(m.group(1), FILL.get(m.group(1), "999999")),
        path,
    )
    if method == "GET":
        return client.get(url, follow_redirects=False)
    key = csrf_key(platform)
    if path == "/console/login":
        client.cookies.set(login_cookie, "walk-seed")
        seed = "walk-seed"
    else:
        seed = client.cookies.get(session_cookie) or ""
    data = {
        "csrf": accounts.csrf_token(key, seed) if seed else "0" * 64,
        "name": "admin",
        "password": CONSOLE_PASSWORD,
    }
    return client.post(url, data=data, follow_redirects=False)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_console_page_answers_every_role_as_the_matrix_says(platform: Platform) -> None:
    from tests.helpers import CONSOLE_USERS, add_user

    add_department(platform)
    for role, (name, department) in CONSOLE_USERS.items():
        add_user(platform, name, role, department)
    app = create_app(platform)
    rows = console_matrix()
    pages = {
        (method, route.path)
        for route in api_routes(app.routes)
        if route.path.startswith("/console")
        for method in route.methods - {"HEAD"}
    }
    assert pages - rows.keys() == set(), "console pages missing from the matrix"
    assert rows.keys() - pages == set(), "matrix rows for console pages that do not exist"
    wrong = {}
    for (method, path), cells in sorted(rows.items()):
        for role in CONSOLE_ROLES:
            cell = cells[role]
            resp = _console_request(platform, app, role, method, path)
            if cell == "登录":
                ok = resp.status_code == 303 and resp.headers["location"] == "/console/login"
            elif cell in REFUSED:
                ok = resp.status_code == REFUSED[cell]
            else:
                assert cell in ALLOWED, (method, path, role, cell)
                ok = resp.status_code not in (401, 403) and resp.status_code < 500
            if not ok:
                wrong[f"{method} {path} {role}"] = (cell, resp.status_code)
    assert wrong == {}
