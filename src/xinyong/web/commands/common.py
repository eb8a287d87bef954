"""Helpers shared by the CLI command groups, and how the command line reports errors.

An error is one Chinese line on stderr (``错误：…``) and exit status 2 for a
``XinyongError`` (bad input, a refused action, a broken catalogue or settings file), 1 for
anything unexpected. The English detail goes to the log only: at INFO for a
``XinyongError``, with the traceback at DEBUG for an unexpected error. The log is written to
stderr from ``XINYONG_LOG_LEVEL`` (default WARNING, so the detail is not shown) and, when
``XINYONG_LOG_FILE`` is set, in full (DEBUG, tracebacks included) to that file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from xinyong.catalog.model import Evidence
from xinyong.identity.redact import redact_identifiers
from xinyong.kernel.errors import XinyongError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from xinyong.bootstrap import Platform

log = logging.getLogger("xinyong.cli")


def _fail(exc: XinyongError, as_json: bool = False) -> NoReturn:
    # A message may quote what was typed, an ID number among it: masked (identity.redact).
    zh, en = redact_identifiers(exc.message_zh), redact_identifiers(exc.message_en)
    log.info("%s: %s", exc.code, en)
    if as_json:
        typer.echo(json.dumps({"error": zh, "error_en": en, "code": exc.code}, ensure_ascii=False))
    else:
        typer.echo(f"错误：{zh}", err=True)
    raise typer.Exit(2)


AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON")]
PurposeOpt = Annotated[
    str | None, typer.Option("--purpose", help="查询用途（非公开内容必填，记入审计日志）")
]
ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="经办人（记入办理记录；默认 xinyong --operator）")
]
# The filters of the case contexts' list commands, worded alike.
DepartmentFilter = Annotated[str | None, typer.Option("--department", help="只看该部门")]
StateOpt = Annotated[str | None, typer.Option("--state", help="只看该状态")]
OverdueOpt = Annotated[bool, typer.Option("--overdue", help="只看已超期的")]
PageOpt = Annotated[int, typer.Option("--page")]
PageSizeOpt = Annotated[int, typer.Option("--page-size")]
T = TypeVar("T")


def echo_json(data: Any) -> None:
    """A view as one JSON line (codes with their labels, as the API gives them)."""
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def run_and_show(as_json: bool, work: Callable[[Platform], T], show: Callable[[T], None]) -> None:
    """One command of a case context: ``work`` on the platform; refused, the Chinese error
    (as JSON with ``--json``) and exit 2; done, its result as JSON or ``show`` for people."""
    platform = _platform()
    try:
        out = work(platform)
    except XinyongError as exc:
        _fail(exc, as_json)
    if as_json:
        echo_json(out)
        return
    show(out)


def read_and_show(
    as_json: bool,
    audited: tuple[str, str, str | None],
    read: Callable[[Connection, Platform], T],
    show: Callable[[T], None],
) -> None:
    """A non-public read (``audited`` = action, target, purpose; see ``audit_read``) shown."""
    action, target, purpose = audited

    def work(platform: Platform) -> T:
        with platform.engine.begin() as conn:
            audit_read(conn, platform, action, target, purpose)
            return read(conn, platform)

    run_and_show(as_json, work, show)


def due_text(due: dict[str, Any] | None) -> str:
    """「2027-01-04」, or for a provisional deadline「2027-01-04（暂定（…），可能为 … 至 …）」
    with the bound that counts for the step."""
    if due is None:
        return "无"
    if not due["provisional"]:
        return str(due["date"])
    return f"{due['date']}（{due['status_label']}；{due['guidance']}）"


def echo_history(
    history: list[dict[str, Any]], *, indent: str = "    ", role: bool = False
) -> None:
    """A case's steps, one a line: when, what, to which state, by whom (and in which role)."""
    for e in history:
        note = f"  {e['note']}" if e["note"] else ""
        who = ""
        if "actor" in e:
            who = f"  {e['actor']}" + (f"（{e['role']}）" if role else "")
        typer.echo(f"{indent}{e['seq']}. {e['at']}  {e['label']} → {e['to_label']}{who}{note}")


def echo_transitions(transitions: list[dict[str, Any]], prefix: str = "    可办理：") -> None:
    """The steps open on a case, with the roles that may take them."""
    for t in transitions:
        typer.echo(f"{prefix}{t['name']}  {t['label']}  [{'、'.join(t['roles'])}]")


def audit_read(
    conn: Connection, platform: Platform, action: str, target: str, purpose: str | None
) -> None:
    """A non-public read from the command line is audited like one through the API: the
    operator (``cli:<name>``) and a stated purpose, refused without one."""
    from xinyong.access import service as access

    stated = access.require_purpose(purpose)
    access.audit(conn, operator_actor(), action, target, platform.clock.now(), stated)


def basis_line(bases: list[dict[str, Any]]) -> str:
    """Legal bases (as the JSON views give them) on one line for staff: an unconfirmed basis
    is marked 待核实, never shown with its evidence code."""
    return "；".join(
        b["title"]
        + (b.get("articles") or "")
        + ("" if Evidence(b["evidence"]).confirmed else "（待核实）")
        for b in bases
    )


OPERATOR_MAX_LENGTH = 64
_operator: list[str] = []  # set by the ``xinyong --operator`` callback for this invocation


def set_operator(name: str | None) -> None:
    """Who runs this command: ``--operator`` or the OS user. Recorded as ``cli:<name>``."""
    if name is None:
        try:
            name = getpass.getuser()
        except (OSError, KeyError):  # no login name (a container without a passwd entry)
            name = "unknown"
    name = name.strip()
    if not name or len(name) > OPERATOR_MAX_LENGTH or not name.isprintable():
        _fail(
            XinyongError(
                "bad --operator",
                f"--operator 须为1至{OPERATOR_MAX_LENGTH}个可打印字符（操作人姓名或账号）",
            )
        )
    _operator[:] = [name]


def operator_actor() -> str:
    """The actor of a CLI write or audited read: ``cli:<operator>``."""
    if not _operator:
        set_operator(None)
    return f"cli:{_operator[0]}"


class ChineseErrors(TyperGroup):
    """The top-level command group: any error a command lets escape (building the platform
    from a broken catalogue, a service's refusal, a bug) becomes one Chinese line, never a
    traceback on the terminal."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # exit codes, Ctrl+C and usage errors are typer's to report
        except XinyongError as exc:
            _fail(exc)
        except Exception as exc:
            log.debug("unexpected error", exc_info=exc)
            typer.echo(
                f"错误：内部错误（{type(exc).__name__}），命令未完成。"
                "设置 XINYONG_LOG_LEVEL=DEBUG 重新运行可在屏幕上看到详情，"
                "或查看 XINYONG_LOG_FILE 指定的日志文件。",
                err=True,
            )
            raise typer.Exit(1) from None


def configure_logging() -> None:
    """The log of a CLI run, from ``XINYONG_LOG_LEVEL`` and ``XINYONG_LOG_FILE``."""
    level, path = "WARNING", None
    try:
        from xinyong.kernel.settings import get_settings

        settings = get_settings()
        level, path = settings.log_level.upper(), settings.log_file
    except XinyongError:
        pass  # reported by the command that needs the settings, in Chinese
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(level)
    stderr.setFormatter(fmt)
    root = logging.getLogger()
    root.addHandler(stderr)
    root.setLevel(logging.WARNING)  # other libraries: warnings only
    ours = logging.getLogger("xinyong")
    ours.setLevel(level)
    if path is not None:
        to_file = logging.FileHandler(path, encoding="utf-8")
        to_file.setLevel(logging.DEBUG)
        to_file.setFormatter(fmt)
        root.addHandler(to_file)
        ours.setLevel(logging.DEBUG)


def _platform() -> Platform:
    from xinyong.bootstrap import build_platform

    platform = build_platform()
    # A command's process ends with the command: its re-scores run before it returns, not in
    # a background worker that the exit would cut short.
    platform.rescore_inline = True
    return platform


def _date(value: str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    from xinyong.kernel.parse import ParseError, parse_date

    try:
        return parse_date(value)
    except ParseError as exc:
        _fail(exc)
