"""The objections service called with a platform: what the API, the CLI, the console and the
subject's pages share (each of them only decides who the caller is and how to answer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from xinyong.bootstrap import Platform
from xinyong.kernel.errors import PermissionDenied
from xinyong.objections import service as objections


def file(
    conn: Connection,
    platform: Platform,
    *,
    entry_id: int,
    grounds: str,
    statement: str,
    actor: str,
    role: str,
    subject_uscc: str | None = None,
    measure: str | None = None,
    department_code: str | None = None,
) -> dict[str, Any]:
    """File an objection. A department files only about the records it provided (checked
    after the service found the record; the caller's transaction rolls back the filing)."""
    row = objections.file(
        conn,
        platform.objection_regimes(),
        platform.sanctions,
        platform.calendar,
        entry_id=entry_id,
        grounds=grounds,
        statement=statement,
        actor=actor,
        role=role,
        now=platform.clock.now(),
        catalogue_version=platform.catalogue.snapshot.version,
        subject_uscc=subject_uscc,
        measure=measure,
    )
    if role == "department" and row["department_code"] != department_code:
        raise PermissionDenied(
            f"department {department_code} files for a record of {row['department_code']}",
            "部门只能代当事人对本部门提供的信用记录提出异议",
        )
    return row


def step(
    conn: Connection,
    platform: Platform,
    objection_id: int,
    name: str,
    *,
    actor: str,
    role: str,
    department_code: str | None = None,
    reason: str | None = None,
    outcome: str | None = None,
    corrections: Mapping[str, str] | None = None,
    extended_until: dt.date | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    return objections.step(
        conn,
        platform.objection_regimes(),
        platform.sanctions,
        platform.catalogue,
        platform.calendar,
        objection_id,
        name,
        actor=actor,
        role=role,
        now=platform.clock.now(),
        department_code=department_code,
        reason=reason,
        outcome=outcome,
        corrections=corrections,
        extended_until=extended_until,
        expected_version=expected_version,
    )


def view(
    conn: Connection,
    platform: Platform,
    objection_id: int,
    *,
    role: str | None = None,
    for_subject: str | None = None,
    department_code: str | None = None,
) -> dict[str, Any]:
    return objections.view(
        conn,
        platform.catalogue,
        platform.sanctions,
        platform.objection_regimes(),
        objection_id,
        today=platform.clock.today(),
        role=role,
        for_subject=for_subject,
        department_code=department_code,
    )


def find(
    conn: Connection,
    platform: Platform,
    *,
    subject_key: str | None = None,
    department_code: str | None = None,
    state: str | None = None,
    open_only: bool = False,
    overdue_only: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    return objections.find(
        conn,
        platform.catalogue,
        platform.sanctions,
        platform.objection_regimes(),
        today=platform.clock.today(),
        subject_key=subject_key,
        department_code=department_code,
        state=state,
        open_only=open_only,
        overdue_only=overdue_only,
        page=page,
        page_size=page_size,
    )
