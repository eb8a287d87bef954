"""Monthly statistics of checks and measures, and typical cases."""

from __future__ import annotations

import typer

app = typer.Typer(help="统计与典型案例", no_args_is_help=True)
