"""Integrity education (诚信教育) on both engines: a session, attendance with the legal
representative masked, the certificate (after the session only, for an attendee, once), the
audit rows and outbox events; bad input refused with the Chinese reason and nothing written;
and repair where a regime requires training (Shaanxi 2018 (十六)): the condition met or not
from the subject's certificates, the application citing one of its own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers import ORG, ORG2, add_department, csv_bytes, penalty, resident_id
from xinyong.access.tables import audit_log
from xinyong.bootstrap import Platform
from xinyong.cases.attachments import Upload
from xinyong.cases.tables import cases as cases_table
from xinyong.commitments import rules
from xinyong.commitments import service as commitments
from xinyong.commitments.tables import training_attendance, trainings
from xinyong.events.tables import outbox_events as outbox
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.errors import (
    Conflict,
    InputError,
    NotFound,
    PermissionDenied,
    XinyongError,
)
from xinyong.repair import service as repair

PDF = b"%PDF-1.7\n% proof\n"


@contextmanager
def refused(kind: type[XinyongError], zh: str) -> Iterator[Any]:
    """The error raised, its Chinese message naming ``zh``."""
    with pytest.raises(kind) as info:
        yield info
    assert zh in info.value.message_zh, info.value.message_zh


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=CHINA_TZ)


def _setup(platform: Platform) -> None:
    add_department(platform)  # scjg
    add_department(platform, "swj", "tax", "省税务局")
    for code in (ORG, ORG2):
        platform.importer().import_bytes(
            csv_bytes([penalty(CF_XDR_SHXYM=code, CF_WSH=f"陕市监罚〔2026〕{code[-3:]}号")]),
            filename="p.csv",
            department_code="scjg",
            item_code="XZCF",
        )


def _create(platform: Platform, held_on: dt.date, dept: str = "scjg", **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "title": "失信主体诚信教育专题培训",
        "place": "西安市未央区行政中心",
        "department_code": dept,
        "acting_department": dept,
    }
    args.update(kw)
    with platform.transaction() as conn:
        return commitments.create_training(
            conn, held_on=held_on, actor=f"department:{dept}", now=platform.clock.now(), **args
        )


def _attend(platform: Platform, tid: int, subject: str = ORG, **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"representative": "王建国", "acting_department": "scjg"}
    args.update(kw)
    with platform.transaction() as conn:
        return commitments.attend(
            conn,
            platform.commitment_deps(),
            tid,
            subject=subject,
            actor="department:scjg",
            now=platform.clock.now(),
            **args,
        )


def _certify(
    platform: Platform, tid: int, subject: str = ORG, dept: str | None = "scjg"
) -> dict[str, Any]:
    with platform.transaction() as conn:
        return commitments.certify(
            conn,
            tid,
            subject,
            vault=platform.vault,
            acting_department=dept,
            actor=f"department:{dept}",
            now=platform.clock.now(),
        )


def _counts(platform: Platform) -> tuple[int, int, int, int]:
    with platform.engine.connect() as conn:
        certified = conn.execute(
            select(func.count())
            .select_from(training_attendance)
            .where(training_attendance.c.certificate.is_not(None))
        ).scalar_one()
        return (
            int(conn.execute(select(func.count()).select_from(trainings)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(training_attendance)).scalar_one()),
            int(certified),
            int(conn.execute(select(func.count()).select_from(outbox)).scalar_one()),
        )


def _events(platform: Platform) -> list[tuple[str, str | None, dict[str, Any]]]:
    with platform.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.kind, outbox.c.subject_key, outbox.c.payload).order_by(outbox.c.id)
        )
        return [(k, s, json.loads(p)) for k, s, p in rows if k.startswith("training.")]


def test_session_attendance_certificate(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 9, 1))
    _setup(platform)
    session = _create(platform, dt.date(2026, 9, 10))
    assert session["department_label"] == "部门scjg"
    assert session["free_of_charge"] is True
    assert session["market_entry_condition"] is False
    tid = session["id"]
    # Not yet held: neither attendance nor a certificate.
    with refused(Conflict, "尚未举办"):
        _attend(platform, tid)
    clock.set(at(2026, 9, 10, 15))
    number = resident_id()
    view = _attend(platform, tid, representative_id=number)
    [a] = view["attendance"]
    assert a["subject"] == {"code": ORG, "name": "西安市碑林区示例科技有限公司"}
    assert a["representative"] == "王** 610102********" + number[-4:]
    assert "王建国" not in json.dumps(view, ensure_ascii=False)
    assert number not in json.dumps(view, ensure_ascii=False)
    with platform.engine.connect() as conn:
        stored = conn.execute(select(training_attendance.c.representative_masked)).scalar_one()
    assert "建国" not in stored
    assert number not in stored
    assert a["certificate"] is None
    # Certificate on the session's day, for the attendee, once.
    cert = _certify(platform, tid)
    assert re.fullmatch(r"PX2026SCJG\d{6}", cert["certificate"]), cert
    assert cert["subject"]["code"] == ORG
    before = _counts(platform)
    with refused(Conflict, "不能重复发放"):
        _certify(platform, tid)
    with refused(Conflict, "未登记参加本次培训"):
        _certify(platform, tid, ORG2)
    assert _counts(platform) == before
    with platform.engine.connect() as conn:
        view = commitments.training_view(conn, tid)
        mine = commitments.subject_trainings(conn, ORG)
        listed = commitments.find_trainings(conn, department_code="swj")
        everything = commitments.find_trainings(conn)
        actions = [r[0] for r in conn.execute(select(audit_log.c.action).order_by(audit_log.c.id))]
    assert (view["attendees"], view["certified"]) == (1, 1)
    assert mine[0]["certificate"] == cert["certificate"]
    assert mine[0]["department_label"] == "部门scjg"
    assert listed["total"] == 0
    assert everything["total"] == 1
    assert everything["items"][0]["attendees"] == 1
    assert [a for a in actions if "training" in a] == [
        "create_training",
        "record_training_attendance",
        "issue_training_certificate",
    ]
    assert [(k, s) for k, s, _ in _events(platform)] == [
        ("training.attended", ORG),
        ("training.certified", ORG),
    ]
    assert _events(platform)[1][2]["certificate"] == cert["certificate"]
    assert _events(platform)[1][2]["department"] == "scjg"


def test_bad_input_writes_nothing(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 9, 10))
    _setup(platform)
    tid = _create(platform, dt.date(2026, 9, 9))["id"]
    _attend(platform, tid)
    before = _counts(platform)
    with refused(InputError, "title（培训名称）不能为空"):
        _create(platform, dt.date(2026, 9, 9), title="  ")
    with refused(PermissionDenied, "部门只能为本部门组织"):
        _create(platform, dt.date(2026, 9, 9), dept="swj", acting_department="scjg")
    with refused(InputError, "未登记"):
        _create(platform, dt.date(2026, 9, 9), dept="nope", acting_department=None)
    # Unknown subject: a valid USCC the platform has no record of.
    stranger = make_uscc("9", "1", "610102", "MA6T9K9X")
    with refused(NotFound, "尚未在平台登记"):
        _attend(platform, tid, stranger)
    with refused(InputError, "subject"):
        _attend(platform, tid, "91610102XXXXXXXXXX")
    with refused(Conflict, "不能重复登记"):
        _attend(platform, tid)
    with refused(PermissionDenied, "其他部门组织"):
        _attend(platform, tid, ORG2, acting_department="swj")
    with refused(PermissionDenied, "其他部门组织"):
        _certify(platform, tid, dept="swj")
    bad_id = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")
    with refused(InputError, "法定代表人身份证号码") as info:
        _attend(platform, tid, ORG2, representative_id=bad_id)
    assert bad_id not in info.value.message_zh
    with refused(InputError, "法定代表人姓名"):
        _attend(platform, tid, ORG2, representative=" ")
    with refused(NotFound, "不存在"):
        _attend(platform, 999, ORG2)
    assert _counts(platform) == before
    # The credit office acts for any department.
    view = _attend(platform, tid, ORG2, acting_department=None)
    assert view["attendees"] == 2


def test_certificate_number_rule() -> None:
    assert rules.certificate_number(dt.date(2026, 1, 5), "scjg", 7) == "PX2026SCJG000007"
    long = rules.certificate_number(dt.date(2026, 1, 5), "d" * 40, 1234567)
    assert len(long) <= 40
    assert long.endswith("1234567")


def _training_deps(platform: Platform) -> repair.Deps:
    deps = platform.repair_deps()
    regimes = dataclasses.replace(
        deps.regimes,
        regimes=tuple(
            r.model_copy(update={"requires_training": True}) for r in deps.regimes.regimes
        ),
    )
    return dataclasses.replace(deps, regimes=regimes)


def _repair_conditions(platform: Platform, deps: repair.Deps) -> tuple[int, dict[str, Any]]:
    with platform.engine.begin() as conn:
        view = repair.eligibility_view(conn, deps, ORG, platform.clock.today())
    [r] = view["records"]
    return int(r["record"]["entry"]), r


def _apply(platform: Platform, deps: repair.Deps, record: int, **kw: Any) -> int:
    with platform.transaction() as conn:
        return repair.apply(
            conn,
            deps,
            subject_key=ORG,
            record=record,
            kind="ordinary",
            commitment_signed=True,
            signatory="王经理",
            materials=[Upload("缴款凭证.pdf", PDF)],
            actor="subject:" + ORG,
            now=platform.clock.now(),
            **kw,
        ).id


def test_repair_requires_training(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 9, 29))
    _setup(platform)  # penalties decided 2026-06-10: eligible under 令107 from 2026-09-10
    deps = _training_deps(platform)
    # National regimes do not ask for training.
    _, plain = _repair_conditions(platform, platform.repair_deps())
    assert "TRAINING" not in {c["code"] for c in plain["conditions"]}
    assert plain["regime"]["requires_training"] is False
    record, r = _repair_conditions(platform, deps)
    [cond] = [c for c in r["conditions"] if c["code"] == "TRAINING"]
    assert cond["label"] == "已参加诚信教育并取得证书"
    assert cond["status"] == "unmet"
    assert r["result"] == "not_eligible"
    # ORG2's certificate is not ORG's.
    tid = _create(platform, dt.date(2026, 9, 28))["id"]
    _attend(platform, tid, ORG2)
    other = _certify(platform, tid, ORG2)["certificate"]
    _attend(platform, tid, ORG)
    _, r = _repair_conditions(platform, deps)
    assert r["result"] == "not_eligible"
    own = _certify(platform, tid, ORG)["certificate"]
    _, r = _repair_conditions(platform, deps)
    [cond] = [c for c in r["conditions"] if c["code"] == "TRAINING"]
    assert cond["status"] == "met"
    assert own in cond["detail"]
    assert r["result"] == "eligible"
    with platform.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(cases_table)).scalar_one()
    with refused(InputError, "请填写所取得的证书编号"):
        _apply(platform, deps, record)
    with refused(InputError, "不属于该主体"):
        _apply(platform, deps, record, training_certificate=other)
    with refused(InputError, "不存在"):
        _apply(platform, deps, record, training_certificate="PX2026NOPE000001")
    with platform.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cases_table)).scalar_one() == n
    case_id = _apply(platform, deps, record, training_certificate=own)
    with platform.engine.begin() as conn:
        view = repair.case_view(conn, deps, case_id, today=platform.clock.today(), role=None)
    assert view["commitment"]["training_certificate"] == own


def test_training_before_the_finding_does_not_count(platform: Platform, clock: FixedClock) -> None:
    clock.set(at(2026, 6, 1))
    add_department(platform)
    tid = _create(platform, dt.date(2026, 6, 1))["id"]
    clock.set(at(2026, 6, 12))
    platform.importer().import_bytes(
        csv_bytes([penalty(CF_XDR_SHXYM=ORG)]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    # The subject is known only after the import; attendance recorded then, for a session
    # held before the penalty's decision (2026-06-10).
    clock.set(at(2026, 9, 29))
    _attend(platform, tid)
    _certify(platform, tid)
    _, r = _repair_conditions(platform, _training_deps(platform))
    [cond] = [c for c in r["conditions"] if c["code"] == "TRAINING"]
    assert cond["status"] == "unmet"
