"""The credit file: grouping, provenance, as-of reads and the public window."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.creditfile.support import credit_file
from tests.helpers import ORG, add_department, csv_bytes, penalty, revoke
from xinyong.bootstrap import Platform
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import NotFound


def _records(cf: object) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for g in cf.as_dict()["groups"]:  # type: ignore[attr-defined]
        for item in g["items"]:
            out.extend(item["records"])
    return out


def _import(platform: Platform, rows: list[dict[str, str]]) -> None:
    platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )


def test_public_file_follows_the_window_and_internal_shows_all(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    _import(
        platform,
        [
            penalty(
                CF_WSH="一般", CF_CFLB="罚款", CF_JDRQ="2026-06-10"
            ),  # 一般: 3–12 months under 令107
            penalty(
                CF_WSH="警告", CF_CFLB="警告", CF_NR_FK="", CF_JDRQ="2026-06-11"
            ),  # warning only: never public
            penalty(
                CF_WSH="吊销", CF_CFLB="吊销许可证件", CF_NR_FK="", CF_JDRQ="2026-06-12"
            ),  # 严重
        ],
    )
    public = credit_file(platform, ORG, on=dt.date(2026, 6, 20), view="public")
    internal = credit_file(platform, ORG, on=dt.date(2026, 6, 20), view="internal")
    later = credit_file(platform, ORG, on=dt.date(2027, 6, 11), view="public")
    before = credit_file(platform, ORG, on=dt.date(2026, 6, 14), view="public")
    assert sorted(r["record_key"] for r in _records(public)) == ["一般", "吊销"]
    assert sorted(r["record_key"] for r in _records(internal)) == ["一般", "吊销", "警告"]
    warning = next(r for r in _records(internal) if r["record_key"] == "警告")
    assert warning["publication"]["status"] == "不公开"
    serious = next(r for r in _records(internal) if r["record_key"] == "吊销")
    assert serious["severity"] == "严重"
    assert serious["publication"]["public_until"] == "2029-06-12"
    assert serious["provenance"]["source_file"] == "p.csv"
    assert serious["provenance"]["source_row"] == 4
    # A year later the 一般 record (max 12 months) has left the public file; the 严重 one stays.
    assert [r["record_key"] for r in _records(later)] == ["吊销"]
    # Before the records were received nothing was public.
    assert _records(before) == []
    # Public records never carry personal fields.
    for r in _records(public):
        assert all(f["code"] != "CF_FR_ZJHM" for f in r["fields"])
    assert public.as_dict()["groups"][0]["category"] == internal.as_dict()["groups"][0]["category"]


def test_as_of_shows_what_the_ledger_said_then(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    _import(platform, [penalty(CF_NR_FK="0.2")])
    clock.set(dt.datetime(2026, 7, 1, 10, 0, tzinfo=CHINA_TZ))
    _import(platform, [penalty(CF_NR_FK="0.3")])
    june = credit_file(platform, ORG, on=dt.date(2026, 6, 20), view="internal")
    july = credit_file(platform, ORG, on=dt.date(2026, 7, 2), view="internal")

    def fine(cf: object) -> str:
        rec = _records(cf)[0]
        return next(f["value"] for f in rec["fields"] if f["code"] == "CF_NR_FK")

    assert fine(june) == "0.2"
    assert fine(july) == "0.3"
    assert [h["action"] for h in _records(july)[0]["history"]] == ["报送", "更正"]


def test_unknown_and_invalid_codes(platform: Platform) -> None:
    with pytest.raises(NotFound) as invalid:
        credit_file(platform, "91610000ABCDEFGHIJ", on=dt.date(2026, 6, 1), view="public")
    with pytest.raises(NotFound) as unknown:
        credit_file(platform, ORG, on=dt.date(2026, 6, 1), view="public")
    assert "统一社会信用代码" in invalid.value.message_zh
    assert "未找到" in unknown.value.message_zh


def test_revoked_record_leaves_the_public_file_but_keeps_its_history(
    platform: Platform, clock: FixedClock
) -> None:
    from xinyong.kernel.errors import PermissionDenied

    add_department(platform)
    add_department(platform, "sthj", "ecology")
    clock.set(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA_TZ))
    _import(platform, [penalty()])
    record = "陕市监罚〔2026〕1号"
    with pytest.raises(PermissionDenied):
        revoke(platform, "sthj", "XZCF", ORG, record, "x")
    clock.set(dt.datetime(2026, 7, 1, 10, 0, tzinfo=CHINA_TZ))
    revoke(platform, "scjg", "XZCF", ORG, record, "复议撤销")
    june = credit_file(platform, ORG, on=dt.date(2026, 6, 20), view="public")
    july = credit_file(platform, ORG, on=dt.date(2026, 7, 2), view="public")
    internal = credit_file(platform, ORG, on=dt.date(2026, 7, 2), view="internal")
    assert len(_records(june)) == 1  # what was public before the revocation stays provable
    assert _records(july) == []
    rec = _records(internal)[0]
    assert rec["revoked"] is True
    assert rec["publication"]["status"] == "已撤销"
    assert [h["action"] for h in rec["history"]] == ["报送", "撤销"]
    # Sending the same row again reinstates it as a correction.
    result = platform.importer().import_bytes(
        csv_bytes([penalty()]), filename="p.csv", department_code="scjg", item_code="XZCF"
    )
    assert result.corrections == 1


def test_public_view_never_shows_a_record_outside_its_window(
    platform: Platform, clock: FixedClock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """Over a generated province and dates across four years, every public record is inside
    its window, received by then, not revoked, and about an organisation."""
    from xinyong.demo.generator import DEPARTMENTS, generate_files
    from xinyong.identity import repository as identity_repo

    for code, _, sector, _ in DEPARTMENTS:
        add_department(platform, code, sector)
    clock.set(dt.datetime(2026, 11, 20, 10, 0, tzinfo=CHINA_TZ))
    for f in generate_files(tmp_path, subjects=60, seed=5, today=clock.today()):
        platform.importer().import_bytes(
            f.path.read_bytes(),
            filename=f.path.name,
            department_code=f.department,
            item_code=f.item,
        )
    with platform.engine.connect() as conn:
        keys = [r["key"] for r in identity_repo.search_subjects(conn, "", limit=1000)]
    checked = 0
    for day_offset in range(0, 4 * 365, 45):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=day_offset)
        for key in keys[:25]:
            cf = credit_file(platform, key, on=day, view="public")
            for rec in _records(cf):
                pub = rec["publication"]
                assert pub["status"] == "公示中"
                assert pub["public_from"] is None or pub["public_from"] <= day.isoformat()
                assert pub["public_until"] is None or day.isoformat() < pub["public_until"]
                assert not rec["revoked"]
                checked += 1
    assert checked > 0
