"""``xinyong user …``, run in-process against both engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from xinyong.access import repository as access_repo
from xinyong.bootstrap import Platform, build_platform
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()
PASSWORD = "Cli-Password-2026"


@pytest.fixture
def env(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XINYONG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    for name, value in {
        "HASH_TEST_MODE": "true",
        "TIME_COST": "1",
        "MEMORY_KIB": "8",
        "PARALLELISM": "1",
    }.items():
        monkeypatch.setenv(f"XINYONG_PASSWORD_{name}", value)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
    _platforms.clear()


def _run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--operator", "张管理", *args], input=stdin)
    return result.exit_code, result.output


_platforms: list[Platform] = []


def _sign_in(name: str, password: str) -> str:
    from xinyong.access import accounts

    if not _platforms:
        _platforms.append(build_platform())
    platform = _platforms[0]
    with platform.engine.begin() as conn:
        return accounts.sign_in(
            conn,
            platform.password_hasher(),
            platform.account_policy(),
            name=name,
            password=password,
            now=platform.clock.now(),
        ).outcome


def test_user_commands(env: Path) -> None:
    code, out = _run(
        "department", "add", "scjg", "省市场监督管理局", "--sector", "market_regulation"
    )
    assert code == 0, out
    code, out = _run(
        "user", "add", "wang", "--role", "department_officer", "--department", "scjg",
        "--display-name", "王五", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, out
    assert "部门经办人员" in out
    # The prompt asks twice and does not take a mismatch.
    code, out = _run("user", "add", "zhao", "--role", "auditor", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, out
    code, out = _run("user", "add", "weak", "--role", "auditor", "--password-stdin", stdin="abc\n")
    assert code == 2
    assert "口令长度不得少于" in out
    code, out = _run("user", "add", "x1", "--role", "department_officer", "--password-stdin",
                     stdin=PASSWORD + "\n")  # fmt: skip
    assert code == 2
    assert "须指定所属部门" in out
    code, out = _run("user", "list", "--json")
    users = {u["name"]: u for u in json.loads(out)["users"]}
    assert set(users) == {"wang", "zhao"}
    assert users["wang"]["department"] == "scjg"
    assert _sign_in("wang", PASSWORD) == "ok"
    for _ in range(5):
        _sign_in("wang", "Wrong-password-9")
    assert _sign_in("wang", PASSWORD) == "locked"
    code, out = _run("user", "list")
    assert "锁定至" in out
    assert _run("user", "unlock", "wang")[0] == 0
    assert _sign_in("wang", PASSWORD) == "ok"
    new = "Reset-Password-2027"
    code, out = _run("user", "reset-password", "wang", "--password-stdin", stdin=new + "\n")
    assert code == 0, out
    assert _sign_in("wang", PASSWORD) == "invalid"
    assert _sign_in("wang", new) == "ok"
    assert _run("user", "disable", "wang")[0] == 0
    assert _sign_in("wang", new) == "invalid"
    code, out = _run("user", "disable", "nobody")
    assert code == 2
    assert "没有该用户名的用户" in out
    platform = build_platform()
    with platform.engine.connect() as conn:
        rows = access_repo.audit_rows(conn)
    by_operator = [r["action"] for r in rows if r["actor"] == "cli:张管理"]
    assert by_operator == [
        "department_add",
        "key_issue",
        "user_add",
        "user_add",
        "user_unlock",
        "user_reset_password",
        "user_disable",
    ]


def test_user_add_links_an_inspector_or_creates_nothing(env: Path) -> None:
    """``--inspector``: the new 检查人员 account is linked in the same transaction; a refused
    link names the field and the value, and leaves no account behind."""
    from xinyong.access import accounts
    from xinyong.inspections import registry
    from xinyong.inspections import repository as insp_repo

    assert _run("department", "add", "scjg", "省市场监督管理局", "--sector",
                "market_regulation")[0] == 0  # fmt: skip
    platform = build_platform()
    with platform.transaction() as conn:
        for ident in ("SJ001", "SJ002"):
            registry.register_inspector(
                conn, ident=ident, name="检查员", department_code="scjg", region="610100",
                qualifications=["执法证件"], certificate="610100202600", now=platform.clock.now(),
            )  # fmt: skip
    add = ("user", "add", "--password-stdin")
    code, out = _run(*add, "insp.a", "--role", "inspector", "--inspector", "SJ001",
                     stdin=PASSWORD + "\n")  # fmt: skip
    assert code == 0, out
    assert "已关联检查人员 SJ001" in out
    for name, role, ident, why in [
        ("insp.b", "inspector", "NOPE9", "没有检查人员“NOPE9”"),
        ("insp.c", "auditor", "SJ002", "只有角色为“检查人员”的账号可以关联检查人员"),
    ]:
        code, out = _run(*add, name, "--role", role, "--inspector", ident, stdin=PASSWORD + "\n")
        assert code == 2, out
        assert f"检查人员编号（inspector）“{ident}”" in out
        assert why in out
    with platform.engine.connect() as conn:
        linked = insp_repo.inspector(conn, "SJ001")
        assert linked is not None
        assert linked["user_id"] is not None
        other = insp_repo.inspector(conn, "SJ002")
        assert other is not None
        assert other["user_id"] is None
        names = {str(u["name"]) for u in accounts.users(conn)}
        actions = [r["action"] for r in access_repo.audit_rows(conn)]
    assert names == {"insp.a"}  # neither refused account was written
    assert actions.count("user_add") == 1
    assert actions.count("inspector_account") == 1
