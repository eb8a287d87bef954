"""``xinyong events list`` and ``xinyong messages list|read``, in-process on both engines."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import ORG, add_department
from tests.notifications.support import open_case, step
from xinyong.bootstrap import Platform
from xinyong.web.cli import app

runner = CliRunner()


@pytest.fixture
def cli(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Platform:
    monkeypatch.setattr("xinyong.web.commands.notifications._platform", lambda: platform)
    return platform


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _json(*args: str) -> Any:
    code, out = _run(*args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_events_and_messages_from_the_command_line(cli: Platform) -> None:
    add_department(cli)
    case = open_case(cli, ORG)
    step(cli, case.id, "notify")
    page = _json("events", "list", "--limit", "1")
    assert [e["type"] for e in page["events"]] == ["case.list_determination.open"]
    assert page["more"] is True
    rest = _json("events", "list", "--after", str(page["next_after"]))
    assert [e["type"] for e in rest["events"]] == ["case.list_determination.notify"]
    code, out = _run("events", "list")
    assert code == 0
    assert "名单认定·立案" in out
    assert "共 2 条" in out
    code, out = _run("events", "list", "--limit", "0")
    assert code != 0
    assert "limit（每页条数）须在 1 至 500 之间" in out

    mine = _json("messages", "list", "--department", "scjg")
    assert mine["unread"] == 1
    (msg,) = mine["messages"]
    assert _json("messages", "list")["total"] == 0  # the office: nothing overdue
    code, out = _run("messages", "read", str(msg["id"]), "--department", "scjg")
    assert code == 0, out
    assert _json("messages", "list", "--department", "scjg", "--unread")["total"] == 0
    code, out = _run("messages", "read", str(msg["id"]))  # not the office's
    assert code != 0
    assert "不存在" in out
