"""Key versions: seals name their key, a rotation re-seals and keeps every person one subject."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select

from tests.helpers import add_department, csv_bytes, person_penalty, resident_id, revoke
from xinyong.bootstrap import Platform, build_platform
from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.identity.pii import PiiError, PiiVault
from xinyong.identity.service import rekey_persons
from xinyong.identity.tables import subjects
from xinyong.ingest.rejections import reseal_rejections
from xinyong.kernel.calendar import WorkCalendar
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings
from xinyong.ledger.tables import rejected_rows

OLD, NEW = "11" * 32, "33" * 32


def test_seals_carry_their_key_version() -> None:
    old = PiiVault(bytes.fromhex(OLD))
    blob = old.seal("610102199003074410")
    assert PiiVault.seal_version(blob) == 1
    rotating = PiiVault(bytes.fromhex(NEW), version=2, previous={1: bytes.fromhex(OLD)})
    assert rotating.unseal(blob) == "610102199003074410"
    renewed = rotating.reseal(blob)
    assert PiiVault.seal_version(renewed) == 2
    assert rotating.reseal(renewed) is renewed
    after = PiiVault(bytes.fromhex(NEW), version=2)
    assert after.unseal(renewed) == "610102199003074410"
    with pytest.raises(PiiError) as err:
        after.unseal(blob)
    assert "未配置" in err.value.message_zh
    # The same number, another key: another keyed hash; the old one still computable.
    number = "610102199003074410"
    assert rotating.subject_key(number) != old.subject_key(number)
    assert rotating.subject_key(number, 1) == old.subject_key(number)
    assert rotating.previous_subject_keys(number) == [old.subject_key(number)]


def _platform(
    engine: Engine,
    clock: FixedClock,
    national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar],
    settings: Settings,
) -> Platform:
    catalogue, sanctions, calendar = national
    return build_platform(
        settings,
        clock=clock,
        engine=engine,
        catalogue=catalogue,
        sanctions=sanctions,
        calendar=calendar,
    )


def _people(seq: str) -> bytes:
    rows = [
        person_penalty(
            resident_id("610103", "19751231", f"{i:03d}"), name=f"李{i}", CF_WSH=f"{seq}-{i}号"
        )
        for i in range(23)
    ]
    # One rejected row with a clear ID number (a date that does not exist).
    rows.append({**rows[0], "CF_WSH": f"{seq}-x号", "CF_JDRQ": "2026-13-01"})
    return csv_bytes(rows)


def _persons(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(subjects).where(subjects.c.kind == "person")
        ).scalar_one()


def test_rotation_keeps_every_person_one_subject(
    engine: Engine,
    clock: FixedClock,
    national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar],
    tmp_path: object,
) -> None:
    base = {"data_dir": f"{tmp_path}/var", "check_cache_refresh_ms": 0}
    before = _platform(engine, clock, national, Settings(secret_key=OLD, **base))  # type: ignore[arg-type]
    add_department(before, "yjgl", "safety")
    first = before.importer().import_bytes(
        _people("A"), filename="a.csv", department_code="yjgl", item_code="XZCF"
    )
    assert (first.accepted, first.rejected) == (23, 1)
    assert _persons(before) == 23

    rotating = _platform(
        engine,
        clock,
        national,
        Settings(
            secret_key=NEW,
            secret_key_version=2,
            previous_secret_keys=f"1:{OLD}",
            **base,  # type: ignore[arg-type]
        ),
    )
    with rotating.engine.begin() as conn:
        renewed, aliases = rekey_persons(conn, rotating.vault, clock.now())
        resealed = reseal_rejections(conn, rotating.vault)
    assert (renewed, aliases, resealed) == (23, 23, 1)
    with rotating.engine.begin() as conn:  # idempotent
        assert rekey_persons(conn, rotating.vault, clock.now()) == (0, 0)
        assert reseal_rejections(conn, rotating.vault) == 0

    # A restart with the old key gone: old seals were renewed, persons found by alias.
    after = _platform(
        engine,
        clock,
        national,
        Settings(secret_key=NEW, secret_key_version=2, **base),  # type: ignore[arg-type]
    )
    with after.engine.connect() as conn:
        for (blob,) in conn.execute(
            select(subjects.c.id_sealed).where(subjects.c.kind == "person")
        ):
            assert json.loads(after.vault.unseal(bytes(blob)))["id"].startswith("610103")
        sealed = [bytes(r[0]) for r in conn.execute(select(rejected_rows.c.sealed))]
    assert [PiiVault.seal_version(b) for b in sealed] == [2]
    again = after.importer().import_bytes(
        _people("B"), filename="b.csv", department_code="yjgl", item_code="XZCF"
    )
    assert again.accepted == 23
    assert _persons(after) == 23
    with after.engine.connect() as conn:
        keys = {
            r[0] for r in conn.execute(select(subjects.c.key).where(subjects.c.kind == "person"))
        }
    assert first_keys(after) == keys  # records before and after: the same 23 subjects
    # A record filed before the rotation is found by the ID number after it.
    revoke(after, "yjgl", "XZCF", resident_id("610103", "19751231", "000"), "A-0号", "报送有误")
    # A repeated record is still a duplicate: same subject key, same content.
    resent = after.importer().import_bytes(
        _people("A"), filename="a2.csv", department_code="yjgl", item_code="XZCF"
    )
    assert resent.duplicates == 22
    assert resent.accepted == 1  # the revoked one, asserted again


def first_keys(platform: Platform) -> set[str]:
    from xinyong.ledger.tables import entries

    with platform.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(entries.c.subject_key).distinct())}
