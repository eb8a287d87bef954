"""The one MetaData every context's tables register on (used by Alembic)."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


TABLE_MODULES = (
    "xinyong.access.tables",
    "xinyong.alerts.tables",
    "xinyong.cases.tables",
    "xinyong.commitments.tables",
    "xinyong.checks.tables",
    "xinyong.evaluation.tables",
    "xinyong.events.tables",
    "xinyong.identity.tables",
    "xinyong.ingest.tables",
    "xinyong.inspections.tables",
    "xinyong.ledger.tables",
    "xinyong.lists.tables",
    "xinyong.objections.tables",
    "xinyong.notifications.tables",
    "xinyong.portal.tables",
    "xinyong.repair.tables",
    "xinyong.rectifications.tables",
    "xinyong.reports.tables",
    "xinyong.search.tables",
    "xinyong.selfservice.tables",
)


def load_all_tables() -> MetaData:
    """Import every context's tables module so the metadata is complete."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return metadata
