"""Shared steps of the objection tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.helpers import ORG, add_department, csv_bytes, penalty
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.catalog.objections import national_regimes
from xinyong.checks import service as checks
from xinyong.creditfile.service import build_credit_file
from xinyong.ledger.tables import entries
from xinyong.objections import service as objections


def penalty_entry(platform: Platform, dept: str = "scjg", **overrides: str) -> int:
    """Import one penalty of ORG; its entry id."""
    with platform.engine.connect() as conn:
        known = any(d["code"] == dept for d in access.departments(conn))
    if not known:
        add_department(platform, dept)
    result = platform.importer().import_bytes(
        csv_bytes([penalty(**overrides)]), filename="x.csv", department_code=dept, item_code="XZCF"
    )
    assert result.accepted == 1
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                select(entries.c.id)
                .where(entries.c.item_code == "XZCF")
                .order_by(entries.c.id.desc())
            )
            .scalars()
            .first()
        )


def file(platform: Platform, entry: int, *, uscc: str = ORG, **kw: Any) -> dict[str, Any]:
    with platform.transaction() as conn:
        return objections.file(
            conn,
            national_regimes(),
            platform.sanctions,
            platform.calendar,
            entry_id=entry,
            grounds=kw.pop("grounds", "wrong_content"),
            statement=kw.pop("statement", "处罚金额有误，应为1000元"),
            actor=kw.pop("actor", f"subject:{uscc}"),
            role=kw.pop("role", "subject"),
            now=platform.clock.now(),
            catalogue_version=platform.catalogue.snapshot.version,
            subject_uscc=uscc,
            **kw,
        )


def step(platform: Platform, objection: int, name: str, **kw: Any) -> dict[str, Any]:
    role = kw.pop("role", "office" if name == "push" else "department")
    with platform.transaction() as conn:
        return objections.step(
            conn,
            national_regimes(),
            platform.sanctions,
            platform.catalogue,
            platform.calendar,
            objection,
            name,
            actor=kw.pop("actor", "staff"),
            role=role,
            now=platform.clock.now(),
            department_code=kw.pop("department_code", "scjg" if role == "department" else None),
            **kw,
        )


def view(platform: Platform, objection: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return objections.view(
            conn,
            platform.catalogue,
            platform.sanctions,
            national_regimes(),
            objection,
            today=platform.clock.today(),
            role="department",
        )


def check(platform: Platform, subject: str = ORG) -> dict[str, Any]:
    """A check through the server's read model (what a business system gets)."""
    return dict(
        checks.check(
            None,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario="government_procurement",
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="t",
            record=lambda row: None,
            source=platform.check_read_model(),
        )
    )


def public_file(platform: Platform, subject: str = ORG) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return build_credit_file(
            conn,
            platform.catalogue,
            subject,
            as_of=platform.clock.today(),
            view="public",
            sanctions=platform.sanctions,
        ).as_dict()


def records(cf: dict[str, Any], item: str = "XZCF") -> list[dict[str, Any]]:
    return [r for g in cf["groups"] for i in g["items"] if i["item"] == item for r in i["records"]]
