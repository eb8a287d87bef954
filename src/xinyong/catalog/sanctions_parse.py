"""The list type, measure, scenario and commitment-bar files, each read on its own: where they
are, their keys, codes and pydantic validation. Checking them across files and against the item
catalogue is ``sanctions_build``.

Layout, beside the item catalogue::

    lists/*.yaml     kind: list_type   one list type, one or more versions
    measures/*.yaml  kind: measures    several measures (each entry is one version of one measure)
    scenarios.yaml   kind: scenarios   the application scenarios (政府采购、招标投标 …)
    commitment.yaml  kind: commitment_bars  when 告知承诺/容缺受理 may not be used
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from xinyong.catalog.files import (
    Key,
    Source,
    check_code,
    error,
    only_keys,
    reject_loader_keys,
    validate,
)
from xinyong.catalog.model import (
    CommitmentBar,
    ListType,
    Measure,
    Scenario,
)

LISTS_DIR = "lists"
MEASURES_DIR = "measures"
SCENARIOS_FILE = "scenarios.yaml"
COMMITMENT_FILE = "commitment.yaml"
FILES = {SCENARIOS_FILE: "scenarios", COMMITMENT_FILE: "commitment_bars"}
FOLDERS = {LISTS_DIR: "list_type", MEASURES_DIR: "measures"}
_SCENARIO_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


V = TypeVar("V", ListType, Measure)


@dataclass(frozen=True, slots=True)
class Entry(Generic[V]):
    obj: V
    src: Source
    key: Key  # where the version sits in its file


def parse_scenarios(src: Source, body: dict[str, Any]) -> list[tuple[Scenario, Key]]:
    only_keys(src, body, ("scenarios",))
    rows = body.get("scenarios")
    if not isinstance(rows, list) or not rows:
        raise error(src, "scenarios", "must be a non-empty list", "应为非空列表")
    out: list[tuple[Scenario, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("scenarios", i)
        if not isinstance(row, dict):
            raise error(src, key, "a scenario must be a mapping", "每个场景应为键值映射")
        reject_loader_keys(src, row, key)
        sc = validate(Scenario, {**row, "local": src.local, "source_file": src.label}, src, key)
        if not _SCENARIO_CODE.match(sc.code):
            raise error(
                src,
                (*key, "code"),
                f"scenario code must be lower-case letters, digits or _, found {sc.code!r}",
                f"场景代码应为小写字母、数字或下划线（如 government_procurement），实际为 {sc.code!r}",
            )
        if not sc.name.strip():
            raise error(src, (*key, "name"), "name may not be empty", "场景名称不能为空")
        out.append((sc, key))
    return out


def parse_bars(src: Source, body: dict[str, Any]) -> list[tuple[CommitmentBar, Key]]:
    only_keys(src, body, ("bars",))
    rows = body.get("bars")
    if not isinstance(rows, list) or not rows:
        raise error(src, "bars", "must be a non-empty list", "应为非空列表")
    out: list[tuple[CommitmentBar, Key]] = []
    for i, row in enumerate(rows):
        key: Key = ("bars", i)
        if not isinstance(row, dict):
            raise error(src, key, "a bar must be a mapping", "每项应为键值映射")
        reject_loader_keys(src, row, key)
        check_code(src, (*key, "code"), row.get("code"), "bar", "不适用情形")
        data = {**row, "local": src.local, "source_file": src.label}
        out.append((validate(CommitmentBar, data, src, key), key))
    return out


def parse_list_type(src: Source, body: dict[str, Any]) -> list[Entry[ListType]]:
    only_keys(src, body, ("code", "versions"))
    code = check_code(src, ("code",), body.get("code"), "list type", "名单类型")
    versions = body.get("versions")
    if not isinstance(versions, list) or not versions:
        raise error(src, "versions", "must be a non-empty list of versions", "应为非空的版本列表")
    out: list[Entry[ListType]] = []
    for i, raw in enumerate(versions):
        key: Key = ("versions", i)
        if not isinstance(raw, dict):
            raise error(src, key, "a version must be a mapping", "每个版本应为键值映射")
        reject_loader_keys(src, raw, key)
        if raw.get("code", code) != code:
            raise error(
                src,
                (*key, "code"),
                f"version code {raw['code']!r} differs from the file's list type code {code!r}",
                f"版本的代码 {raw['code']!r} 与文件的名单类型代码 {code} 不一致",
            )
        data = {**raw, "code": code, "local": src.local, "source_file": src.label}
        out.append(Entry(validate(ListType, data, src, key), src, key))
    return out


def parse_measures(src: Source, body: dict[str, Any]) -> list[Entry[Measure]]:
    only_keys(src, body, ("measures",))
    rows = body.get("measures")
    if not isinstance(rows, list) or not rows:
        raise error(src, "measures", "must be a non-empty list of measures", "应为非空的措施列表")
    out: list[Entry[Measure]] = []
    for i, raw in enumerate(rows):
        key: Key = ("measures", i)
        if not isinstance(raw, dict):
            raise error(src, key, "a measure must be a mapping", "每项措施应为键值映射")
        reject_loader_keys(src, raw, key)
        check_code(src, (*key, "code"), raw.get("code"), "measure", "措施")
        data = {**raw, "local": src.local, "source_file": src.label}
        out.append(Entry(validate(Measure, data, src, key), src, key))
    return out
