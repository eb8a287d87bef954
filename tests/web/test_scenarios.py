"""``GET /api/v1/scenarios``: code, Chinese name, description and whether a local catalogue
added each scenario (``xinyong scenarios`` is tested with the other commands in test_cli.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.catalog.conftest import write_local_dir
from xinyong.bootstrap import build_platform
from xinyong.kernel.clock import FixedClock
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app

LOCAL_SCENARIOS = """\
schema: xinyong.catalog/v1
kind: scenarios
scenarios:
  - code: housing_fund
    name: 住房公积金业务
    description: 住房公积金缴存、提取和贷款
"""


@pytest.fixture
def local(tmp_path: Path) -> Path:
    root = write_local_dir(tmp_path / "local")
    (root / "scenarios.yaml").write_text(LOCAL_SCENARIOS, encoding="utf-8")
    return root


def test_api_lists_national_and_local_scenarios_without_a_key(
    engine: Engine, clock: FixedClock, settings: Settings, local: Path
) -> None:
    platform = build_platform(
        settings.model_copy(update={"local_catalog_dir": local}), clock=clock, engine=engine
    )
    resp = TestClient(create_app(platform)).get("/api/v1/scenarios")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["version"] == platform.sanctions.snapshot.version
    by_code = {s["code"]: s for s in body["scenarios"]}
    assert set(by_code) == set(platform.sanctions.scenarios)
    assert by_code["government_procurement"] == {
        "code": "government_procurement",
        "name": "政府采购",
        "description": platform.sanctions.scenarios["government_procurement"].description,
        "local": False,
        "scope_label": "国家目录",
    }
    assert by_code["housing_fund"]["local"] is True
    assert by_code["housing_fund"]["scope_label"] == "地方补充目录"
    assert by_code["housing_fund"]["name"] == "住房公积金业务"
