"""Rejected rows as stored: personal values masked in the clear columns, the row as sent sealed.

A rejected row is kept so its department can download it, fix it and send it again; it holds
what the department typed, ID numbers and names of persons among it. The stored ``cells`` and
``problems`` are masked (the personal columns of the item, and any ID-number-like text
anywhere, see identity.redact); the clear row and problems are sealed alongside and opened
only for the submitting department's rejection file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from xinyong.catalog.model import FieldDef, SubjectMapping
from xinyong.identity.pii import PiiVault
from xinyong.identity.redact import redact_identifiers
from xinyong.identity.ric import mask_person_name, mask_resident_id
from xinyong.ingest.readers import RawRow
from xinyong.kernel.errors import FieldProblem
from xinyong.ledger import repository as ledger_repo


def _mask(field: FieldDef, value: str) -> str:
    if not value:
        return value
    return mask_resident_id(value) if field.type == "id_number" else mask_person_name(value)


def _problem_dict(p: FieldProblem) -> dict[str, Any]:
    d = p.as_dict()
    d.pop("row", None)
    return d


class RejectionSealer:
    """Builds the stored form of rejected rows for one file's column plan."""

    def __init__(
        self,
        columns: Iterable[tuple[int, FieldDef]],
        seal: Callable[[str], bytes],
        subject: SubjectMapping | None = None,
    ):
        columns = list(columns)
        personal = [(i, f) for i, f in columns if f.personal or f.type == "id_number"]
        self._cells = dict(personal)
        # The subject's name is personal when the subject is a person: a row giving a
        # certificate number and no USCC (what the validator would have keyed as a person).
        by_code = {f.code: (i, f) for i, f in columns}
        self._name = by_code.get(subject.name) if subject else None
        self._person_id = by_code.get(subject.person_id or "") if subject else None
        self._uscc = by_code.get(subject.uscc or "") if subject else None
        # Problems name their field by label "名称（CODE）" or by name alone.
        self._labels: dict[str, FieldDef] = {}
        for _, f in personal:
            self._labels[f"{f.name}（{f.code}）"] = f
            self._labels[f.name] = f
        self._seal = seal

    def _is_person(self, cells: Sequence[str]) -> bool:
        return bool(_cell(cells, self._person_id)) and not _cell(cells, self._uscc)

    def stored(self, raw: RawRow, problems: Sequence[FieldProblem]) -> dict[str, Any]:
        clear_problems = [_problem_dict(p) for p in problems]
        personal = dict(self._cells)
        labels = self._labels
        if self._name is not None and self._is_person(raw.cells):
            i, f = self._name
            personal[i] = f
            labels = {**labels, f"{f.name}（{f.code}）": f, f.name: f}
        cells = [
            redact_identifiers(_mask(personal[i], c) if i in personal else c)
            for i, c in enumerate(raw.cells)
        ]
        masked_problems = []
        for p in clear_problems:
            field = labels.get(str(p["field"]))
            value = str(p["value"])
            masked_problems.append(
                {
                    **p,
                    "value": redact_identifiers(_mask(field, value) if field else value),
                    "reason": redact_identifiers(str(p["reason"])),
                    "reason_en": redact_identifiers(str(p["reason_en"])),
                }
            )
        clear = json.dumps(
            {"cells": list(raw.cells), "problems": clear_problems}, ensure_ascii=False
        )
        return {
            "row_number": raw.number,
            "cells": json.dumps(cells, ensure_ascii=False),
            "problems": json.dumps(masked_problems, ensure_ascii=False),
            "sealed": self._seal(clear),
        }


def _cell(cells: Sequence[str], column: tuple[int, FieldDef] | None) -> str:
    return cells[column[0]].strip() if column is not None and column[0] < len(cells) else ""


def opened(
    stored: dict[str, Any], unseal: Callable[[bytes], str] | None
) -> tuple[RawRow, list[FieldProblem]]:
    """A stored rejected row back as (row, problems): clear when ``unseal`` is given and the
    row is sealed, masked otherwise."""
    if unseal is not None and stored.get("sealed"):
        clear = json.loads(unseal(stored["sealed"]))
        cells, problems = clear["cells"], clear["problems"]
    else:
        cells, problems = json.loads(stored["cells"]), json.loads(stored["problems"])
    n = stored["row_number"]
    return (
        RawRow(number=n, cells=tuple(cells)),
        [
            FieldProblem(
                n,
                p["field"],
                p["value"],
                p["reason"],
                p["reason_en"],
                severity=p.get("severity", "error"),
            )
            for p in problems
        ],
    )


def sealed_from_legacy(stored: dict[str, Any], sealer: RejectionSealer) -> dict[str, Any]:
    """The stored form of a row written before rows were sealed (its columns were clear)."""
    raw, problems = opened({**stored, "sealed": None}, None)
    return sealer.stored(raw, problems)


def reseal_rejections(conn: Connection, vault: PiiVault) -> int:
    """Every rejected row sealed under the current key (rows from before rows were sealed are
    masked and sealed); returns how many rows changed."""
    sealer = RejectionSealer((), vault.seal)
    changed = after = 0
    while batch := ledger_repo.rejected_rows_after(conn, after, 1000):
        after = batch[-1]["id"]
        for r in batch:
            if r["sealed"] is None:
                values = sealed_from_legacy(r, sealer)
                values.pop("row_number")
            elif vault.seal_version(bytes(r["sealed"])) != vault.version:
                values = {"sealed": vault.reseal(bytes(r["sealed"]))}
            else:
                continue
            ledger_repo.update_rejected(conn, r["id"], values)
            changed += 1
    return changed
