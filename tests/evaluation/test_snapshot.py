"""The Parquet snapshot: incremental parts, a stray part of an interrupted export never read,
a change of facets exporting from scratch, the facet taken from the payload."""

from __future__ import annotations

import pyarrow.parquet as pq

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.bootstrap import Platform
from xinyong.evaluation import snapshot


def _import(platform: Platform, number: str) -> None:
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_WSH=number)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )


def test_parts_manifest_and_facets(platform: Platform) -> None:
    add_department(platform)
    folder = platform.evaluation_snapshot()
    _import(platform, "陕市监罚〔2026〕1号")
    with platform.engine.connect() as conn:
        first, added = snapshot.export(conn, folder, {"XZCF": "CF_CFLB"})
    assert added == 1
    assert first.head == 1
    # An interrupted export left a part the manifest does not name: never read.
    stray = folder / "parts" / "part-000000000002-000000000009.parquet"
    stray.write_bytes((folder / first.parts[0]["file"]).read_bytes())
    _import(platform, "陕市监罚〔2026〕2号")
    with platform.engine.connect() as conn:
        second, added = snapshot.export(conn, folder, {"XZCF": "CF_CFLB"})
    assert added == 1
    assert [p["from"] for p in second.parts] == [1, 2]
    paths = snapshot.part_paths(folder, second)
    assert str(stray) not in paths
    table = pq.read_table(paths)
    assert table.column("id").to_pylist() == [1, 2]
    assert set(table.column("facet").to_pylist()) == {"03"}  # the code the payload holds
    assert set(table.column("subject_key").to_pylist()) == {ORG}
    # Other facets: everything exported again, with the new facet.
    with platform.engine.connect() as conn:
        third, added = snapshot.export(conn, folder, {})
    assert added == 2
    assert len(third.parts) == 1
    assert pq.read_table(snapshot.part_paths(folder, third)).column("facet").to_pylist() == [
        None,
        None,
    ]


def test_a_snapshot_ahead_of_the_ledger_is_exported_again(platform: Platform) -> None:
    """After a restore the database may be older than the snapshot: its parts are dropped."""
    import json

    add_department(platform)
    folder = platform.evaluation_snapshot()
    _import(platform, "陕市监罚〔2026〕1号")
    with platform.engine.connect() as conn:
        manifest, _ = snapshot.export(conn, folder, {})
    body = manifest.as_json()
    body["head"] = 99  # as if the snapshot had seen entries the ledger no longer has
    (folder / "manifest.json").write_text(json.dumps(body), "utf-8")
    with platform.engine.connect() as conn:
        again, added = snapshot.export(conn, folder, {})
    assert added == 1
    assert again.head == 1
    assert len(again.parts) == 1
