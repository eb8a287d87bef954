"""The ledger's columnar snapshot: its entries as Parquet parts, exported incrementally.

Each export appends one part holding the entries after the manifest's head (the last entry id
exported) and then rewrites the manifest; a part is written to a temporary name and renamed,
and the manifest last, so an interrupted export leaves the previous snapshot intact (a part
the manifest does not name is ignored and overwritten). The ledger is append-only, so the
entries already exported never change; which entry is a record's current one is the
pipeline's business (the latest per record).

Only the columns the evaluation reads are kept, dates as days since 1970-01-01 (integer
arithmetic runs alike on every engine), plus ``facet``: the one payload field the evaluation
catalogue names for the item (履约状态 of a commitment, 检查结果类别 of an inspection). A change
of the facets re-exports from scratch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection

from xinyong.evaluation import repository as repo

log = logging.getLogger(__name__)

FORMAT = 1
EPOCH = dt.date(1970, 1, 1)
PARTS = "parts"
MANIFEST = "manifest.json"

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("subject_key", pa.string()),
        ("subject_kind", pa.string()),
        ("item_code", pa.string()),
        ("record_key", pa.string()),
        ("department_code", pa.string()),
        ("action", pa.string()),
        ("decision_day", pa.int32()),
        ("severity", pa.string()),
        ("public", pa.bool_()),
        ("public_until_day", pa.int32()),
        ("facet", pa.string()),
    ]
)


@dataclass(frozen=True, slots=True)
class Manifest:
    head: int  # the last entry id exported
    parts: tuple[dict[str, Any], ...]
    facets: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "head": self.head,
            "facets": dict(self.facets),
            "parts": list(self.parts),
        }


def day_number(day: dt.date | None) -> int | None:
    return None if day is None else (day - EPOCH).days


def read_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    if body.get("format") != FORMAT:
        return None
    return Manifest(int(body["head"]), tuple(body["parts"]), dict(body["facets"]))


def _write_atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _rows(batch: list[dict[str, Any]], facets: Mapping[str, str]) -> pa.Table:
    cols: dict[str, list[Any]] = {f.name: [] for f in SCHEMA}
    for r in batch:
        cols["id"].append(int(r["id"]))
        for name in ("subject_key", "subject_kind", "item_code", "record_key"):
            cols[name].append(r[name])
        cols["department_code"].append(r["department_code"])
        cols["action"].append(r["action"])
        cols["decision_day"].append(day_number(r["decision_date"]))
        cols["severity"].append(r["severity"])
        cols["public"].append(bool(r["public"]))
        cols["public_until_day"].append(day_number(r["public_until"]))
        field = facets.get(r["item_code"])
        value = json.loads(r["payload"]).get(field) if field else None
        cols["facet"].append(None if value in (None, "") else str(value))
    return pa.table(cols, schema=SCHEMA)


def export(
    conn: Connection, folder: Path, facets: Mapping[str, str], *, chunk: int = 100_000
) -> tuple[Manifest, int]:
    """Append the entries after the snapshot's head as one new part; (manifest, rows added)."""
    parts_dir = folder / PARTS
    parts_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(folder)
    if manifest is not None and dict(manifest.facets) != dict(facets):
        log.info("evaluation snapshot facets changed: exporting from scratch")
        manifest = None
    upto = repo.ledger_head(conn)
    if manifest is not None and upto < manifest.head:
        # The database is older than the snapshot (a restore): its entries are not ours.
        log.warning(
            "evaluation snapshot ahead of the ledger (%d > %d): exporting from scratch",
            manifest.head,
            upto,
        )
        manifest = None
    if manifest is None:
        for old in parts_dir.glob("*.parquet"):
            old.unlink()
        manifest = Manifest(0, (), dict(facets))
    if upto <= manifest.head:
        return manifest, 0
    name = f"part-{manifest.head + 1:012d}-{upto:012d}.parquet"
    target = parts_dir / name
    tmp = target.with_name(name + ".tmp")
    added = 0
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
        for batch in repo.iter_entries_after(conn, manifest.head, upto, chunk):
            writer.write_table(_rows(batch, facets))
            added += len(batch)
    os.replace(tmp, target)
    part = {"file": f"{PARTS}/{name}", "from": manifest.head + 1, "to": upto, "rows": added}
    new = Manifest(upto, (*manifest.parts, part), dict(facets))
    _write_atomic(
        folder / MANIFEST,
        lambda p: p.write_text(json.dumps(new.as_json(), ensure_ascii=False, indent=1), "utf-8"),
    )
    log.info("evaluation snapshot: %d entries exported up to entry %d", added, upto)
    return new, added


def part_paths(folder: Path, manifest: Manifest) -> list[str]:
    """The parts the manifest names (never a stray part of an interrupted export)."""
    return [str(folder / p["file"]) for p in manifest.parts]
