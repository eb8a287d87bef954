"""A department's submissions after the fact: its batches, one batch's result, its rejection file.

Shared by the API (``GET /api/v1/batches/{id}/rejections``) and the staff console
(``/console/imports``) so both answer with the same content and write the same audit row.
Who may ask is the web layer's question (``require_own``); what comes back here depends only
on whether the asker is the submitting department (``clear``): only it gets its rows back as
sent, personal values in clear; anyone else, and every on-screen view, gets them masked.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import Connection

from xinyong.access import service as access
from xinyong.identity.redact import redact_identifiers
from xinyong.ingest.export import export_rejections
from xinyong.ingest.quality import IMPORT_FORMATS
from xinyong.ingest.readers import RawTable
from xinyong.ingest.rejections import opened
from xinyong.kernel.errors import NotFound
from xinyong.ledger import repository as ledger_repo


@dataclass(frozen=True, slots=True)
class RejectionFile:
    content: bytes
    filename: str
    media_type: str


def get_batch(conn: Connection, batch_id: int) -> dict[str, Any]:
    found = ledger_repo.get_batch(conn, batch_id)
    if found is None:
        raise NotFound(f"no batch {batch_id}", f"批次 {batch_id} 不存在")
    return found


def list_batches(
    conn: Connection, *, department_code: str | None, limit: int, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Batches of submitted files (not those the platform writes itself), newest first."""
    return ledger_repo.list_batches(
        conn, department_code=department_code, formats=IMPORT_FORMATS, limit=limit, offset=offset
    )


def batch_result(conn: Connection, batch_id: int) -> dict[str, Any]:
    """What a batch's page shows beyond its counts: the file's headers, the warnings, and each
    rejected row's problems (row number, field, reason, the value masked). Never a clear value."""
    meta = ledger_repo.get_batch_headers(conn, batch_id)
    headers: list[str] = json.loads(meta["headers"]) if meta else []
    warnings = [
        {
            "row": w.get("row"),
            "field": redact_identifiers(str(w.get("field", ""))),
            "reason": redact_identifiers(str(w.get("reason", ""))),
        }
        for w in (json.loads(meta["warnings"]) if meta else [])
    ]
    rejections = []
    for stored in ledger_repo.rejected_of_batch(conn, batch_id):
        row, problems = opened(stored, None)
        for p in problems:
            rejections.append(
                {
                    "row": row.number,
                    "field": redact_identifiers(p.field),
                    "value": redact_identifiers(p.value),
                    "reason": redact_identifiers(p.reason),
                }
            )
    return {
        "headers": [redact_identifiers(h) for h in headers],
        "warnings": warnings,
        "rejections": rejections,
    }


def rejection_file(
    conn: Connection,
    batch: dict[str, Any],
    *,
    unseal: Callable[[bytes], str],
    asker_department: str | None,
    actor: str,
    purpose: str,
    now: dt.datetime,
) -> RejectionFile:
    """The batch's rejected rows in the submitted file's format, with the reasons; audited as
    ``download_rejections``. Clear values only when ``asker_department`` sent the batch."""
    batch_id = int(batch["id"])
    meta = ledger_repo.get_batch_headers(conn, batch_id)
    rows = ledger_repo.rejected_of_batch(conn, batch_id)
    if meta is None or not rows:
        raise NotFound("no rejected rows", "该批次没有被拒收的行")
    # Clear personal values go back only to the department that sent them.
    clear = asker_department == batch["department_code"]
    access.audit(
        conn,
        actor,
        "download_rejections",
        f"batch:{batch_id}",
        now,
        purpose=purpose,
        detail={"department": batch["department_code"], "rows": len(rows), "clear": clear},
    )
    table = RawTable(
        format=batch["format"],
        encoding=meta["encoding"],
        headers=tuple(json.loads(meta["headers"])),
        rows=[],
        source_name=batch["source_name"],
        sheet=meta["sheet"],
        delimiter=meta["delimiter"],
    )
    rejected = [opened(r, unseal if clear else None) for r in rows]
    content, suffix, media = export_rejections(table, rejected)
    return RejectionFile(content, PurePath(batch["source_name"]).stem + suffix, media)
