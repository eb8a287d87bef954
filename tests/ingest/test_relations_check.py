"""audit verify rebuilds the relations (法定代表人 …) from the ledger, on both engines, and the
database refuses to change or delete them (migration 0021)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from tests.helpers import (
    ORG,
    ORG2,
    add_department,
    csv_bytes,
    drop_write_guards,
    penalty,
    resident_id,
)
from xinyong.bootstrap import Platform
from xinyong.identity.tables import relations, subject_key_aliases
from xinyong.ingest.relations_check import relation_differences


def _fill(platform: Platform) -> None:
    add_department(platform)
    rows = [
        penalty(),
        penalty(CF_WSH="2号"),  # the same legal representative again: one relation
        penalty(CF_WSH="3号", CF_XDR_SHXYM=ORG2, CF_FRDB="李四", CF_FR_ZJHM=resident_id("610104")),
    ]
    result = platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.accepted == 3, result.rejections


def _found(platform: Platform) -> list[str]:
    with platform.engine.connect() as conn:
        return [m.message_zh for m in relation_differences(conn, platform.catalogue)]


def _rel_id(platform: Platform, org: str) -> int:
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT id FROM relations WHERE org_key = :o"), {"o": org}
            ).scalar_one()
        )


def test_an_untouched_relations_table_matches_the_ledger(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM relations")).scalar_one() == 2
    assert _found(platform) == []


@pytest.mark.parametrize(
    "statement",
    [
        update(relations).values(person_name="王五"),
        delete(relations),
        update(subject_key_aliases).values(subject_key="x"),
        delete(subject_key_aliases),
    ],
    ids=["update relation", "delete relation", "update alias", "delete alias"],
)
def test_the_database_refuses_to_change_identity_links(
    platform: Platform, statement: object
) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:  # an alias row to refuse changes of
        conn.execute(
            subject_key_aliases.insert().values(
                alias="a" * 40, subject_key="b" * 40, key_version=1, created_at=platform.clock.now()
            )
        )
    with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as conn:
        conn.execute(statement)  # type: ignore[call-overload]


def test_a_forged_legal_representative_is_named(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:  # INSERT is allowed: the importer needs it
        conn.execute(
            relations.insert().values(
                org_key=ORG,
                person_name="王五",
                person_key=None,
                role="legal_representative",
                source_entry_id=1,
                recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            )
        )
    (found,) = _found(platform)
    assert f"（{ORG} 的法定代表人）无账本依据" in found
    assert "王五" not in found  # a person's name is never echoed


def test_a_deleted_relation_is_named_with_the_entry_that_records_it(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
    with platform.engine.begin() as conn:
        conn.execute(delete(relations).where(relations.c.org_key == ORG2))
    assert _found(platform) == [f"条目 3 记载的 {ORG2} 的法定代表人在关系表中缺失"]


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"person_name": "王五"}, "无账本依据"),  # another person named
        ({"source_entry_id": 2}, "与账本重建结果不一致（source_entry_id）"),
        ({"role": "actual_controller"}, "无账本依据"),
    ],
    ids=["name", "source", "role"],
)
def test_an_edited_relation_is_named(
    platform: Platform, values: dict[str, object], says: str
) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
    rid = _rel_id(platform, ORG)
    with platform.engine.begin() as conn:
        conn.execute(update(relations).where(relations.c.id == rid).values(**values))
    found = _found(platform)
    assert any(f"关系 {rid}" in f and says in f for f in found), found
    if says == "无账本依据":  # and the true one is missing
        assert f"条目 1 记载的 {ORG} 的法定代表人在关系表中缺失" in found


def test_a_relation_pointed_at_another_person_is_named(platform: Platform) -> None:
    _fill(platform)
    with platform.engine.begin() as conn:
        drop_write_guards(conn)
    with platform.engine.connect() as conn:
        other = conn.execute(
            text("SELECT person_key FROM relations WHERE org_key = :o"), {"o": ORG2}
        ).scalar_one()
    rid = _rel_id(platform, ORG)
    with platform.engine.begin() as conn:
        conn.execute(update(relations).where(relations.c.id == rid).values(person_key=other))
    found = _found(platform)
    assert any(f"关系 {rid}" in f and "无账本依据" in f for f in found), found
