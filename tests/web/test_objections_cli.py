"""``xinyong objections``: file, every step, list and show, in text (Chinese labels) and JSON,
and refusals (exit 2, one Chinese line, nothing changed). In-process on both engines, with
the test's FixedClock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_json, run_cli
from tests.objections.helpers import penalty_entry, public_file, records
from xinyong.bootstrap import Platform

READ = ("--purpose", "异议办理")


@pytest.fixture
def env(cli_env: Path) -> Path:
    return cli_env


def _run(*args: str) -> tuple[int, str]:
    return run_cli(*args, operator="张科员")


def _json(*args: str) -> Any:
    return cli_json(*args, operator="张科员")


def test_file_to_correction(platform: Platform, env: Path) -> None:
    entry = penalty_entry(platform)
    code, out = _run(
        "objections", "file", str(entry), "--grounds", "wrong_content", "--statement", "金额有误"
    )
    assert code == 0, out
    assert "异议处理中" in out
    assert "已提交，待推送/受理" in out
    assert "信息内容有误" in out
    oid = _json("objections", "list", *READ)["objections"][0]["id"]
    code, out = _run("objections", "list", *READ)
    assert f"异议 {oid}" in out
    assert "期限 2026-06-16" in out
    assert _json("objections", "push", str(oid))["state"] == "pushed"
    code, out = _run("objections", "accept", str(oid))
    assert code == 0, out
    assert "已受理，核查中" in out
    code, out = _run(
        "objections",
        "decide",
        str(oid),
        "--outcome",
        "correct",
        "--reason",
        "罚款金额录入错误",
        "--set",
        "CF_NR=罚款人民币1000元",
    )
    assert code == 0, out
    assert "结论：更正" in out
    assert "cli:张科员" in out
    v = _json("objections", "show", str(oid), *READ)
    assert (v["state"], v["outcome"]) == ("closed", "correct")
    (rec,) = records(public_file(platform))
    assert any(f["code"] == "CF_NR" and f["text"] == "罚款人民币1000元" for f in rec["fields"])
    assert _json("objections", "list", "--state", "closed", *READ)["total"] == 1
    assert _json("objections", "list", "--open", *READ)["total"] == 0


def test_refusals(platform: Platform, env: Path) -> None:
    entry = penalty_entry(platform)
    code, out = _run("objections", "list")
    assert code == 2
    assert "用途" in out
    code, out = _run("objections", "file", str(entry), "--grounds", "x", "--statement", "金额有误")
    assert code == 2
    assert "grounds" in out
    code, out = _run(
        "objections",
        "file",
        str(entry),
        "--grounds",
        "other",
        "--statement",
        "金额有误",
        "--department",
        "nobody",
    )
    assert code == 2
    assert "本部门" in out
    assert _json("objections", "list", *READ)["total"] == 0
    oid = _json("objections", "file", str(entry), "--grounds", "other", "--statement", "金额有误")[
        "id"
    ]
    code, out = _run("objections", "decide", str(oid), "--outcome", "keep", "--reason", "无误")
    assert code == 2
    assert out.startswith("错误：")
    code, out = _run("objections", "accept", str(oid), "--department", "sthj")
    assert code == 2
    assert "谁认定、谁核查" in out
    code, out = _run("objections", "refuse", str(oid), "--reason", "未附证明材料")
    assert code == 0
    assert "不予受理" in out
    code, out = _run(
        "objections", "extend", str(oid), "--until", "2026-07-01", "--reason", "调取档案"
    )
    assert code == 2
    code, out = _run("objections", "decide", str(oid), "--outcome", "correct", "--reason", "x",
                     "--set", "novalue")  # fmt: skip
    assert code == 2
    assert "--set" in out
