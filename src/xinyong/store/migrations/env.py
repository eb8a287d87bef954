"""Alembic environment: runs against the connection or URL handed in by xinyong.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from xinyong.store.db import make_engine
from xinyong.store.metadata import load_all_tables

target_metadata = load_all_tables()
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.begin() as conn:
        _run(conn)
