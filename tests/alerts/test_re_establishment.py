"""易地开张: a listed organisation's legal representative, or a banned person, turns up as the
legal representative of another subject — detected per import batch, at publication, by scan."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select

from tests.alerts.support import (
    ORG2_NAME,
    REP,
    alert_rows,
    import_rows,
    org2_penalty,
    publish,
    revoke_listing,
)
from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty
from xinyong.access.tables import audit_log
from xinyong.alerts import repository
from xinyong.alerts import service as alerts
from xinyong.alerts.tables import alerts as alerts_table
from xinyong.bootstrap import Platform
from xinyong.identity.ric import mask_resident_id
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import InputError
from xinyong.lists.tables import list_memberships

ORG_NAME = "西安市碑林区示例科技有限公司"


@pytest.fixture(autouse=True, params=["from_batch", "from_lists"])
def side(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run every case with the batch's new relations searched from either side: the two
    ways must find the same links (small tests would otherwise only start from the lists)."""
    from_batch = request.param == "from_batch"
    monkeypatch.setattr(repository, "SMALL_BATCH", 10**9 if from_batch else 0)
    monkeypatch.setattr(repository, "FANOUT_GUESS", 0 if from_batch else 10**9)
    return str(request.param)


def _scan(platform: Platform) -> list[dict]:  # type: ignore[type-arg]
    with platform.engine.begin() as conn:
        return alerts.scan(
            conn,
            today=platform.clock.today(),
            now=platform.clock.now(),
            sanctions=platform.sanctions,
        )


def _membership_id(platform: Platform, subject: str) -> int:
    with platform.engine.connect() as conn:
        return int(
            conn.execute(
                select(list_memberships.c.id).where(list_memberships.c.subject_key == subject)
            ).scalar_one()
        )


def _assert_no_clear_identity(rows: object) -> None:
    text = str(rows)
    assert REP not in text
    assert REP[6:14] not in text  # not even the birth date part
    assert "张三" not in text


def test_new_company_of_a_blacklisted_companys_legal_rep_is_alerted_once(
    platform: Platform,
) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    publish(platform, ORG)
    assert alert_rows(platform) == []  # 张三 represents nothing else yet
    result = import_rows(platform, org2_penalty(), name="new.csv")
    rows = alert_rows(platform)
    assert len(rows) == 1
    a = rows[0]
    assert (a["kind"], a["status"], a["subject_key"], a["related_key"]) == (
        "re_establishment",
        "open",
        ORG2,
        ORG,
    )
    assert a["person_key"] == platform.vault.subject_key(REP)
    assert (a["department_code"], a["batch_id"]) == ("scjg", result.batch_id)
    d = a["detail"]
    assert d["via"] == "legal_representative"
    assert d["subject"] == {"code": ORG2, "name": ORG2_NAME}
    assert d["listed_subject"] == {"code": ORG, "name": ORG_NAME}
    assert d["person"]["id"] == mask_resident_id(REP)
    assert d["person"]["name"] == "张*"
    assert d["person"]["role_label"] == "法定代表人"
    assert [(e["entry"], e["list_type"], e["list_name"], e["kind"]) for e in d["entries"]] == [
        (_membership_id(platform, ORG), "SAMR_SERIOUS", "市场监督管理严重违法失信名单", "black")
    ]
    assert d["relation"]["after_listing"] is True
    assert d["source"]["batch"] == result.batch_id
    assert (d["source"]["file"], d["source"]["row"], d["source"]["item"]) == ("new.csv", 2, "XZCF")
    for part in (ORG, ORG_NAME, ORG2, ORG2_NAME, mask_resident_id(REP), "张*", "易地开张"):
        assert part in a["summary"]
    _assert_no_clear_identity(rows)
    # The same situation again — the identical file, another record, a scan — adds nothing.
    import_rows(platform, org2_penalty(), name="new.csv")
    import_rows(platform, org2_penalty(CF_WSH="陕市监罚〔2026〕3号"), name="more.csv")
    assert _scan(platform) == []
    assert [r["id"] for r in alert_rows(platform)] == [a["id"]]


def test_banned_person_as_legal_rep_of_a_new_subject(platform: Platform) -> None:
    add_department(platform)
    person = platform.vault.subject_key(REP)
    publish(platform, person, "BAN_FOOD_LIFE")
    result = import_rows(platform, org2_penalty())
    rows = alert_rows(platform)
    assert len(rows) == 1
    a = rows[0]
    assert (a["subject_key"], a["related_key"], a["person_key"]) == (ORG2, person, person)
    assert a["batch_id"] == result.batch_id
    d = a["detail"]
    assert d["via"] == "person_ban"
    assert d["listed_subject"] is None
    assert d["person"]["id"] == mask_resident_id(REP)
    assert [(e["list_type"], e["kind"]) for e in d["entries"]] == [("BAN_FOOD_LIFE", "ban")]
    assert d["entries"][0]["list_name"] in a["summary"]
    assert ORG2 in a["summary"]
    _assert_no_clear_identity(rows)
    # A second company of the same banned person is another situation.
    import_rows(platform, penalty(CF_WSH="陕市监罚〔2026〕7号"), name="b.csv")
    assert sorted(r["subject_key"] for r in alert_rows(platform)) == sorted([ORG, ORG2])


def test_no_alert_once_the_listing_has_ended(platform: Platform, clock: FixedClock) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    case_id = publish(platform, ORG)
    revoke_listing(platform, case_id)
    import_rows(platform, org2_penalty())
    assert alert_rows(platform) == []
    assert _scan(platform) == []


def test_no_alert_after_the_listing_period_even_before_the_expiry_job(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    clock.set(dt.datetime(2026, 5, 4, 10, 0, tzinfo=CHINA_TZ))
    import_rows(platform, penalty(CF_JDRQ="2026-04-30"))
    publish(platform, ORG)
    clock.set(dt.datetime(2029, 5, 4, 10, 0, tzinfo=CHINA_TZ))  # 36 months later: ended
    import_rows(platform, org2_penalty(CF_JDRQ="2029-04-30"))
    assert alert_rows(platform) == []


def test_the_listed_organisation_itself_is_not_alerted(platform: Platform) -> None:
    add_department(platform)
    publish(platform, ORG)  # listed before any record of it arrived
    # One batch names 张三 for the listed company and for another one.
    import_rows(platform, penalty(), org2_penalty())
    rows = alert_rows(platform)
    assert [(r["subject_key"], r["related_key"]) for r in rows] == [(ORG2, ORG)]
    import_rows(platform, penalty(CF_WSH="陕市监罚〔2026〕9号"), name="again.csv")
    assert _scan(platform) == []
    assert len(alert_rows(platform)) == 1


def test_listed_company_whose_legal_rep_is_learned_later(platform: Platform) -> None:
    add_department(platform)
    first = import_rows(platform, org2_penalty())
    publish(platform, ORG)  # nothing on record links ORG to anyone yet
    assert alert_rows(platform) == []
    import_rows(platform, penalty(), name="org.csv")  # now: 张三 represents the listed ORG
    rows = alert_rows(platform)
    assert [(r["subject_key"], r["related_key"]) for r in rows] == [(ORG2, ORG)]
    assert rows[0]["batch_id"] == first.batch_id  # the batch that brought ORG2's link


def test_listing_after_the_import_is_caught_at_publication_and_by_the_scan(
    platform: Platform, clock: FixedClock
) -> None:
    add_department(platform)
    first = import_rows(platform, penalty())
    second = import_rows(platform, org2_penalty(), name="org2.csv")
    assert alert_rows(platform) == []  # nobody is listed yet
    clock.advance(dt.timedelta(days=30))
    publish(platform, ORG)
    rows = alert_rows(platform)
    assert [(r["subject_key"], r["related_key"], r["batch_id"]) for r in rows] == [
        (ORG2, ORG, second.batch_id)
    ]
    assert rows[0]["detail"]["relation"]["after_listing"] is False
    assert "列入前" in rows[0]["summary"]
    assert first.batch_id != second.batch_id
    assert _scan(platform) == []
    # A database that had these records before alerts existed: the scan finds them, once.
    with platform.engine.begin() as conn:
        conn.execute(delete(alerts_table))
    created = _scan(platform)
    assert [(a["subject"], a["related"], a["status"]) for a in created] == [(ORG2, ORG, "open")]
    assert _scan(platform) == []
    _assert_no_clear_identity(created)


def test_office_acknowledges_then_dismisses_and_a_scan_does_not_reopen(
    platform: Platform,
) -> None:
    add_department(platform)
    import_rows(platform, penalty())
    publish(platform, ORG)
    import_rows(platform, org2_penalty())
    (a,) = alert_rows(platform)
    now = platform.clock.now()
    with platform.engine.begin() as conn:
        acked = alerts.handle(conn, a["id"], "acknowledge", actor="office:李", note="", now=now)
        assert (acked["status"], acked["handled_by"]) == ("acknowledged", "office:李")
        with pytest.raises(InputError) as refused:
            alerts.handle(conn, a["id"], "dismiss", actor="office:李", note="  ", now=now)
        assert "理由" in refused.value.message_zh
        done = alerts.handle(
            conn, a["id"], "dismiss", actor="office:李", note="经核实系同名不同人", now=now
        )
        assert (done["status"], done["note"]) == ("dismissed", "经核实系同名不同人")
        actions = [
            r[0]
            for r in conn.execute(
                select(audit_log.c.action).where(audit_log.c.target == f"alert:{a['id']}")
            )
        ]
    assert actions == ["alert_acknowledge", "alert_dismiss"]
    assert _scan(platform) == []
    import_rows(platform, org2_penalty(CF_WSH="陕市监罚〔2026〕5号"), name="later.csv")
    (again,) = alert_rows(platform)
    assert again["status"] == "dismissed"
    with platform.engine.connect() as conn:
        assert alerts.list_alerts(conn)["total"] == 0  # open only, by default
        assert alerts.list_alerts(conn, status=None)["total"] == 1


def test_a_list_fed_by_department_records_alerts_from_its_own_batch(platform: Platform) -> None:
    add_department(platform)
    add_department(platform, "gy", "court")
    import_rows(platform, penalty())
    import_rows(platform, org2_penalty(), name="org2.csv")
    assert alert_rows(platform) == []
    # The court's feed lists ORG (失信被执行人): that batch completes the link to ORG2.
    court = platform.importer().import_bytes(
        csv_bytes([_defaulter()]), filename="sx.csv", department_code="gy", item_code="SXBZXR"
    )
    rows = alert_rows(platform)
    assert [(r["subject_key"], r["related_key"]) for r in rows] == [(ORG2, ORG)]
    (entry,) = rows[0]["detail"]["entries"]
    assert (entry["list_type"], entry["kind"], entry["department"]) == (
        "COURT_DEFAULTER",
        "black",
        "gy",
    )
    assert entry["list_name"] == platform.sanctions.list_type("COURT_DEFAULTER").name
    assert entry["list_name"] in rows[0]["summary"]
    assert rows[0]["batch_id"] != court.batch_id  # the batch that brought ORG2's link
    _assert_no_clear_identity(rows)


def _defaulter() -> dict[str, str]:
    return {
        "被执行人名称": ORG_NAME,
        "统一社会信用代码": ORG,
        "法定代表人": "张三",
        "执行法院": "西安市中级人民法院",
        "案号": "（2026）陕01执123号",
        "立案日期": "2026-03-02",
        "失信被执行人行为具体情形": "有履行能力而拒不履行生效法律文书确定义务",
        "发布日期": "2026-06-01",
    }
