"""Where the evaluation keeps its files (light: the web app imports it at start-up)."""

from __future__ import annotations

from pathlib import Path


def snapshot_folder(data_dir: Path) -> Path:
    """The ledger's columnar snapshot: Parquet parts and their manifest."""
    return data_dir / "evaluation" / "snapshot"
