"""The Alembic migrations build exactly the schema the code declares, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from xinyong.store.metadata import load_all_tables
from xinyong.store.migrate import alembic_config, current


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert current(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, load_all_tables())
    assert diff == []
