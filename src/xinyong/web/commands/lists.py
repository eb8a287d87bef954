"""List determination cases from the command line, and the expiry job."""

from __future__ import annotations

import typer

app = typer.Typer(help="名单认定办件与期满移出", no_args_is_help=True)
