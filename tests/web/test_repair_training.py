"""A province that makes integrity education a step of repair (Shaanxi 2018 (十六)): a local
``rights/repair.yaml`` sets ``requires_training`` on 令107's regime. The subject's repair page
shows the condition unmet and then met once certified, with the certificate field; the
office's application through the API is refused without the certificate or with another
subject's, and accepted with its own; on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tests.conftest import TEST_KEY
from tests.helpers import ORG, ORG2, add_department, csv_bytes, error_detail, penalty
from tests.web.test_subject_repair import _signed_in
from xinyong.access import service as access
from xinyong.bootstrap import Platform
from xinyong.catalog import repair as repair_catalogue
from xinyong.commitments import service as commitments
from xinyong.kernel.clock import CHINA_TZ, FixedClock
from xinyong.kernel.settings import Settings
from xinyong.web.app import create_app

PDF = b"%PDF-1.7\n% proof\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    national = Path(repair_catalogue.__file__).parent / "data" / "national" / "rights"
    doc = yaml.safe_load((national / "repair.yaml").read_text(encoding="utf-8"))
    [samr] = [r for r in doc["regimes"] if r["code"] == "SAMR_107"]
    samr["requires_training"] = True
    samr["training_basis"] = {
        "title": "陕西省2018年社会信用体系建设工作要点",
        "doc_no": "陕发改财金〔2018〕448号",
        "articles": "（十六）",
        "evidence": "S",
        "note": "将失信主体参加诚信教育培训和签订信用承诺书作为其申请信用修复的必要环节",
    }
    local = tmp_path / "local"
    (local / "rights").mkdir(parents=True)
    (local / "rights" / "repair.yaml").write_text(
        yaml.safe_dump(
            {"schema": doc["schema"], "kind": doc["kind"], "regimes": [samr]}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    return Settings(
        data_dir=tmp_path / "var",
        secret_key=TEST_KEY,
        check_cache_refresh_ms=0,
        password_hash_test_mode=True,
        password_time_cost=1,
        password_memory_kib=8,
        password_parallelism=1,
        console_cookie_secure=True,
        search_rate_per_minute=0,
        local_catalog_dir=local,
    )


def _certificate(platform: Platform, subject: str, tid: int) -> str:
    with platform.transaction() as conn:
        commitments.attend(
            conn,
            platform.commitment_deps(),
            tid,
            subject=subject,
            representative="张三",
            acting_department="scjg",
            actor="department:scjg",
            now=platform.clock.now(),
        )
        return str(
            commitments.certify(
                conn,
                tid,
                subject,
                vault=platform.vault,
                acting_department="scjg",
                actor="department:scjg",
                now=platform.clock.now(),
            )["certificate"]
        )


def test_repair_cites_a_certificate(platform: Platform, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 9, 29, 10, 0, tzinfo=CHINA_TZ))
    add_department(platform, name="省市场监督管理局")
    with platform.engine.begin() as conn:
        office = {"X-API-Key": access.issue_key(conn, "信用办", "office", None, clock.now())}
    platform.importer().import_bytes(
        csv_bytes([penalty(), penalty(CF_XDR_SHXYM=ORG2, CF_WSH="陕市监罚〔2026〕8号")]),
        filename="p.csv",
        department_code="scjg",
        item_code="XZCF",
    )
    subject = _signed_in(platform)
    page = subject.get("/account/repair")
    assert "已参加诚信教育并取得证书" in page.text
    assert 'name="training_certificate"' not in page.text  # not eligible yet: no form
    with platform.transaction() as conn:
        tid = commitments.create_training(
            conn,
            title="诚信教育",
            held_on=dt.date(2026, 9, 28),
            place="西安",
            department_code="scjg",
            acting_department=None,
            actor="office:t",
            now=clock.now(),
        )["id"]
    other = _certificate(platform, ORG2, tid)
    own = _certificate(platform, ORG, tid)
    page = subject.get("/account/repair")
    assert own in page.text
    assert 'name="training_certificate"' in page.text
    client = TestClient(create_app(platform))
    view = client.get(
        f"/api/v1/subjects/{ORG}/repair-eligibility", params={"purpose": "受理"}, headers=office
    ).json()
    [record] = view["records"]
    assert record["regime"]["requires_training"] is True
    assert record["eligible"] is True
    form = {
        "subject": ORG,
        "record": str(record["record"]["entry"]),
        "signatory": "王经理",
        "commitment_signed": "true",
    }
    files = [("materials", ("凭证.pdf", PDF, "application/pdf"))]
    resp = client.post("/api/v1/repairs", data=form, files=files, headers=office)
    assert resp.status_code == 422
    assert "请填写所取得的证书编号" in error_detail(resp)["message"]
    resp = client.post(
        "/api/v1/repairs",
        data={**form, "training_certificate": other},
        files=files,
        headers=office,
    )
    assert resp.status_code == 422
    assert "不属于该主体" in error_detail(resp)["message"]
    resp = client.post(
        "/api/v1/repairs", data={**form, "training_certificate": own}, files=files, headers=office
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["commitment"]["training_certificate"] == own
