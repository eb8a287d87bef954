"""Re-establishment warnings (易地开张)."""

from __future__ import annotations

import typer

app = typer.Typer(help="易地开张预警", no_args_is_help=True)
