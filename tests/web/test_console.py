"""The staff console: sign-in, lock-out, sessions, CSRF, roles, accounts, audit rows, on both
engines, through the real application (cookies over https, as deployed)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import (
    CONSOLE_PASSWORD,
    add_department,
    add_user,
    console_sign_in,
    csrf_of,
    resident_id,
)
from xinyong.access import repository as access_repo
from xinyong.access import service as access
from xinyong.access.passwords import HashParameters
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.errors import ConfigurationError
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app

SESSION = "__Host-xinyong_session"
BAD = "用户名或口令错误"


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), base_url="https://testserver")


def _audit(platform: Platform, action: str) -> list[dict[str, object]]:
    with platform.engine.connect() as conn:
        return [r for r in access_repo.audit_rows(conn) if r["action"] == action]


@pytest.fixture
def staff(platform: Platform) -> dict[str, int]:
    add_department(platform)  # scjg
    return {
        "admin": add_user(platform, "admin", "office_admin"),
        "officer": add_user(platform, "officer", "department_officer", "scjg"),
        "inspector": add_user(platform, "inspector", "inspector"),
        "auditor": add_user(platform, "auditor", "auditor"),
    }


def test_sign_in_sets_a_host_cookie_and_shows_the_role_home(
    platform: Platform, staff: dict[str, int]
) -> None:
    client = _client(platform)
    resp = console_sign_in(client, "officer")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/console"
    cookie = next(h for h in resp.headers.get_list("set-cookie") if h.startswith(SESSION))
    attributes = {a.strip().lower() for a in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= attributes
    assert not any(a.startswith("domain") for a in attributes)
    # Only a hash of the token is stored.
    token = client.cookies[SESSION]
    with platform.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT token_hash FROM user_sessions").scalars().all()
    assert stored == [access.hash_key(token)]
    home = client.get("/console")
    assert home.status_code == 200
    assert "部门经办人员" in home.text
    assert "部门scjg（scjg）" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "content-security-policy" in home.headers
    assert "<script" not in home.text
    rows = _audit(platform, "console_login")
    assert [r["actor"] for r in rows] == [f"user:{staff['officer']}:officer"]


def test_no_user_enumeration(platform: Platform, staff: dict[str, int]) -> None:
    wrong = console_sign_in(_client(platform), "admin", "Wrong-password-1")
    typed = resident_id()  # someone types an ID number as the name
    unknown = console_sign_in(_client(platform), typed, "Wrong-password-1")
    with platform.engine.begin() as conn:
        access_repo.update_user(conn, staff["auditor"], {"disabled": True})
    disabled = console_sign_in(_client(platform), "auditor")  # right password, disabled
    for resp in (wrong, unknown, disabled):
        assert resp.status_code == 401
        assert BAD in resp.text
    assert re.sub(r'value="[0-9a-f]{64}"', "", wrong.text) == re.sub(
        r'value="[0-9a-f]{64}"', "", unknown.text
    )
    failed = _audit(platform, "console_login_failed")
    assert [r["target"] for r in failed] == [
        f"user:{staff['admin']}",
        "user:unknown",
        f"user:{staff['auditor']}",
    ]
    assert all(typed not in str(r["detail"]) for r in failed)
    assert [json.loads(str(r["detail"]))["reason"] for r in failed] == [
        "wrong_password",
        "unknown_user",
        "disabled",
    ]


def test_lock_out_429_then_expiry_or_unlock(
    platform: Platform, clock: FixedClock, staff: dict[str, int]
) -> None:
    limit = platform.settings.login_max_failures
    client = _client(platform)
    answers = [console_sign_in(client, "inspector", "Wrong-password-1") for _ in range(limit)]
    assert [r.status_code for r in answers] == [401] * (limit - 1) + [429]
    assert int(answers[-1].headers["retry-after"]) == platform.settings.login_lock_minutes * 60
    assert "锁定" in answers[-1].text
    # The right password is refused while locked, and not even checked.
    refused = console_sign_in(client, "inspector")
    assert refused.status_code == 429
    assert len(_audit(platform, "console_login_refused_locked")) == 1
    clock.advance(dt.timedelta(minutes=platform.settings.login_lock_minutes))
    assert console_sign_in(_client(platform), "inspector").status_code == 303
    # Locked again, the office unlocks at once.
    for _ in range(limit):
        console_sign_in(_client(platform), "inspector", "Wrong-password-1")
    assert console_sign_in(_client(platform), "inspector").status_code == 429
    admin = _client(platform)
    console_sign_in(admin, "admin")
    page = admin.get("/console/users")
    assert "锁定至" in page.text
    resp = admin.post(
        f"/console/users/{staff['inspector']}/unlock",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert console_sign_in(_client(platform), "inspector").status_code == 303
    assert len(_audit(platform, "user_unlock")) == 1


def test_failures_below_the_limit_are_forgotten_on_success(
    platform: Platform, staff: dict[str, int]
) -> None:
    limit = platform.settings.login_max_failures
    for _ in range(limit - 1):
        console_sign_in(_client(platform), "auditor", "Wrong-password-1")
    assert console_sign_in(_client(platform), "auditor").status_code == 303
    for _ in range(limit - 1):
        assert console_sign_in(_client(platform), "auditor", "Wrong-1-pass").status_code == 401


def test_idle_and_absolute_session_expiry(
    platform: Platform, clock: FixedClock, staff: dict[str, int]
) -> None:
    idle = dt.timedelta(minutes=platform.settings.session_idle_minutes)
    absolute = dt.timedelta(minutes=platform.settings.session_absolute_minutes)
    client = _client(platform)
    console_sign_in(client, "auditor")
    clock.advance(idle - dt.timedelta(seconds=1))
    assert client.get("/console").status_code == 200  # seen: the idle timer restarts
    clock.advance(idle - dt.timedelta(seconds=1))
    assert client.get("/console").status_code == 200
    clock.advance(idle)
    resp = client.get("/console", follow_redirects=False)
    assert (resp.status_code, resp.headers["location"]) == (303, "/console/login")
    with platform.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM user_sessions").scalar() == 0
    # A session left to run out is deleted at the next sign-in.
    forgotten = _client(platform)
    console_sign_in(forgotten, "inspector")
    clock.advance(idle)
    console_sign_in(_client(platform), "inspector")
    with platform.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM user_sessions").scalar() == 1
    # Active all along, the session still ends at its absolute limit.
    client = _client(platform)
    console_sign_in(client, "auditor")
    start = clock.now()
    while clock.now() - start < absolute - idle / 2:
        clock.advance(idle / 2)
        assert client.get("/console").status_code == 200
    clock.advance(idle / 2)
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_csrf_is_required_on_every_form(platform: Platform, staff: dict[str, int]) -> None:
    client = _client(platform)
    client.get("/console/login")
    forged = client.post(
        "/console/login",
        data={"name": "admin", "password": CONSOLE_PASSWORD, "csrf": "0" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert _audit(platform, "console_login") == []
    # A valid token of another browser does not work with this one's cookie.
    other = _client(platform)
    token = csrf_of(other.get("/console/login").text)
    resp = client.post(
        "/console/login",
        data={"name": "admin", "password": CONSOLE_PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert resp.status_code == 403
    assert console_sign_in(client, "admin").status_code == 303
    good = csrf_of(client.get("/console/users").text)
    form = {"name": "newuser", "display_name": "新用户", "role": "auditor", "department": ""}
    for bad in ("", "0" * 64, good[::-1]):
        resp = client.post("/console/users", data={**form, "csrf": bad})
        assert resp.status_code in (400, 403)  # an empty token is a malformed form
    assert client.post("/console/logout", data={"csrf": "0" * 64}).status_code == 403
    with platform.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM users").scalars().all()
    assert "newuser" not in names
    assert all("newuser" not in str(r["detail"]) for r in _audit(platform, "user_add"))
    resp = client.post("/console/users", data={**form, "csrf": good})
    assert resp.status_code == 200
    assert "只显示这一次" in resp.text


def test_only_the_office_administers_accounts(platform: Platform, staff: dict[str, int]) -> None:
    anonymous = _client(platform)
    resp = anonymous.get("/console/users", follow_redirects=False)
    assert (resp.status_code, resp.headers["location"]) == (303, "/console/login")
    assert anonymous.post("/console/users", data={"csrf": "x"}).status_code == 401
    for name in ("officer", "inspector", "auditor"):
        client = _client(platform)
        console_sign_in(client, name)
        token = csrf_of(client.get("/console").text)
        assert client.get("/console/users").status_code == 403
        resp = client.post(f"/console/users/{staff['admin']}/disable", data={"csrf": token})
        assert resp.status_code == 403
        assert "用户管理" not in client.get("/console").text
    admin = _client(platform)
    console_sign_in(admin, "admin")
    assert admin.get("/console/users").status_code == 200
    assert len(_audit(platform, "read_users")) == 1


def test_office_adds_resets_and_disables_accounts(
    platform: Platform, staff: dict[str, int]
) -> None:
    admin = _client(platform)
    console_sign_in(admin, "admin")
    token = csrf_of(admin.get("/console/users").text)
    added = admin.post(
        "/console/users",
        data={
            "csrf": token,
            "name": "Zhang.San",
            "display_name": "张三",
            "role": "department_officer",
            "department": "scjg",
        },
    )
    first = re.search(r"<code>([^<]+)</code>", added.text)
    assert first is not None
    user = _client(platform)
    assert console_sign_in(user, "zhang.san", first.group(1)).status_code == 303
    # A department officer without a department is refused, with the reason.
    refused = admin.post(
        "/console/users",
        data={"csrf": token, "name": "lisi", "display_name": "李四", "role": "department_officer"},
    )
    assert refused.status_code == 400
    assert "部门经办人员须指定所属部门" in refused.text
    typed = resident_id()  # an ID number typed into a field is never shown back
    echoed = admin.post(
        "/console/users",
        data={"csrf": token, "name": "lisi", "display_name": "李四", "role": typed},
    )
    assert echoed.status_code == 400
    assert "未知角色" in echoed.text
    assert typed not in echoed.text
    user_id = int(re.findall(r"<td>(\d+)</td><td>zhang.san</td>", added.text)[0])
    reset = admin.post(f"/console/users/{user_id}/reset-password", data={"csrf": token})
    second = re.search(r"<code>([^<]+)</code>", reset.text)
    assert second is not None
    assert second.group(1) != first.group(1)
    assert user.get("/console", follow_redirects=False).status_code == 303  # session ended
    assert console_sign_in(_client(platform), "zhang.san", first.group(1)).status_code == 401
    user = _client(platform)
    assert console_sign_in(user, "zhang.san", second.group(1)).status_code == 303
    resp = admin.post(
        f"/console/users/{user_id}/disable", data={"csrf": token}, follow_redirects=False
    )
    assert resp.status_code == 303
    assert user.get("/console", follow_redirects=False).status_code == 303
    assert console_sign_in(_client(platform), "zhang.san", second.group(1)).status_code == 401
    # The office cannot disable itself.
    assert (
        admin.post(f"/console/users/{staff['admin']}/disable", data={"csrf": token}).status_code
        == 403
    )
    by_admin = [r for r in _audit(platform, "user_add") if r["actor"] != "test"]
    assert [r["actor"] for r in by_admin] == [f"user:{staff['admin']}:admin"]
    assert json.loads(str(by_admin[0]["detail"]))["name"] == "zhang.san"
    assert len(_audit(platform, "user_reset_password")) == 1
    assert len(_audit(platform, "user_disable")) == 1


def test_change_own_password(platform: Platform, staff: dict[str, int]) -> None:
    client = _client(platform)
    console_sign_in(client, "auditor")
    other = _client(platform)
    console_sign_in(other, "auditor")
    token = csrf_of(client.get("/console/account").text)
    new = "Another-Pass-2027"

    def change(current: str, new: str, confirm: str) -> Any:
        return client.post(
            "/console/account/password",
            data={"csrf": token, "current": current, "new": new, "confirm": confirm},
        )

    wrong = change("Not-the-password-1", new, new)
    assert wrong.status_code == 400
    assert "当前口令不正确" in wrong.text
    weak = change(CONSOLE_PASSWORD, "short", "short")
    assert weak.status_code == 400
    assert "口令长度不得少于" in weak.text
    named = change(CONSOLE_PASSWORD, "Auditor-2027-xx", "Auditor-2027-xx")
    assert "不得包含用户名" in named.text
    mismatch = change(CONSOLE_PASSWORD, new, new + "x")
    assert "不一致" in mismatch.text
    ok = change(CONSOLE_PASSWORD, new, new)
    assert ok.status_code == 200
    assert "口令已修改" in ok.text
    assert client.get("/console").status_code == 200  # this session goes on
    assert other.get("/console", follow_redirects=False).status_code == 303  # the other ended
    assert console_sign_in(_client(platform), "auditor").status_code == 401
    assert console_sign_in(_client(platform), "auditor", new).status_code == 303
    assert len(_audit(platform, "user_password_change")) == 1
    assert len(_audit(platform, "user_password_change_failed")) == 1


def test_sign_out_ends_the_session(platform: Platform, staff: dict[str, int]) -> None:
    client = _client(platform)
    console_sign_in(client, "admin")
    token = client.cookies[SESSION]
    resp = client.post(
        "/console/logout",
        data={"csrf": csrf_of(client.get("/console").text)},
        follow_redirects=False,
    )
    assert (resp.status_code, resp.headers["location"]) == (303, "/console/login")
    # The old token, replayed, opens nothing.
    replay = _client(platform)
    replay.cookies.set(SESSION, token)
    assert replay.get("/console", follow_redirects=False).status_code == 303
    assert [r["actor"] for r in _audit(platform, "console_logout")] == [
        f"user:{staff['admin']}:admin"
    ]


def test_console_principal_has_the_api_roles(platform: Platform, staff: dict[str, int]) -> None:
    from xinyong.access import accounts

    with platform.engine.begin() as conn:
        result = accounts.sign_in(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            name="officer",
            password=CONSOLE_PASSWORD,
            now=platform.clock.now(),
        )
    assert result.principal is not None
    assert (result.principal.role, result.principal.department_code) == ("department", "scjg")
    assert {accounts.USER_ROLES[r] for r in accounts.USER_ROLES} <= set(access.ROLES)


def test_plain_http_cookies_for_loopback_development(platform: Platform) -> None:
    add_user(platform, "admin", "office_admin")
    platform.settings = platform.settings.model_copy(update={"console_cookie_secure": False})
    client = TestClient(create_app(platform))  # http://testserver
    resp = console_sign_in(client, "admin")
    cookie = next(h for h in resp.headers.get_list("set-cookie") if "xinyong_session=" in h)
    assert cookie.startswith("xinyong_session=")
    assert "secure" not in cookie.lower()
    assert client.get("/console").status_code == 200


def test_weak_hash_parameters_are_refused_outside_tests() -> None:
    weak = {"password_time_cost": 1, "password_memory_kib": 8, "password_parallelism": 1}
    with pytest.raises(ConfigurationError):
        HashParameters.from_settings(Settings(**weak))  # type: ignore[arg-type]
    assert HashParameters.from_settings(Settings()) == HashParameters(3, 64 * 1024, 4)
    allowed = Settings(password_hash_test_mode=True, **weak)  # type: ignore[arg-type]
    assert HashParameters.from_settings(allowed).memory_kib == 8
