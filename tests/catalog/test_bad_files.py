"""Every kind of bad catalogue file is refused at load, naming the file, key path and reason."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.catalog.files import SCHEMA
from xinyong.catalog.loader import load_catalogue
from xinyong.kernel.errors import ConfigurationError

Doc = dict[str, Any]

ITEM: Doc = {
    "schema": SCHEMA,
    "kind": "item",
    "code": "DFBC02",
    "versions": [
        {
            "name": "测试信息",
            "version": "2025.1",
            "effective_from": dt.date(2025, 1, 1),
            "category": "遵守法律法规情况信息",
            "legal_basis": [{"title": "某省社会信用条例", "evidence": "U"}],
            "subject_types": ["法人及非法人组织"],
            "disclosure": "政务共享",
            "nature": "neutral",
            "record_key": ["T_WH"],
            "decision_date_field": "T_RQ",
            "subject": {"name": "T_MC", "uscc": "T_DM"},
            "fields": [
                {"code": "T_MC", "name": "名称", "required": True},
                {"code": "T_DM", "name": "统一社会信用代码", "type": "uscc"},
                {"code": "T_WH", "name": "文号"},
                {"code": "T_RQ", "name": "决定日期", "type": "date"},
                {
                    "code": "T_LB",
                    "name": "主体类别",
                    "type": "code",
                    "code_table": "subject_category",
                },
                {
                    "code": "T_ZJ",
                    "name": "证件号码",
                    "type": "id_number",
                    "personal": True,
                    "public": False,
                },
            ],
        }
    ],
}
POLICY: Doc = {
    "schema": SCHEMA,
    "kind": "policy",
    "code": "LOCAL-TAX-2030",
    "name": "测试政策",
    "version": "1",
    "legal_basis": [{"title": "某省社会信用条例", "evidence": "U"}],
    "decisions_from": dt.date(2030, 1, 1),
    "items": ["XZCF"],
    "sectors": ["tax"],
    "periods": {
        "轻微": {"publish": False},
        "一般": {"min_months": 3, "max_months": 12},
        "严重": {"min_months": 12, "max_months": 36},
    },
}
TABLE: Doc = {
    "schema": SCHEMA,
    "kind": "code_table",
    "code": "local_status",
    "name": "状态",
    "version": "1",
    "legal_basis": [{"title": "某省规定", "evidence": "U"}],
    "values": [{"code": "1", "label": "正常"}, {"code": "2", "label": "异常"}],
}
HEADERS: Doc = {
    "schema": SCHEMA,
    "kind": "header_set",
    "code": "XZCF-LOCAL",
    "name": "某市处罚表头",
    "item": "XZCF",
    "columns": {"处罚文号": "CF_WSH"},
}
FOLDER = {
    "item": "items",
    "policy": "policies",
    "code_table": "code_tables",
    "header_set": "headers",
}


def write(root: Path, doc: Doc, name: str = "bad.yaml") -> Path:
    folder = root / FOLDER[doc["kind"]]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refused(root: Path, *keys: str) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        load_catalogue([root])
    exc = info.value
    for text in (exc.message_en, exc.message_zh):
        assert "bad.yaml" in text, text
        for key in keys:
            assert key in text, (key, text)
    return exc


def mutated(base: Doc, change: Callable[[Doc], None]) -> Doc:
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def v0(doc: Doc) -> Doc:
    version: Doc = doc["versions"][0]
    return version


def test_the_valid_baselines_load(tmp_path: Path) -> None:
    write(tmp_path, ITEM, "item.yaml")
    write(tmp_path, POLICY, "policy.yaml")
    write(tmp_path, TABLE, "table.yaml")
    write(tmp_path, HEADERS, "headers.yaml")
    cat = load_catalogue([tmp_path])
    assert cat.item("DFBC02").local
    assert cat.policy("LOCAL-TAX-2030").local
    assert cat.resolve_header("XZCF", "处罚文号") == "CF_WSH"


ITEM_CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    (
        "unknown key",
        lambda d: v0(d)["fields"][4].update(code_tabel="x"),
        "versions[0].fields[4].code_tabel",
    ),
    ("wrong type", lambda d: v0(d).update(version=2025.1), "versions[0].version"),
    ("bad enum", lambda d: v0(d).update(nature="bad"), "versions[0].nature"),
    ("missing key", lambda d: v0(d).pop("disclosure"), "versions[0].disclosure"),
    ("loader key", lambda d: v0(d).update(local=True), "versions[0].local"),
    ("code mismatch", lambda d: v0(d).update(code="OTHER"), "versions[0].code"),
    ("bad item code", lambda d: d.update(code="dfbc 02"), "code"),
    ("no versions", lambda d: d.update(versions=[]), "versions"),
    (
        "unknown code table",
        lambda d: v0(d)["fields"][4].update(code_table="nope"),
        "versions[0].fields[4].code_table",
    ),
    (
        "code field without table",
        lambda d: v0(d)["fields"][4].pop("code_table"),
        "versions[0].fields[4].code_table",
    ),
    (
        "record_key unknown",
        lambda d: v0(d).update(record_key=["T_XX"]),
        "versions[0].record_key[0]",
    ),
    ("record_key empty", lambda d: v0(d).update(record_key=[]), "versions[0].record_key"),
    (
        "display names an unknown field",
        lambda d: v0(d).update(display={"number": ["T_WH"], "reason": ["T_XX"]}),
        "versions[0].display.reason[0]",
    ),
    (
        "decision date unknown",
        lambda d: v0(d).update(decision_date_field="T_XX"),
        "versions[0].decision_date_field",
    ),
    (
        "decision date not a date",
        lambda d: v0(d).update(decision_date_field="T_WH"),
        "versions[0].decision_date_field",
    ),
    ("subject unknown", lambda d: v0(d)["subject"].update(uscc="T_XX"), "versions[0].subject.uscc"),
    (
        "subject legacy unknown",
        lambda d: v0(d)["subject"].update(legacy_codes=["T_XX"]),
        "versions[0].subject.legacy_codes[0]",
    ),
    (
        "until before from",
        lambda d: v0(d).update(effective_until=dt.date(2024, 12, 31)),
        "versions[0].effective_until",
    ),
    (
        "duplicate field",
        lambda d: v0(d)["fields"].append({"code": "T_WH", "name": "文号2"}),
        "versions[0].fields[6].code",
    ),
    ("no legal basis", lambda d: v0(d).update(legal_basis=[]), "versions[0].legal_basis"),
    ("no subject types", lambda d: v0(d).update(subject_types=[]), "versions[0].subject_types"),
    ("unknown category", lambda d: v0(d).update(category="自创类别"), "versions[0].category"),
    (
        "ambiguous header",
        lambda d: v0(d)["fields"][2].update(aliases=["名称"]),
        "versions[0].fields[2].aliases[0]",
    ),
    (
        "ambiguous normalised header",
        lambda d: v0(d)["fields"][2].update(aliases=["t_mc"]),
        "versions[0].fields[2].aliases[0]",
    ),
    (
        "personal but public",
        lambda d: v0(d)["fields"][5].update(public=True),
        "versions[0].fields[5].public",
    ),
    (
        "required_when unknown field",
        lambda d: v0(d)["fields"][1].update(required_when={"T_XX": ["自然人"]}),
        "versions[0].fields[1].required_when.T_XX",
    ),
    (
        "required_when bad code",
        lambda d: v0(d)["fields"][1].update(required_when={"T_LB": ["法人"]}),
        "versions[0].fields[1].required_when.T_LB[0]",
    ),
    (
        "id_type_field not code",
        lambda d: v0(d)["fields"][5].update(id_type_field="T_WH"),
        "versions[0].fields[5].id_type_field",
    ),
    (
        "severity unknown field",
        lambda d: v0(d).update(
            severity_rules=[
                {"severity": "严重", "conditions": [{"field": "T_XX", "any_of": ["1"]}]}
            ]
        ),
        "versions[0].severity_rules[0].conditions[0].field",
    ),
    (
        "severity bad code",
        lambda d: v0(d).update(
            severity_rules=[
                {"severity": "严重", "conditions": [{"field": "T_LB", "any_of": ["x"]}]}
            ]
        ),
        "versions[0].severity_rules[0].conditions[0].any_of[0]",
    ),
    (
        "severity unreachable",
        lambda d: v0(d).update(
            severity_rules=[
                {"severity": "一般"},
                {"severity": "严重", "conditions": [{"field": "T_LB", "any_of": ["自然人"]}]},
            ]
        ),
        "versions[0].severity_rules[1]",
    ),
    (
        "deadline without basis",
        lambda d: v0(d).update(publication_deadline_working_days=7),
        "versions[0].publication_deadline_basis",
    ),
    (
        "overlapping versions",
        lambda d: d["versions"].append(
            {**copy.deepcopy(v0(d)), "version": "2025.2", "effective_from": dt.date(2025, 6, 1)}
        ),
        "versions[1].effective_from",
    ),
]


@pytest.mark.parametrize(
    ("change", "key"), [c[1:] for c in ITEM_CASES], ids=[c[0] for c in ITEM_CASES]
)
def test_bad_item(tmp_path: Path, change: Callable[[Doc], None], key: str) -> None:
    write(tmp_path, mutated(ITEM, change))
    refused(tmp_path, key)


POLICY_CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("no legal basis", lambda d: d.update(legal_basis=[]), "legal_basis"),
    ("severity missing", lambda d: d["periods"].pop("严重"), "periods.严重"),
    (
        "min above max",
        lambda d: d["periods"]["一般"].update(min_months=13),
        "periods.一般.min_months",
    ),
    (
        "negative months",
        lambda d: d["periods"]["一般"].update(max_months=-1),
        "periods.一般.max_months",
    ),
    ("bad severity key", lambda d: d["periods"].update({"极严重": {}}), "periods.极严重"),
    (
        "until before from",
        lambda d: d.update(decisions_until=dt.date(2029, 1, 1)),
        "decisions_until",
    ),
    ("unknown sector", lambda d: d.update(sectors=["nowhere"]), "sectors[0]"),
    ("unknown item", lambda d: d.update(items=["NOPE"]), "items[0]"),
    ("loader key", lambda d: d.update(source_file="x"), "source_file"),
    (
        "unpublished field unknown",
        lambda d: d["periods"]["轻微"].update(unpublished_if_only={"T_XX": ["01"]}),
        "periods.轻微.unpublished_if_only.T_XX",
    ),
    (
        "unpublished bad code",
        lambda d: d["periods"]["轻微"].update(unpublished_if_only={"CF_CFLB": ["警告"]}),
        "periods.轻微.unpublished_if_only.CF_CFLB[0]",
    ),
    (
        "severity rules for an item it does not govern",
        lambda d: d.update(severity_rules={"XZXK": [{"severity": "一般"}]}),
        "severity_rules.XZXK",
    ),
    (
        "severity rule on an unknown field",
        lambda d: d.update(
            severity_rules={
                "XZCF": [{"severity": "严重", "conditions": [{"field": "T_XX", "any_of": ["1"]}]}]
            }
        ),
        "severity_rules.XZCF[0].conditions[0].field",
    ),
    (
        "severity rule: amount test on a code field",
        lambda d: d.update(
            severity_rules={
                "XZCF": [{"severity": "严重", "conditions": [{"field": "CF_CFLB", "at_least": 5}]}]
            }
        ),
        "severity_rules.XZCF[0].conditions[0].at_least",
    ),
    (
        "severity rule: bad regular expression",
        lambda d: d.update(
            severity_rules={
                "XZCF": [
                    {"severity": "严重", "conditions": [{"field": "CF_NR", "matches": "吊销("}]}
                ]
            }
        ),
        "severity_rules.XZCF[0].conditions[0].matches",
    ),
    (
        "severity rule: citation test on a code field",
        lambda d: d.update(
            severity_rules={
                "XZCF": [
                    {
                        "severity": "严重",
                        "conditions": [{"field": "CF_CFLB", "cites": [{"law": "行政许可法"}]}],
                    }
                ]
            }
        ),
        "severity_rules.XZCF[0].conditions[0].cites",
    ),
    (
        "severity rule: a condition with no test",
        lambda d: d.update(
            severity_rules={"XZCF": [{"severity": "严重", "conditions": [{"field": "CF_NR"}]}]}
        ),
        "severity_rules.XZCF[0].conditions[0]",
    ),
    (
        "severity rule: unknown sector",
        lambda d: d.update(severity_rules={"XZCF": [{"severity": "严重", "sectors": ["nowhere"]}]}),
        "severity_rules.XZCF[0].sectors[0]",
    ),
    ("same scope as 令107", lambda d: d.update(sectors=["market_regulation"]), "decisions_from"),
    ("same scope as 令36", lambda d: d.update(sectors=[], items=[]), "decisions_from"),
]


@pytest.mark.parametrize(
    ("change", "key"), [c[1:] for c in POLICY_CASES], ids=[c[0] for c in POLICY_CASES]
)
def test_bad_policy(tmp_path: Path, change: Callable[[Doc], None], key: str) -> None:
    write(tmp_path, mutated(POLICY, change))
    refused(tmp_path, key)


def test_policy_clash_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, mutated(POLICY, lambda d: d.update(sectors=["market_regulation"])))
    exc = refused(tmp_path, "decisions_from", "SAMR-2025-107")
    assert "samr-2025-107.yaml" in exc.message_en


TABLE_CASES: list[tuple[str, Callable[[Doc], None], str]] = [
    ("alias clash", lambda d: d["values"][1].update(aliases=["正常"]), "values[1].aliases[0]"),
    ("duplicate code", lambda d: d["values"][1].update(code="1"), "values[1].code"),
    ("no values", lambda d: d.update(values=[]), "values"),
    ("no basis", lambda d: d.update(legal_basis=[]), "legal_basis"),
    ("redefines national", lambda d: d.update(code="id_type"), "code"),
    ("unquoted code", lambda d: d["values"][0].update(code=1), "values[0].code"),
]


@pytest.mark.parametrize(
    ("change", "key"), [c[1:] for c in TABLE_CASES], ids=[c[0] for c in TABLE_CASES]
)
def test_bad_code_table(tmp_path: Path, change: Callable[[Doc], None], key: str) -> None:
    write(tmp_path, mutated(TABLE, change))
    refused(tmp_path, key)


def test_bad_header_sets(tmp_path: Path) -> None:
    write(tmp_path, mutated(HEADERS, lambda d: d["columns"].update({"某列": "CF_NOPE"})))
    refused(tmp_path, "columns.某列")
    write(tmp_path, mutated(HEADERS, lambda d: d.update(item="NOPE")))
    refused(tmp_path, "item")
    # a header that already means another field of the item
    write(tmp_path, mutated(HEADERS, lambda d: d["columns"].update({"处罚决定书文号": "CF_NR"})))
    refused(tmp_path, "columns.处罚决定书文号", "CF_WSH", "CF_NR")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "bad.yaml").write_text(
        "schema: xinyong.catalog/v1\nkind: item\ncode: DFBC02\nversions:\n  - name: [不闭合\n",
        encoding="utf-8",
    )
    exc = refused(tmp_path, "(YAML)")
    assert "line 6" in exc.message_en or "line 5" in exc.message_en
    assert "行" in exc.message_zh


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    text = yaml.safe_dump(ITEM, allow_unicode=True, sort_keys=False)
    text = text.replace("code: DFBC02\n", "code: DFBC02\ncode: DFBC03\n", 1)
    (tmp_path / "items" / "bad.yaml").write_text(text, encoding="utf-8")
    exc = refused(tmp_path, "(YAML)")
    assert "duplicate key" in exc.message_en


def test_wrong_schema_and_kind(tmp_path: Path) -> None:
    write(tmp_path, mutated(ITEM, lambda d: d.update(schema="xinyong.catalog/v0")))
    refused(tmp_path, "schema")
    write(tmp_path, mutated(ITEM, lambda d: d.pop("schema")))
    refused(tmp_path, "schema")
    # a policy file put in items/
    path = write(tmp_path, POLICY)
    (tmp_path / "items").mkdir(exist_ok=True)
    path.rename(tmp_path / "items" / "bad.yaml")
    refused(tmp_path, "kind")


def test_not_a_mapping_or_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "bad.yaml").write_text("- a\n- b\n", encoding="utf-8")
    refused(tmp_path)
    (tmp_path / "items" / "bad.yaml").write_bytes("code: 处罚".encode("gbk"))
    refused(tmp_path)


def test_local_cannot_redefine_national_version(tmp_path: Path) -> None:
    def redefine(d: Doc) -> None:
        d["code"] = "XZCF"
        v0(d).update(effective_from=dt.date(2030, 1, 1))

    write(tmp_path, mutated(ITEM, redefine))
    exc = refused(tmp_path, "versions[0].effective_from", "XZCF")
    # both files are named
    assert "xzcf.yaml" in exc.message_en
    assert "xzcf.yaml" in exc.message_zh


def test_missing_local_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_catalogue([tmp_path / "absent"])
    assert "absent" in info.value.message_zh


def test_other_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2027.yaml").write_text("anything: [", encoding="utf-8")
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "README.md").write_text("说明", encoding="utf-8")
    assert load_catalogue([tmp_path]).item("XZCF")
