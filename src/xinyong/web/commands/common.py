"""Helpers shared by the CLI command groups."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
from typing import Any

import typer

from xinyong.kernel.errors import XinyongError


def _fail(exc: XinyongError, as_json: bool = False) -> None:
    logging.getLogger("xinyong").error("%s", exc.message_en)
    if as_json:
        typer.echo(
            json.dumps({"error": exc.message_zh, "error_en": exc.message_en}, ensure_ascii=False)
        )
    else:
        typer.echo(f"错误：{exc.message_zh}", err=True)
    raise typer.Exit(2)


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


def _platform() -> Any:
    from xinyong.bootstrap import build_platform

    return build_platform()


def _date(value: str | None, default: dt.date) -> dt.date:
    if value is None:
        return default
    from xinyong.kernel.parse import ParseError, parse_date

    try:
        return parse_date(value)
    except ParseError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits
