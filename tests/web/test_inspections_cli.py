"""``xinyong inspections`` and ``xinyong verify-draw``: the policies, the commitment published
before a draw, the record written, verified (exit 0), tampered (exit 1, each mismatch in
Chinese) and unreadable (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.inspections.pools import make_pool
from xinyong.catalog.files import NATIONAL_DIR
from xinyong.kernel.settings import get_settings
from xinyong.web.cli import app

runner = CliRunner()
SEED = "a1" * 32


@pytest.fixture(autouse=True)
def _settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("XINYONG_LOCAL_CATALOG_DIR", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def pool_file(tmp_path: Path) -> Path:
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(make_pool(80, 8, capped_every=9), ensure_ascii=False), "utf-8")
    return path


def _draw(pool_file: Path, out: Path, *extra: str) -> dict[str, Any]:
    code, text = _run(
        "inspections", "draw", "--pool", str(pool_file), "--policy", "SAMR_GRADED@2025.1",
        "--seed", SEED, "--out", str(out), *extra,
    )  # fmt: skip
    assert code == 0, text
    assert "已写出抽取记录" in text
    record: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return record


def test_policies_listed_with_their_ratios() -> None:
    code, text = _run("inspections", "policies")
    assert code == 0
    assert "SAMR_GRADED@2025.1" in text
    assert "D类（信用风险高）：80%" in text
    assert "每户检查人员不少于 2 名" in text
    code, out = _run("inspections", "policies", "--json")
    assert json.loads(out)[0]["strata"][0]["ratio"] == "0.03"


def test_commit_then_draw_then_verify(pool_file: Path, tmp_path: Path) -> None:
    code, out = _run(
        "inspections", "commit", "--pool", str(pool_file), "--policy", "SAMR_GRADED",
        "--seed", SEED, "--beacon-source", "某信标第1000轮", "--json",
    )  # fmt: skip
    assert code == 0, out
    published = json.loads(out)
    assert SEED not in out  # the commitment never shows the seed
    record = _draw(
        pool_file, tmp_path / "draw.json",
        "--beacon-source", "某信标第1000轮", "--beacon-value", "9f00aa",
    )  # fmt: skip
    assert record["draw_commitment"] == published["draw_commitment"]
    assert record["seed_commitment"] == published["seed_commitment"]
    code, text = _run(
        "verify-draw", str(tmp_path / "draw.json"), "--commitment", published["draw_commitment"]
    )
    assert (code, text.strip()) == (0, "抽取结果可复现，与公布一致")
    code, text = _run("verify-draw", str(tmp_path / "draw.json"), "--commitment", "00" * 32)
    assert code == 1
    assert "抽取前公布的" in text


def test_same_seed_same_file(pool_file: Path, tmp_path: Path) -> None:
    a = _draw(pool_file, tmp_path / "a.json")
    b = _draw(pool_file, tmp_path / "b.json")
    assert a == b


def test_tampered_record_exits_1_naming_each_mismatch(pool_file: Path, tmp_path: Path) -> None:
    record = _draw(pool_file, tmp_path / "draw.json")
    assignment = record["result"]["assignments"][0]
    swapped = next(
        i["id"] for i in record["pool"]["inspectors"] if i["id"] not in assignment["inspectors"]
    )
    assignment["inspectors"][0] = swapped
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    code, text = _run("verify-draw", str(path))
    assert code == 1
    assert "抽取记录有 2 处不一致" in text
    assert f"主体 {assignment['subject']} 的检查人员应为" in text
    assert "result_digest" in text
    # A policy changed after the draw changes its digest and, with it, the whole stream.
    record["policy"]["strata"][0]["ratio"] = "0.50"
    path.write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    code, text = _run("verify-draw", str(path))
    assert code == 1
    assert "策略摘要不一致" in text
    assert "目录中的 SAMR_GRADED@2025.1 不一致" in text
    code, out = _run("verify-draw", str(path), "--json")
    assert code == 1
    assert json.loads(out)["ok"] is False


def test_verify_without_the_catalogue_still_checks_the_record(
    pool_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outsider's local folder breaks the catalogue: the record's own policy is used."""
    record = _draw(pool_file, tmp_path / "draw.json")
    broken = tmp_path / "local" / "inspections"
    broken.mkdir(parents=True)
    doc = yaml.safe_load((NATIONAL_DIR / "inspections" / "supervision.yaml").read_text("utf-8"))
    doc["policies"][0]["legal_basis"] = []
    (broken / "supervision.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    monkeypatch.setenv("XINYONG_LOCAL_CATALOG_DIR", str(tmp_path / "local"))
    get_settings.cache_clear()
    assert _run("verify-draw", str(tmp_path / "draw.json"))[0] == 0
    record["seed"] = "b2" * 32
    (tmp_path / "other.json").write_text(json.dumps(record), "utf-8")
    code, text = _run("verify-draw", str(tmp_path / "other.json"))
    assert code == 1
    assert "种子承诺不一致" in text


def test_bad_inputs_exit_2_in_chinese(pool_file: Path, tmp_path: Path) -> None:
    code, text = _run("verify-draw", str(tmp_path / "missing.json"))
    assert code == 2
    assert "无法读取抽取记录文件" in text
    (tmp_path / "junk.json").write_bytes(b"\xff\xfe not json")
    assert _run("verify-draw", str(tmp_path / "junk.json"))[0] == 2
    code, text = _run(
        "inspections", "draw", "--pool", str(pool_file), "--policy", "NOPE", "--seed", SEED
    )
    assert code == 2
    assert "没有监管策略“NOPE”" in text
    code, text = _run(
        "inspections", "draw", "--pool", str(pool_file), "--policy", "SAMR_GRADED",
        "--seed", SEED, "--beacon-source", "x",
    )  # fmt: skip
    assert code == 2
    assert "须同时给出" in text
    pool = make_pool(3, 2)
    pool["subjects"][0]["key"] = "610102199001011234"
    (tmp_path / "person.json").write_text(json.dumps(pool), "utf-8")
    code, text = _run(
        "inspections", "draw", "--pool", str(tmp_path / "person.json"), "--policy",
        "SAMR_GRADED", "--seed", SEED,
    )  # fmt: skip
    assert code == 2
    assert "自然人" in text
    assert "199001011234" not in text


def test_seed_is_random_hex() -> None:
    a, b = _run("inspections", "seed")[1].strip(), _run("inspections", "seed")[1].strip()
    assert len(a) == 64
    assert a != b
    int(a, 16)
