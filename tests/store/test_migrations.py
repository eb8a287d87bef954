"""The Alembic migrations build exactly the schema the code declares, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from xinyong.search.tables import NATIVE_OBJECTS
from xinyong.store.metadata import load_all_tables
from xinyong.store.migrate import alembic_config, current


def _declared_in_the_model(name: str | None, kind: str, _parent: object) -> bool:
    """Leave out the engine-specific objects a migration creates that the model cannot
    declare (the search's trigram index and FTS5 tables)."""
    return not (name and kind in ("table", "index") and name.startswith(NATIVE_OBJECTS))


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert current(engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": _declared_in_the_model}
        )
        diff = compare_metadata(ctx, load_all_tables())
    assert diff == []
