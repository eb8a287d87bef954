"""Helpers shared by the CLI command groups."""

from __future__ import annotations

import datetime as dt
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
