"""SQLite's durability setting: FULL by default, configurable, refused when unknown."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from xinyong.kernel.errors import ConfigurationError
from xinyong.kernel.settings import Settings
from xinyong.store.db import make_engine

# PRAGMA synchronous answers a number: 1 NORMAL, 2 FULL, 3 EXTRA.
LEVELS = {"NORMAL": 1, "FULL": 2, "EXTRA": 3}


@pytest.mark.parametrize(("setting", "level"), [(None, 2), ("normal", 1), ("EXTRA", 3)])
def test_each_connection_runs_with_the_configured_durability(
    settings: Settings, tmp_path: Path, setting: str | None, level: int
) -> None:
    chosen = (
        settings if setting is None else settings.model_copy(update={"sqlite_synchronous": setting})
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}", chosen)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar_one() == level
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_an_unknown_durability_is_refused(settings: Settings, tmp_path: Path) -> None:
    bad = settings.model_copy(update={"sqlite_synchronous": "OFF"})
    with pytest.raises(ConfigurationError, match="XINYONG_SQLITE_SYNCHRONOUS"):
        make_engine(f"sqlite:///{tmp_path / 'd.db'}", bad)
