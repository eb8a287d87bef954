"""A small 地方补充目录 (local supplementary catalogue) used by several tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# ../shared/data beside the checkout (its licence forbids shipping it in the repository).
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"

LOCAL_ITEM = """\
# A 地方补充目录 item (also a template for credit offices).
schema: xinyong.catalog/v1
kind: item
code: DFBC01
versions:
  - name: 地方补充信息（示例：住房公积金缴存信息）
    version: "2025.1"
    effective_from: 2025-01-01
    category: 遵守法律法规情况信息
    legal_basis:
      - title: 某省社会信用条例
        articles: 第二十条
        evidence: U
        note: 示例依据
    subject_types: [法人及非法人组织]
    disclosure: 政务共享
    nature: neutral
    record_key: [DF_ND]
    decision_date_field: DF_RQ
    subject:
      name: DF_MC
      uscc: DF_SHXYM
    fields:
      - {code: DF_MC, name: 单位名称, required: true, max_length: 200}
      - {code: DF_SHXYM, name: 统一社会信用代码, type: uscc, required: true}
      - {code: DF_ND, name: 缴存年度, required: true, max_length: 4}
      - {code: DF_RQ, name: 统计日期, type: date, required: true}
      - {code: DF_ZT, name: 缴存状态, type: code, code_table: dfbc_status}
"""

LOCAL_TABLE = """\
schema: xinyong.catalog/v1
kind: code_table
code: dfbc_status
name: 缴存状态
version: "2025.1"
legal_basis:
  - {title: 某省住房公积金管理规定, evidence: U}
values:
  - {code: "1", label: 正常缴存}
  - {code: "2", label: 欠缴}
"""


def write_local_dir(root: Path) -> Path:
    (root / "items").mkdir(parents=True, exist_ok=True)
    (root / "code_tables").mkdir(exist_ok=True)
    (root / "items" / "dfbc01.yaml").write_text(LOCAL_ITEM, encoding="utf-8")
    (root / "code_tables" / "dfbc_status.yaml").write_text(LOCAL_TABLE, encoding="utf-8")
    return root


@pytest.fixture
def local_dir(tmp_path: Path) -> Path:
    return write_local_dir(tmp_path / "local")


@pytest.fixture
def shared_data() -> Path:
    """../shared/data; skipped with the reason when absent (a failure in CI)."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must have ../shared/data at {SHARED_DATA}")
        pytest.skip(f"../shared/data not present at {SHARED_DATA}")
    return SHARED_DATA
