"""The server's check read model answers exactly as the database does, once caught up."""

from __future__ import annotations

import threading
from typing import Any

from tests.helpers import ORG, ORG2, add_department, csv_bytes, list_subject, penalty
from xinyong.bootstrap import Platform
from xinyong.checks import service as checks
from xinyong.checks.readmodel import CheckReadModel
from xinyong.identity.uscc import make_uscc

SCENARIOS = ("government_procurement", "fiscal_funds", "honours", "licensing")


def _answer(platform: Platform, subject: str, scenario: str, model: Any = None) -> Any:
    with platform.engine.begin() as conn:
        answer = checks.check(
            conn,
            platform.sanctions,
            platform.vault,
            subject=subject,
            scenario=scenario,
            today=platform.clock.today(),
            now=platform.clock.now(),
            actor="t",
            source=model,
        )
    answer.pop("receipt")
    return answer


def _model(platform: Platform, interval: float) -> CheckReadModel:
    model = platform.check_read_model()
    assert model is not None
    return CheckReadModel(platform.engine, platform.sanctions, interval)


def test_same_answers_and_catch_up(platform: Platform) -> None:
    add_department(platform)
    platform.importer().import_bytes(
        csv_bytes(
            [
                penalty(CF_CFLB="罚款,责令停产停业", CF_JDRQ="2026-06-10"),
                penalty(
                    CF_XDR_SHXYM=ORG2,
                    CF_XDR_MC="陕西示例建设工程有限公司",
                    CF_WSH="陕市监罚〔2026〕2号",
                    CF_JDRQ="2026-06-01",
                ),
            ]
        ),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    stale = _model(platform, interval=3600)  # never catches up by itself in this test
    fresh = _model(platform, interval=0)
    for subject in (ORG, ORG2):
        for scenario in SCENARIOS:
            db = _answer(platform, subject, scenario)
            assert _answer(platform, subject, scenario, stale) == db
            assert _answer(platform, subject, scenario, fresh) == db
    before = _answer(platform, ORG, "government_procurement", stale)
    list_subject(platform, ORG)
    db = _answer(platform, ORG, "government_procurement")
    assert db["memberships"]
    # The stale copy still answers as of the version it reflects, and says which.
    assert _answer(platform, ORG, "government_procurement", stale) == before
    assert before["data_version"] < db["data_version"]
    assert _answer(platform, ORG, "government_procurement", fresh) == db
    # The untouched subject is unchanged in the caught-up copy.
    assert _answer(platform, ORG2, "honours", fresh) == _answer(platform, ORG2, "honours")


def test_commitment_bars_and_unknown_codes_read_the_same_from_the_copy(
    platform: Platform,
) -> None:
    """The copy keeps only trigger ids and period dates of each record: a broken commitment's
    finding date (the start of its three-year bar) must survive, and a code nobody sent is
    unknown in the copy as in the database."""
    add_department(platform, "fgw", "development_reform")
    commitment = {
        "CN_ZTMC": "西安市碑林区示例科技有限公司",
        "CN_ZTLB": "法人及非法人组织",
        "CN_TYSHXYDM": ORG,
        "CN_CNLX": "审批替代型",
        "CN_CNSY": "申请食品经营许可，承诺符合条件",
        "CN_CNRQ": "2024-03-01",
        "CN_SLDW": "西安市碑林区行政审批服务局",
        "CN_LYZT": "虚假承诺",
        "CN_RDRQ": "2026-05-10",
    }
    result = platform.importer().import_bytes(
        csv_bytes([commitment]), filename="c.csv", department_code="fgw", item_code="XYCN"
    )
    assert result.rejected == 0, result.rejections
    fresh = _model(platform, interval=0)
    db = _answer(platform, ORG, "licensing")
    assert [b["code"] for b in db["commitment_blocked_by"]] == ["FALSE_COMMITMENT"]
    assert db["commitment_blocked_by"][0]["period"]["from"] == "2026-05-10"
    assert _answer(platform, ORG, "licensing", fresh) == db
    never = make_uscc("9", "1", "610104", "MA6T9Q1W")
    assert _answer(platform, never, "licensing", fresh) == _answer(platform, never, "licensing")
    assert _answer(platform, never, "licensing", fresh)["subject"]["on_record"] is False


def test_the_server_starts_loading_its_copy_before_the_first_check(platform: Platform) -> None:
    """After a restart the copy loads in the background at start-up (lifespan), not on the
    first check's request; with interval 0 (the tests) nothing is loaded ahead."""
    add_department(platform)
    list_subject(platform, ORG)
    platform.warm_up()
    model = platform.check_read_model()
    assert model is not None
    assert not [t for t in threading.enumerate() if t.name == "check-read-model-load"]
    assert model.status_rows([ORG]) == {}  # not loaded: interval 0 loads on first use

    platform.settings.check_cache_refresh_ms = 3_600_000
    platform._check_model = None  # a fresh process
    platform.warm_up()
    model = platform.check_read_model()
    assert model is not None
    try:
        (loader,) = [t for t in threading.enumerate() if t.name == "check-read-model-load"]
        loader.join(timeout=60)
        assert not loader.is_alive()
        assert ORG in model.status_rows([ORG])  # loaded without a check
    finally:
        model.close()
