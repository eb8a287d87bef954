"""The command line reports every error as one Chinese line: a broken catalogue file (naming
file and key), a refused action, a bug; the details go to the log, never a traceback."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner

from tests.catalog.test_bad_files import ITEM
from tests.helpers import ORG, resident_id
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()
ITEM_KEY = "versions[0].effective_from"
CALENDAR_KEY = "holidays[0].from"
# Commands that read no catalogue, calendar or settings file beyond the database URL.
# draft: from the law file only; backup and restore copy the database and read no catalogue.
# The anchor key commands read the key file only (a signing key is not catalogue data).
NO_CATALOGUE = {
    ("db", "upgrade"),
    ("calendar", "draft"),
    ("backup",),
    ("restore",),
    ("audit", "keygen"),
    ("audit", "anchor-key"),
    # The draw tools read the inspection catalogue alone (an outsider verifies a published
    # draw without the platform's items or calendar): tests/web/test_inspections_cli.py.
    ("inspections", "policies"),
    ("inspections", "seed"),
    ("inspections", "commit"),
    ("inspections", "draw"),
    ("verify-draw",),
}


def _commands() -> Iterator[tuple[tuple[str, ...], Any]]:
    def walk(cmd: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield path, cmd

    yield from walk(typer.main.get_command(app), ())


VALUES = {
    "date": "2026-01-05",
    "n": "3",
    "case_id": "1",
    "plan": "1",  # inspections: plan, task and recusal numbers
    "task": "1",
    "recusal": "1",
    "inspected_on": "2026-01-05",
    "alert_id": "1",
    "announcement_id": "1",
    "month": "2026-06",
    "subject": ORG,
    "code": ORG,
    "scenario": "government_procurement",
    "role": "office",
    "sector": "market_regulation",
    "category": "惩戒",
    "measure": "M11",
    "year": "2031",
    "client_id": "1",
    "entry": "1",
    "record": "1",
    "until": "2026-01-05",
}


def _args(cmd: Any, tmp: Path) -> list[str]:
    """The command's required arguments and options (and the subject the check needs one
    way or another), with plausible values."""
    args: list[str] = []
    for p in cmd.params:
        if not p.required and p.name != "subject":
            continue
        plausible = "1" if p.name.endswith("_id") else "x"  # every case type's number
        value = {"path": str(tmp / "p.csv"), "out": str(tmp / "out")}.get(
            p.name, VALUES.get(p.name, plausible)
        )
        if p.param_type_name == "option" and getattr(p, "is_flag", False):
            args.append(p.opts[0])  # a required --yes/--no pair: either one
        elif p.param_type_name == "option":
            args += [p.opts[0], value]
        else:
            args.append(value)
    return args


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A local catalogue folder whose item file and calendar file each have one bad key."""
    local = tmp_path / "local"
    (local / "items").mkdir(parents=True)
    (local / "calendar").mkdir()
    item = copy.deepcopy(ITEM)
    item["versions"][0]["effective_from"] = "not-a-date"
    (local / "items" / "dfbc02.yaml").write_text(
        yaml.safe_dump(item, allow_unicode=True), encoding="utf-8"
    )
    (local / "calendar" / "2031.yaml").write_text(
        "year: 2031\nsource: 测试\nholidays:\n  - {name: 元旦, from: not-a-date, to: 2031-01-01}\n"
        "makeup_workdays: []\n",
        encoding="utf-8",
    )
    (tmp_path / "p.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("XINYONG_SECRET_KEY", "22" * 32)
    monkeypatch.setenv("XINYONG_LOCAL_CATALOG_DIR", str(local))
    get_settings.cache_clear()
    yield local
    get_settings.cache_clear()


def test_a_bad_catalogue_file_is_one_chinese_line_from_every_command(
    broken: Path, tmp_path: Path
) -> None:
    commands = [(path, cmd) for path, cmd in _commands() if path not in NO_CATALOGUE]
    assert len(commands) >= 30  # the walk found the command groups
    wrong = {}
    for path, cmd in commands:
        result = runner.invoke(app, [*path, *_args(cmd, tmp_path)])
        lines = result.stderr.splitlines()
        ok = (
            result.exit_code == 2
            and len(lines) == 1
            and lines[0].startswith("错误：")
            and str(broken) in lines[0]
            and (
                (f"{broken / 'items' / 'dfbc02.yaml'}" in lines[0] and ITEM_KEY in lines[0])
                or (f"{broken / 'calendar' / '2031.yaml'}" in lines[0] and CALENDAR_KEY in lines[0])
            )
            and "Traceback" not in result.output + result.stderr
            and (result.exception is None or isinstance(result.exception, SystemExit))
        )
        if not ok:
            wrong[" ".join(path)] = (result.exit_code, result.stderr, result.output[-300:])
    assert wrong == {}


def test_a_refusal_is_one_chinese_line_with_the_detail_in_the_log(
    broken: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("XINYONG_LOCAL_CATALOG_DIR")
    get_settings.cache_clear()
    caplog.set_level(logging.INFO, logger="xinyong")
    bad = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")
    # A scenario mistyped as an ID number: the message quotes it, masked.
    result = runner.invoke(app, ["check", ORG, "--scenario", bad])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("错误：没有应用场景“610102********")
    assert bad not in result.stderr + result.output
    logged = [r for r in caplog.records if r.name == "xinyong.cli"]
    assert [r.levelno for r in logged] == [logging.INFO]
    assert logged[0].getMessage().startswith("not_found: unknown scenario 610102********")


def test_an_unexpected_error_is_one_chinese_line_and_the_traceback_is_logged_at_debug(
    broken: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("XINYONG_LOCAL_CATALOG_DIR")
    get_settings.cache_clear()
    caplog.set_level(logging.DEBUG, logger="xinyong")
    result = runner.invoke(app, ["quality"])  # the database was never migrated
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("错误：内部错误（OperationalError），命令未完成。")
    assert "Traceback" not in result.stderr + result.output
    (record,) = [r for r in caplog.records if r.name == "xinyong.cli"]
    assert record.levelno == logging.DEBUG
    assert record.exc_info is not None


def _xinyong(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XINYONG_")}
    return subprocess.run(  # noqa: S603 - this interpreter, our own module
        [sys.executable, "-m", "xinyong.web.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_installed_command_logs_tracebacks_to_the_log_file_only(tmp_path: Path) -> None:
    log = tmp_path / "xinyong.log"
    env = {
        "XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "XINYONG_DATA_DIR": str(tmp_path / "var"),
        "XINYONG_SECRET_KEY": "22" * 32,
        "XINYONG_LOG_FILE": str(log),
    }
    done = _xinyong(env, "quality")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("错误：内部错误（OperationalError）")
    assert "Traceback" not in done.stderr
    assert "Traceback (most recent call last)" in log.read_text(encoding="utf-8")
    assert "no such table" in log.read_text(encoding="utf-8")
    # A bad setting is a configuration error naming the variable, not its value.
    done = _xinyong({**env, "XINYONG_API_KEY_CACHE_SECONDS": "soon"}, "quality")
    assert done.returncode == 2
    assert done.stderr.strip() == "错误：环境变量 XINYONG_API_KEY_CACHE_SECONDS 的值无效，请检查"
