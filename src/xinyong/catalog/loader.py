"""Load the catalogue data files and refuse any file that is not right.

Layout of a catalogue directory (the national one ships in ``catalog/data/national``; a
deployment's 地方补充目录 uses the same layout under ``XINYONG_LOCAL_CATALOG_DIR``)::

    items/*.yaml        kind: item        one information item, one or more versions
    code_tables/*.yaml  kind: code_table  one code table
    policies/*.yaml     kind: policy      one publication policy (regime)
    headers/*.yaml      kind: header_set  one known historical column layout of an item
    sectors.yaml        kind: sectors     department sectors

Every file starts with ``schema: xinyong.catalog/v1`` and its ``kind``. Other files and
folders (``calendar/``, README files) are not read here. A bad file stops the load with a
:class:`ConfigurationError` naming the file, the key path (``versions[0].fields[3].code``)
and the reason, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from xinyong.catalog import conditions
from xinyong.catalog.model import (
    CatalogueSnapshot,
    CodeTable,
    CodeValue,
    Condition,
    FieldDef,
    HeaderSet,
    ItemVersion,
    LegalBasis,
    Nature,
    PublicationPolicy,
    Sector,
    Severity,
    SeverityRule,
)
from xinyong.kernel.errors import ConfigurationError, NotFound
from xinyong.kernel.settings import get_settings

SCHEMA = "xinyong.catalog/v1"
NATIONAL_DIR = Path(__file__).parent / "data" / "national"
# The code table whose labels are the allowed item categories (and their display order).
CATEGORY_TABLE = "catalogue_category"

_KIND_DIRS = {
    "code_tables": "code_table",
    "items": "item",
    "headers": "header_set",
    "policies": "policy",
}
_SECTORS_FILE = "sectors.yaml"
_ITEM_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_LOADER_KEYS = ("local", "source_file")  # set by the loader, never written in a file
_CODE_TYPES = ("code", "codes")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
_SPACE = re.compile(r"\s+")

M = TypeVar("M", bound=BaseModel)
Key = tuple[str | int, ...]


def normalise_header(text: str) -> str:
    """The form header texts are compared in: NFKC (full-width brackets, letters and digits
    become half-width), no whitespace or invisible characters, ASCII upper-case."""
    for _ in range(4):  # NFKC, space removal and upper-casing can enable one another
        before = text
        text = _SPACE.sub("", unicodedata.normalize("NFKC", text.translate(_INVISIBLE))).upper()
        if text == before:
            break
    return text


def key_path(parts: Iterable[str | int]) -> str:
    """``("versions", 0, "fields", 3, "code")`` -> ``versions[0].fields[3].code``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic marks an invalid dict key this way
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


# -- sources and errors -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Source:
    label: str  # stable name: national/items/xzcf.yaml, local/items/dfbc01.yaml
    path: Path
    local: bool
    data: bytes


def _error(src: _Source, key: Key | str, en: str, zh: str) -> ConfigurationError:
    where = key if isinstance(key, str) else key_path(key)
    where = where or "(file)"
    return ConfigurationError(
        f"catalogue file {src.path}: key {where}: {en}",
        f"目录文件 {src.path} 的 {where if where != '(file)' else '（整个文件）'} 有误：{zh}",
    )


_PYDANTIC_ZH = {
    "missing": "缺少必填的键",
    "extra_forbidden": "不认识的键（拼写错误，或该位置不允许此键）",
    "string_type": '应为文本（代码、编号、版本号请加引号，如 "01"、"2024.1"）',
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "tuple_type": "应为列表",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
    "too_short": "不能为空",
}


def _validate(model: type[M], data: Any, src: _Source, prefix: Key) -> M:
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        _raise_validation(exc, src, prefix)
    _require_evidence(obj, src, prefix)
    return obj


def _require_evidence(obj: object, src: _Source, key: Key) -> None:
    """Every legal basis states its evidence (P/S/C/U) explicitly: a forgotten tag would
    otherwise read as P (full text read)."""
    if isinstance(obj, LegalBasis):
        if "evidence" not in obj.model_fields_set:
            raise _error(
                src,
                (*key, "evidence"),
                "state the evidence of this basis (P, S, C or U)",
                "请注明该依据的可信程度 evidence（P 已读原文、S 二手来源、C 第三方系统、U 未核实）",
            )
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            _require_evidence(getattr(obj, name), src, (*key, name))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            _require_evidence(item, src, (*key, i))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            _require_evidence(item, src, (*key, str(k)))


def _raise_validation(exc: ValidationError, src: _Source, prefix: Key) -> NoReturn:
    errors = exc.errors()
    en_parts: list[str] = []
    zh_parts: list[str] = []
    for err in errors[:10]:
        where = key_path((*prefix, *err["loc"])) or "(file)"
        zh = _PYDANTIC_ZH.get(err["type"], "格式不正确")
        expected = (err.get("ctx") or {}).get("expected")
        if expected and err["type"] in ("enum", "literal_error"):
            zh += f"（可用：{expected}）"
        en_parts.append(f"{where}: {err['msg']}")
        zh_parts.append(f"{where} 有误：{zh}")
    more = len(errors) - 10
    if more > 0:
        en_parts.append(f"... and {more} more")
        zh_parts.append(f"……另有{more}处")
    raise ConfigurationError(
        f"catalogue file {src.path}: key " + "; key ".join(en_parts),
        f"目录文件 {src.path} 的 " + "；".join(zh_parts),
    ) from None


# -- YAML ---------------------------------------------------------------------------------


# libyaml when available (several times faster), the pure-Python parser otherwise.
_YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _duplicate_key(node: yaml.Node) -> yaml.Node | None:
    """The first key written twice in one mapping (YAML would silently keep the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[tuple[str, str]] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    return key_node
                seen.add(ident)
            found = _duplicate_key(value_node)
            if found is not None:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _duplicate_key(item)
            if found is not None:
                return found
    return None


def _load_yaml(text: str) -> Any:
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        dup = _duplicate_key(node)
        if dup is not None:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                None,
                f"found duplicate key {dup.value!r}",
                dup.start_mark,
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _parse(src: _Source, kind: str) -> dict[str, Any]:
    try:
        doc = _load_yaml(src.data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _error(src, "", f"not UTF-8 ({exc})", "文件不是 UTF-8 编码") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1} column {mark.column + 1}" if mark else "unknown line"
        line_zh = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "位置不明"
        problem = getattr(exc, "problem", None) or str(exc)
        raise _error(
            src,
            "(YAML)",
            f"YAML syntax error at {line}: {problem}",
            f"YAML 语法错误，{line_zh}：{problem}",
        ) from None
    if not isinstance(doc, dict):
        raise _error(src, "", "the file must be a YAML mapping", "文件内容应为键值映射")
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise _error(
            src,
            "schema",
            f"expected schema {SCHEMA!r}, found {schema!r}",
            f"文件头 schema 应为 {SCHEMA}，实际为 {schema!r}",
        )
    found = doc.get("kind")
    if found != kind:
        raise _error(
            src,
            "kind",
            f"a file in this place must have kind {kind!r}, found {found!r}",
            f"此位置的文件 kind 应为 {kind}，实际为 {found!r}",
        )
    return {k: v for k, v in doc.items() if k not in ("schema", "kind")}


def _reject_loader_keys(src: _Source, data: dict[str, Any], prefix: Key) -> None:
    for k in _LOADER_KEYS:
        if k in data:
            raise _error(
                src,
                (*prefix, k),
                "this key is set by the loader and may not be written in a file",
                "该键由加载程序设置，不得写在文件中",
            )


# -- parsing each kind --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ItemEntry:
    version: ItemVersion
    src: _Source
    index: int  # position in the file's versions list

    @property
    def key(self) -> Key:
        return ("versions", self.index)


def _parse_item(src: _Source, body: dict[str, Any]) -> list[_ItemEntry]:
    for k in body:
        if k not in ("code", "versions"):
            raise _error(
                src,
                str(k),
                "unknown key (allowed: code, versions)",
                "不认识的键（允许：code、versions）",
            )
    code = body.get("code")
    if not isinstance(code, str) or not _ITEM_CODE.match(code):
        raise _error(
            src,
            "code",
            "item code must be 2-16 upper-case letters, digits or _ starting with a letter, "
            f"found {code!r}",
            f"信息项代码应为2至16位大写字母、数字或下划线且以字母开头，实际为 {code!r}",
        )
    versions = body.get("versions")
    if not isinstance(versions, list) or not versions:
        raise _error(src, "versions", "must be a non-empty list of versions", "应为非空的版本列表")
    out: list[_ItemEntry] = []
    for i, raw in enumerate(versions):
        if not isinstance(raw, dict):
            raise _error(
                src, ("versions", i), "a version must be a mapping", "每个版本应为键值映射"
            )
        _reject_loader_keys(src, raw, ("versions", i))
        if raw.get("code", code) != code:
            raise _error(
                src,
                ("versions", i, "code"),
                f"version code {raw['code']!r} differs from the file's item code {code!r}",
                f"版本的代码 {raw['code']!r} 与文件的信息项代码 {code} 不一致",
            )
        data = {**raw, "code": code, "local": src.local, "source_file": src.label}
        out.append(_ItemEntry(_validate(ItemVersion, data, src, ("versions", i)), src, i))
    return out


def _parse_policy(src: _Source, body: dict[str, Any]) -> PublicationPolicy:
    _reject_loader_keys(src, body, ())
    data = {**body, "local": src.local, "source_file": src.label}
    return _validate(PublicationPolicy, data, src, ())


def _parse_sectors(src: _Source, body: dict[str, Any]) -> list[Sector]:
    for k in body:
        if k != "sectors":
            raise _error(
                src, str(k), "unknown key (allowed: sectors)", "不认识的键（允许：sectors）"
            )
    rows = body.get("sectors")
    if not isinstance(rows, list) or not rows:
        raise _error(src, "sectors", "must be a non-empty list", "应为非空列表")
    return [_validate(Sector, row, src, ("sectors", i)) for i, row in enumerate(rows)]


# -- the catalogue ------------------------------------------------------------------------


class Catalogue:
    """The catalogue in force: items, code tables, policies, header layouts and sectors.

    Immutable once built; build it with :func:`load_catalogue` (or :func:`default_catalogue`,
    cached for the process).
    """

    __slots__ = (
        "_header_maps",
        "_header_sets",
        "_lookup",
        "_order",
        "_policies",
        "_sectors",
        "_snapshot",
        "_tables",
        "_versions",
    )
    _header_maps: dict[str, dict[str, str]]
    _header_sets: dict[str, tuple[HeaderSet, ...]]
    _lookup: dict[str, dict[str, CodeValue]]
    _order: tuple[str, ...]
    _policies: tuple[PublicationPolicy, ...]
    _sectors: Mapping[str, Sector]
    _snapshot: CatalogueSnapshot
    _tables: dict[str, CodeTable]
    _versions: dict[str, tuple[ItemVersion, ...]]

    def __init__(
        self,
        *,
        snapshot: CatalogueSnapshot,
        versions: Mapping[str, Sequence[ItemVersion]],
        tables: Mapping[str, CodeTable],
        policies: Sequence[PublicationPolicy],
        header_sets: Mapping[str, Sequence[HeaderSet]],
        header_maps: Mapping[str, Mapping[str, str]],
        sectors: Mapping[str, Sector],
    ) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "_snapshot", snapshot)
        setattr_(
            self,
            "_versions",
            {c: tuple(sorted(vs, key=lambda v: v.effective_from)) for c, vs in versions.items()},
        )
        setattr_(self, "_tables", dict(tables))
        setattr_(self, "_policies", tuple(policies))
        setattr_(self, "_header_sets", {k: tuple(v) for k, v in header_sets.items()})
        setattr_(self, "_header_maps", {k: dict(v) for k, v in header_maps.items()})
        setattr_(self, "_sectors", MappingProxyType(dict(sectors)))
        lookup: dict[str, dict[str, CodeValue]] = {}
        for code, table in tables.items():
            index: dict[str, CodeValue] = {}
            for value in table.values:
                for text in (value.code, value.label, *value.aliases):
                    index.setdefault(text.strip(), value)
            lookup[code] = index
        setattr_(self, "_lookup", lookup)
        # items(): by category in the order of the category table, then by code
        categories: list[str] = []
        if CATEGORY_TABLE in tables:
            categories = [v.label for v in tables[CATEGORY_TABLE].values]
        rank = {c: i for i, c in enumerate(categories)}
        latest = [vs[-1] for vs in self._versions.values()]
        latest.sort(key=lambda v: (rank.get(v.category, len(rank)), v.code))
        setattr_(self, "_order", tuple(v.code for v in latest))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Catalogue is immutable")

    def __repr__(self) -> str:
        return f"<Catalogue {self._snapshot.version}: {len(self._versions)} items>"

    @property
    def snapshot(self) -> CatalogueSnapshot:
        return self._snapshot

    @property
    def sectors(self) -> Mapping[str, Sector]:
        return self._sectors

    # items

    def item_versions(self, code: str) -> list[ItemVersion]:
        try:
            return list(self._versions[code])
        except KeyError:
            raise NotFound(
                f"unknown catalogue item {code!r}", f"信息目录中没有信息项“{code}”"
            ) from None

    def item(self, code: str, on: dt.date | None = None) -> ItemVersion:
        """The version in force on ``on`` (the latest version when ``on`` is None)."""
        return version_on(
            self.item_versions(code), on, f"catalogue item {code!r}", f"信息项“{code}”", "目录版本"
        )

    def items(self) -> list[ItemVersion]:
        """The latest version of every item, by category order then code."""
        return [self._versions[c][-1] for c in self._order]

    # code tables

    def code_table(self, code: str) -> CodeTable:
        try:
            return self._tables[code]
        except KeyError:
            raise NotFound(f"unknown code table {code!r}", f"没有代码表“{code}”") from None

    def code_tables(self) -> list[CodeTable]:
        return [self._tables[c] for c in sorted(self._tables)]

    def lookup_code(self, table: str, raw: str, on: dt.date | None = None) -> CodeValue | None:
        """The value whose code, label or alias equals ``raw`` (after strip).

        With ``on``, a value outside its valid_from/valid_until is not returned."""
        try:
            index = self._lookup[table]
        except KeyError:
            raise NotFound(f"unknown code table {table!r}", f"没有代码表“{table}”") from None
        value = index.get(raw.strip())
        if value is None or on is None:
            return value
        if value.valid_from is not None and on < value.valid_from:
            return None
        if value.valid_until is not None and on > value.valid_until:
            return None
        return value

    # policies

    def policies(self) -> list[PublicationPolicy]:
        return list(self._policies)

    def policy(self, code: str) -> PublicationPolicy:
        for p in self._policies:
            if p.code == code:
                return p
        raise NotFound(f"unknown publication policy {code!r}", f"没有公示政策“{code}”")

    def policy_for(
        self, item: ItemVersion, decision_date: dt.date, sector: str | None
    ) -> PublicationPolicy | None:
        """The policy governing a record of ``item`` decided on ``decision_date`` by a
        department of ``sector``; None when no policy governs the item (positive and neutral
        items, and negative items with their own life cycle such as 失信被执行人).

        A sector-specific policy beats a general one; then one naming the item beats one
        covering every negative item. The loader guarantees no two policies tie.
        """
        best: PublicationPolicy | None = None
        best_rank = (-1, -1)
        for p in self._policies:
            if not _governs(p, item) or not _in_force(p, decision_date):
                continue
            if p.sectors and sector not in p.sectors:
                continue
            rank = (int(bool(p.sectors)), int(bool(p.items)))
            if rank > best_rank:
                best, best_rank = p, rank
        return best

    # headers

    def header_sets(self, item: str) -> list[HeaderSet]:
        self.item_versions(item)  # NotFound for an unknown item
        return list(self._header_sets.get(item, ()))

    def header_map(self, item: str) -> dict[str, str]:
        """Every accepted header text of the item -> field code, over all its versions: field
        codes, names, aliases and header-set columns, each also in :func:`normalise_header`
        form."""
        self.item_versions(item)
        return dict(self._header_maps.get(item, {}))

    def resolve_header(self, item: str, text: str) -> str | None:
        """The field code a column header means for ``item``, or None."""
        self.item_versions(item)
        m = self._header_maps.get(item, {})
        return m.get(text.strip()) or m.get(normalise_header(text))


def _governs(p: PublicationPolicy, item: ItemVersion) -> bool:
    return item.code in p.items if p.items else item.nature is Nature.NEGATIVE


class _Dated(Protocol):
    @property
    def effective_from(self) -> dt.date: ...

    @property
    def effective_until(self) -> dt.date | None: ...


DatedT = TypeVar("DatedT", bound=_Dated)


def version_on(
    versions: Sequence[DatedT],
    on: dt.date | None,
    what_en: str,
    what_zh: str,
    version_zh: str = "版本",
) -> DatedT:
    """The version in force on ``on`` (inclusive dates); the latest when ``on`` is None.

    Shared by items, list types and measures, which all keep versions oldest first.
    """
    if on is None:
        return versions[-1]
    for v in versions:
        if v.effective_from <= on and (v.effective_until is None or on <= v.effective_until):
            return v
    raise NotFound(
        f"{what_en} has no version in force on {on.isoformat()}",
        f"{what_zh}在{on.isoformat()}没有生效的{version_zh}",
    )


def _in_force(p: PublicationPolicy, day: dt.date) -> bool:
    if p.decisions_from is not None and day < p.decisions_from:
        return False
    return p.decisions_until is None or day <= p.decisions_until


# -- building and checking ----------------------------------------------------------------


def _collect(root: Path, prefix: str, local: bool) -> list[tuple[str, _Source]]:
    """(kind, source) for every catalogue file under ``root``."""
    found: list[tuple[str, _Source]] = []
    sectors = root / _SECTORS_FILE
    if sectors.is_file():
        found.append(
            ("sectors", _Source(f"{prefix}/{_SECTORS_FILE}", sectors, local, sectors.read_bytes()))
        )
    for folder, kind in _KIND_DIRS.items():
        d = root / folder
        if not d.is_dir():
            continue
        for path in sorted(d.iterdir()):
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                label = f"{prefix}/{folder}/{path.name}"
                found.append((kind, _Source(label, path, local, path.read_bytes())))
    return found


class _Builder:
    def __init__(self) -> None:
        self.tables: dict[str, tuple[CodeTable, _Source]] = {}
        self.sectors: dict[str, tuple[Sector, _Source]] = {}
        self.items: dict[str, list[_ItemEntry]] = {}
        self.header_sets: list[tuple[HeaderSet, _Source]] = []
        self.policies: list[tuple[PublicationPolicy, _Source]] = []

    # parse stage: per file

    def add(self, kind: str, src: _Source) -> None:
        body = _parse(src, kind)
        if kind == "code_table":
            _reject_loader_keys(src, body, ())
            table = _validate(CodeTable, body, src, ())
            if table.code in self.tables:
                other = self.tables[table.code][1]
                raise _error(
                    src,
                    "code",
                    f"code table {table.code!r} is already defined in {other.path}",
                    f"代码表“{table.code}”已在 {other.path} 中定义，不能重复定义",
                )
            self.tables[table.code] = (table, src)
        elif kind == "sectors":
            for i, sector in enumerate(_parse_sectors(src, body)):
                if sector.code in self.sectors:
                    other = self.sectors[sector.code][1]
                    raise _error(
                        src,
                        ("sectors", i, "code"),
                        f"sector {sector.code!r} is already defined in {other.path}",
                        f"行业领域“{sector.code}”已在 {other.path} 中定义",
                    )
                self.sectors[sector.code] = (sector, src)
        elif kind == "item":
            for entry in _parse_item(src, body):
                self.items.setdefault(entry.version.code, []).append(entry)
        elif kind == "header_set":
            self.header_sets.append((_validate(HeaderSet, body, src, ()), src))
        else:
            self.policies.append((_parse_policy(src, body), src))

    # check stage: across files

    def check_tables(self) -> None:
        for table, src in self.tables.values():
            if not table.values:
                raise _error(
                    src, "values", "a code table needs at least one value", "代码表至少要有一个取值"
                )
            if not table.legal_basis:
                raise _error(
                    src,
                    "legal_basis",
                    "a code table needs its source (legal_basis)",
                    "代码表须注明来源（legal_basis）",
                )
            owner: dict[str, int] = {}
            codes: set[str] = set()
            for i, v in enumerate(table.values):
                if not v.code.strip() or not v.label.strip():
                    raise _error(
                        src, ("values", i), "code and label may not be empty", "代码和名称不能为空"
                    )
                if v.code in codes:
                    raise _error(
                        src,
                        ("values", i, "code"),
                        f"duplicate code {v.code!r}",
                        f"代码“{v.code}”重复",
                    )
                codes.add(v.code)
                if v.valid_from and v.valid_until and v.valid_until < v.valid_from:
                    raise _error(
                        src,
                        ("values", i, "valid_until"),
                        "valid_until is before valid_from",
                        "valid_until（停用日期）早于 valid_from（启用日期）",
                    )
                texts: list[tuple[Key, str]] = [
                    (("values", i, "code"), v.code),
                    (("values", i, "label"), v.label),
                ]
                texts += [(("values", i, "aliases", j), a) for j, a in enumerate(v.aliases)]
                for key, text in texts:
                    t = text.strip()
                    if owner.get(t, i) != i:
                        other = table.values[owner[t]]
                        raise _error(
                            src,
                            key,
                            f"{t!r} already means value {other.code!r} of this table",
                            f"“{t}”已表示本代码表的取值“{other.code} {other.label}”，"
                            f"不能再表示“{v.code} {v.label}”",
                        )
                    owner[t] = i

    def _table_codes(self, name: str) -> set[str]:
        return {v.code for v in self.tables[name][0].values}

    def _check_codes(self, src: _Source, key: Key, f: FieldDef, values: Iterable[str]) -> None:
        if f.type not in _CODE_TYPES or f.code_table is None:
            return
        allowed = self._table_codes(f.code_table)
        for j, value in enumerate(values):
            if value not in allowed:
                raise _error(
                    src,
                    (*key, j),
                    f"{value!r} is not a code of table {f.code_table!r} (field {f.code})",
                    f"“{value}”不是字段 {f.code} 所用代码表“{f.code_table}”中的代码",
                )

    def check_items(self) -> None:
        categories: set[str] | None = None
        if CATEGORY_TABLE in self.tables:
            categories = {v.label for v in self.tables[CATEGORY_TABLE][0].values}
        for entries in self.items.values():
            for e in entries:
                self._check_version(e, categories)
            ordered = sorted(entries, key=lambda e: e.version.effective_from)
            for prev, cur in itertools.pairwise(ordered):
                until = prev.version.effective_until
                if until is None or until >= cur.version.effective_from:
                    # blame the local file when one of the two is local
                    bad, other = (
                        (prev, cur) if prev.src.local and not cur.src.local else (cur, prev)
                    )
                    hint = "；地方补充目录不能重新定义国家目录已有的版本" if bad.src.local else ""
                    raise _error(
                        bad.src,
                        (*bad.key, "effective_from"),
                        f"version {bad.version.version!r} of item {bad.version.code} overlaps "
                        f"version {other.version.version!r} in {other.src.path} "
                        f"({key_path(other.key)})",
                        f"信息项 {bad.version.code} 的版本“{bad.version.version}”与 "
                        f"{other.src.path}（{key_path(other.key)}）中的版本"
                        f"“{other.version.version}”生效期重叠{hint}",
                    )

    def _check_version(self, e: _ItemEntry, categories: set[str] | None) -> None:
        v, src, k = e.version, e.src, e.key
        if not v.legal_basis:
            raise _error(
                src,
                (*k, "legal_basis"),
                "an item needs a legal basis",
                "信息项须注明纳入依据（legal_basis）",
            )
        if not v.subject_types:
            raise _error(
                src, (*k, "subject_types"), "list the subject types", "须列出适用的主体类型"
            )
        if v.effective_until is not None and v.effective_until < v.effective_from:
            raise _error(
                src,
                (*k, "effective_until"),
                "effective_until is before effective_from",
                "effective_until（失效日期）早于 effective_from（生效日期）",
            )
        if categories is not None and v.category not in categories:
            raise _error(
                src,
                (*k, "category"),
                f"unknown category {v.category!r}",
                f"目录类别“{v.category}”不在代码表 {CATEGORY_TABLE} 中"
                f"（可用：{'、'.join(sorted(categories))}）",
            )
        if not v.fields:
            raise _error(src, (*k, "fields"), "an item needs fields", "信息项至少要有一个字段")
        fields: dict[str, FieldDef] = {}
        for j, f in enumerate(v.fields):
            fk: Key = (*k, "fields", j)
            if f.code in fields:
                raise _error(
                    src,
                    (*fk, "code"),
                    f"duplicate field code {f.code!r}",
                    f"字段代码“{f.code}”重复",
                )
            fields[f.code] = f
            self._check_field(src, fk, f)
        for j, f in enumerate(v.fields):
            self._check_field_refs(src, (*k, "fields", j), f, fields)

        def need(key: Key, code: str | None, types: tuple[str, ...] = ()) -> None:
            if code is None:
                return
            if code not in fields:
                raise _error(
                    src,
                    key,
                    f"names field {code!r}, which the item does not have",
                    f"引用的字段“{code}”在本信息项中不存在",
                )
            if types and fields[code].type not in types:
                raise _error(
                    src,
                    key,
                    f"field {code} must be of type {'/'.join(types)}, not {fields[code].type}",
                    f"字段 {code} 的类型应为 {'/'.join(types)}，实际为 {fields[code].type}",
                )

        if not v.record_key:
            raise _error(
                src,
                (*k, "record_key"),
                "record_key may not be empty",
                "record_key（记录标识字段）不能为空",
            )
        for j, code in enumerate(v.record_key):
            need((*k, "record_key", j), code)
        need((*k, "decision_date_field"), v.decision_date_field, ("date",))
        need((*k, "valid_until_field"), v.valid_until_field, ("date",))
        for role in ("number", "reason", "basis", "authority"):
            for j, code in enumerate(getattr(v.display, role)):
                need((*k, "display", role, j), code)
        s = v.subject
        sk: Key = (*k, "subject")
        need((*sk, "name"), s.name)
        need((*sk, "category"), s.category, _CODE_TYPES[:1])
        need((*sk, "uscc"), s.uscc, ("uscc",))
        for j, code in enumerate(s.legacy_codes):
            need((*sk, "legacy_codes", j), code)
        need((*sk, "person_id_type"), s.person_id_type, _CODE_TYPES[:1])
        need((*sk, "person_id"), s.person_id, ("id_number",))
        need((*sk, "legal_rep_name"), s.legal_rep_name)
        need((*sk, "legal_rep_id_type"), s.legal_rep_id_type, _CODE_TYPES[:1])
        need((*sk, "legal_rep_id"), s.legal_rep_id, ("id_number",))
        for j, rel in enumerate(s.relations):
            need((*sk, "relations", j, "name"), rel.name)
            need((*sk, "relations", j, "id_type"), rel.id_type, _CODE_TYPES[:1])
            need((*sk, "relations", j, "id"), rel.id, ("id_number",))
        self._check_severity(e, fields)
        if v.publication_deadline_working_days is not None:
            if v.publication_deadline_working_days < 0:
                raise _error(
                    src,
                    (*k, "publication_deadline_working_days"),
                    "must not be negative",
                    "不能为负数",
                )
            if not v.publication_deadline_basis:
                raise _error(
                    src,
                    (*k, "publication_deadline_basis"),
                    "a publication deadline needs its legal basis",
                    "公示时限须注明依据（publication_deadline_basis）",
                )

    def _check_field(self, src: _Source, fk: Key, f: FieldDef) -> None:
        if f.type in _CODE_TYPES and f.code_table is None:
            raise _error(
                src,
                (*fk, "code_table"),
                f"a {f.type} field needs a code_table",
                f"类型为 {f.type} 的字段须指定代码表 code_table",
            )
        if f.code_table is not None:
            if f.type not in _CODE_TYPES:
                raise _error(
                    src,
                    (*fk, "code_table"),
                    f"only code/codes fields take a code table, this one is {f.type}",
                    f"只有 code/codes 类型的字段可以指定代码表，本字段类型为 {f.type}",
                )
            if f.code_table not in self.tables:
                raise _error(
                    src,
                    (*fk, "code_table"),
                    f"unknown code table {f.code_table!r}",
                    f"代码表“{f.code_table}”不存在",
                )
        if f.max_length is not None and f.max_length < 1:
            raise _error(src, (*fk, "max_length"), "must be at least 1", "最大长度至少为1")
        if f.personal and f.public:
            raise _error(
                src,
                (*fk, "public"),
                "a personal field may never be public; set public: false",
                "个人信息字段（personal: true）不得公开，须写 public: false",
            )

    def _check_field_refs(
        self, src: _Source, fk: Key, f: FieldDef, fields: dict[str, FieldDef]
    ) -> None:
        if f.id_type_field is not None:
            if f.type != "id_number":
                raise _error(
                    src,
                    (*fk, "id_type_field"),
                    "only id_number fields take id_type_field",
                    "只有 id_number 类型的字段可以指定证件类型字段",
                )
            other = fields.get(f.id_type_field)
            if other is None or other.type != "code":
                raise _error(
                    src,
                    (*fk, "id_type_field"),
                    f"{f.id_type_field!r} is not a code field of this item",
                    f"“{f.id_type_field}”不是本信息项的代码字段",
                )
        for other_code, values in f.required_when.items():
            key: Key = (*fk, "required_when", other_code)
            other = fields.get(other_code)
            if other is None:
                raise _error(
                    src,
                    key,
                    f"names field {other_code!r}, which the item does not have",
                    f"引用的字段“{other_code}”在本信息项中不存在",
                )
            self._check_codes(src, key, other, values)

    def _check_severity(self, e: _ItemEntry, fields: dict[str, FieldDef]) -> None:
        self.check_severity_rules(
            e.src, (*e.key, "severity_rules"), e.version.severity_rules, fields
        )

    def check_severity_rules(
        self,
        src: _Source,
        key: Key,
        rules: Sequence[SeverityRule],
        fields: Mapping[str, FieldDef],
    ) -> None:
        default_at: int | None = None
        for r, rule in enumerate(rules):
            rk: Key = (*key, r)
            if default_at is not None:
                raise _error(
                    src,
                    rk,
                    f"unreachable: rule {default_at} has no condition and matches everything",
                    f"此规则永远不会生效：第{default_at}条规则没有条件，已匹配所有记录",
                )
            for c, cond in enumerate(rule.conditions):
                _check_condition(
                    src, (*rk, "conditions", c), fields, cond, self._table_codes, self.sectors
                )
            for j, sector in enumerate(rule.sectors):
                if sector not in self.sectors:
                    raise _error(
                        src,
                        (*rk, "sectors", j),
                        f"unknown sector {sector!r}",
                        f"行业领域“{sector}”不存在",
                    )
            if rule.is_default:
                default_at = r

    def check_header_sets(self) -> None:
        seen: dict[str, _Source] = {}
        for hs, src in self.header_sets:
            if hs.code in seen:
                raise _error(
                    src,
                    "code",
                    f"header set {hs.code!r} is already defined in {seen[hs.code].path}",
                    f"表头方案“{hs.code}”已在 {seen[hs.code].path} 中定义",
                )
            seen[hs.code] = src
            if hs.item not in self.items:
                raise _error(src, "item", f"unknown item {hs.item!r}", f"信息项“{hs.item}”不存在")
            known = {f.code for e in self.items[hs.item] for f in e.version.fields}
            for header, code in hs.columns.items():
                if code not in known:
                    raise _error(
                        src,
                        ("columns", header),
                        f"field {code!r} does not exist in item {hs.item}",
                        f"字段“{code}”在信息项 {hs.item} 中不存在",
                    )

    def check_policies(self) -> None:
        seen: dict[str, _Source] = {}
        for p, src in self.policies:
            if p.code in seen:
                raise _error(
                    src,
                    "code",
                    f"policy {p.code!r} is already defined in {seen[p.code].path}",
                    f"公示政策“{p.code}”已在 {seen[p.code].path} 中定义",
                )
            seen[p.code] = src
            self._check_policy(p, src)
        for i, (p, psrc) in enumerate(self.policies):
            for q, qsrc in self.policies[:i]:
                if _policies_clash(p, q):
                    raise _error(
                        psrc,
                        "decisions_from",
                        f"policy {p.code} covers the same items, sectors and decision dates as "
                        f"policy {q.code} in {qsrc.path}; narrow one of them",
                        f"公示政策 {p.code} 与 {qsrc.path} 中的公示政策 {q.code} "
                        "适用的信息项、行业领域和决定日期重叠，无法确定适用哪一个",
                    )

    def _check_policy(self, p: PublicationPolicy, src: _Source) -> None:
        if not p.legal_basis:
            raise _error(
                src,
                "legal_basis",
                "a policy needs a legal basis",
                "公示政策须注明依据（legal_basis）",
            )
        if p.decisions_from and p.decisions_until and p.decisions_until < p.decisions_from:
            raise _error(
                src,
                "decisions_until",
                "decisions_until is before decisions_from",
                "decisions_until 早于 decisions_from",
            )
        for j, sector in enumerate(p.sectors):
            if sector not in self.sectors:
                raise _error(
                    src, ("sectors", j), f"unknown sector {sector!r}", f"行业领域“{sector}”不存在"
                )
        for j, code in enumerate(p.items):
            if code not in self.items:
                raise _error(src, ("items", j), f"unknown item {code!r}", f"信息项“{code}”不存在")
        for code, rules in p.severity_rules.items():
            entries = self.items.get(code)
            if entries is None:
                raise _error(
                    src, ("severity_rules", code), f"unknown item {code!r}", f"信息项“{code}”不存在"
                )
            if p.items and code not in p.items:
                raise _error(
                    src,
                    ("severity_rules", code),
                    f"the policy does not govern item {code}",
                    f"本政策不适用于信息项 {code}（不在 items 中）",
                )
            fields = {f.code: f for e in entries for f in e.version.fields}
            self.check_severity_rules(src, ("severity_rules", code), rules, fields)
        for sev in Severity:
            if sev not in p.periods:
                raise _error(
                    src,
                    ("periods", sev.value),
                    f"no period for severity {sev.value}",
                    f"缺少“{sev.value}”失信信息的公示期规定"
                    "（每个严重程度都须列出，不公示的写 publish: false）",
                )
        governed = [
            e.version
            for code, entries in self.items.items()
            for e in entries
            if (code in p.items if p.items else e.version.nature is Nature.NEGATIVE)
        ]
        for sev, rule in p.periods.items():
            pk: Key = ("periods", sev.value)
            for name in ("min_months", "max_months"):
                months = getattr(rule, name)
                if months is not None and months < 0:
                    raise _error(src, (*pk, name), "must not be negative", "不能为负数")
            if (
                rule.min_months is not None
                and rule.max_months is not None
                and rule.min_months > rule.max_months
            ):
                raise _error(
                    src,
                    (*pk, "min_months"),
                    f"min_months {rule.min_months} is greater than max_months {rule.max_months}",
                    f"最短公示期 {rule.min_months} 个月大于最长公示期 {rule.max_months} 个月",
                )
            for field_code, values in rule.unpublished_if_only.items():
                uk: Key = (*pk, "unpublished_if_only", field_code)
                defs = [f for v in governed for f in v.fields if f.code == field_code]
                if not defs:
                    raise _error(
                        src,
                        uk,
                        f"no item governed by this policy has field {field_code!r}",
                        f"本政策适用的信息项中没有字段“{field_code}”",
                    )
                for f in defs:
                    self._check_codes(src, uk, f, values)

    def build_header_maps(self) -> dict[str, dict[str, str]]:
        maps: dict[str, dict[str, str]] = {}
        for code, entries in self.items.items():
            hm = _HeaderMap()
            for e in sorted(entries, key=lambda e: e.version.effective_from):
                for j, f in enumerate(e.version.fields):
                    fk: Key = (*e.key, "fields", j)
                    hm.add(f.code, f.code, e.src, (*fk, "code"))
                    hm.add(f.name, f.code, e.src, (*fk, "name"))
                    for a, alias in enumerate(f.aliases):
                        hm.add(alias, f.code, e.src, (*fk, "aliases", a))
            for hs, src in self.header_sets:
                if hs.item == code:
                    for header, field_code in hs.columns.items():
                        hm.add(header, field_code, src, ("columns", header))
            maps[code] = hm.out
        return maps


_CONDITION_TESTS_ZH = "any_of、only、matches、cites、at_least、at_most"


def _check_condition(
    src: _Source,
    key: Key,
    fields: Mapping[str, FieldDef],
    cond: Condition,
    table_codes: Any,
    sectors: Mapping[str, Any],
) -> None:
    """Refuse a condition that names a field the item lacks, tests it in a way its type does
    not allow, or names codes its code table does not have."""
    f = fields.get(cond.field)
    if f is None:
        raise _error(
            src,
            (*key, "field"),
            f"the item has no field {cond.field!r}",
            f"信息项中没有字段“{cond.field}”",
        )
    tests = [
        bool(cond.any_of or cond.only),
        cond.matches is not None or bool(cond.cites),
        cond.at_least is not None or cond.at_most is not None,
    ]
    if not any(tests):
        raise _error(
            src,
            key,
            "a condition needs a test",
            f"条件须写明判断方式（{_CONDITION_TESTS_ZH} 之一）",
        )
    if tests[0]:
        if f.type not in _CODE_TYPES or f.code_table is None:
            raise _error(
                src,
                (*key, "any_of" if cond.any_of else "only"),
                f"any_of/only test code fields; {f.code} is {f.type}",
                f"any_of/only 只用于代码字段，字段 {f.code} 的类型为 {f.type}",
            )
        allowed = table_codes(f.code_table)
        for name in ("any_of", "only"):
            for j, value in enumerate(getattr(cond, name)):
                if value not in allowed:
                    raise _error(
                        src,
                        (*key, name, j),
                        f"{value!r} is not a code of table {f.code_table!r} (field {f.code})",
                        f"“{value}”不是字段 {f.code} 所用代码表“{f.code_table}”中的代码",
                    )
    if tests[1] and f.type != "text":
        raise _error(
            src,
            (*key, "matches" if cond.matches is not None else "cites"),
            f"matches/cites test text fields; {f.code} is {f.type}",
            f"matches/cites 只用于文本字段，字段 {f.code} 的类型为 {f.type}",
        )
    if cond.matches is not None:
        problem = conditions.pattern_error(cond.matches)
        if problem is not None:
            raise _error(
                src,
                (*key, "matches"),
                f"not a valid regular expression: {problem}",
                f"不是有效的正则表达式：{problem}",
            )
    for j, c in enumerate(cond.cites):
        if not conditions.normalise_law(c.law):
            raise _error(src, (*key, "cites", j, "law"), "may not be empty", "法律名称不能为空")
        if any(a < 1 for a in c.articles):
            raise _error(
                src, (*key, "cites", j, "articles"), "articles start at 1", "条文序号从1开始"
            )
    if tests[2] and f.type != "amount_wan":
        raise _error(
            src,
            (*key, "at_least" if cond.at_least is not None else "at_most"),
            f"at_least/at_most test amount fields; {f.code} is {f.type}",
            f"at_least/at_most 只用于金额（万元）字段，字段 {f.code} 的类型为 {f.type}",
        )


def check_condition(
    cat: Catalogue,
    src: _Source,
    key: Key,
    item: str,
    fields: Mapping[str, FieldDef],
    cond: Condition,
) -> None:
    """The condition check for files loaded after the item catalogue (measure triggers)."""
    _check_condition(
        src,
        key,
        fields,
        cond,
        lambda table: {v.code for v in cat.code_table(table).values},
        cat.sectors,
    )


class _HeaderMap:
    """Header text -> field code of one item, refusing a text that would mean two fields."""

    def __init__(self) -> None:
        self.out: dict[str, str] = {}
        self._origin: dict[str, tuple[str, _Source, Key]] = {}

    def add(self, text: str, field_code: str, src: _Source, key: Key) -> None:
        stripped = text.strip()
        n = normalise_header(stripped)
        if not n:
            raise _error(src, key, "empty header text", "表头文字不能为空")
        prev = self._origin.get(n)
        if prev is not None and prev[0] != field_code:
            where = f"{prev[1].path} {key_path(prev[2])}"
            raise _error(
                src,
                key,
                f"header {stripped!r} would mean both {prev[0]} and {field_code} (also at {where})",
                f"表头“{stripped}”同时对应字段 {prev[0]} 和 {field_code}（另见 {where}），"
                "请删除其中一处",
            )
        self._origin.setdefault(n, (field_code, src, key))
        self.out[stripped] = field_code
        self.out[n] = field_code


def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return (not a and not b) or bool(set(a) & set(b))


def _policies_clash(p: PublicationPolicy, q: PublicationPolicy) -> bool:
    if bool(p.sectors) != bool(q.sectors) or bool(p.items) != bool(q.items):
        return False  # different specificity: the more specific one wins
    if not _overlap(p.sectors, q.sectors) or not _overlap(p.items, q.items):
        return False
    lo = max(p.decisions_from or dt.date.min, q.decisions_from or dt.date.min)
    hi = min(p.decisions_until or dt.date.max, q.decisions_until or dt.date.max)
    return lo <= hi


def load_catalogue(extra_dirs: Sequence[Path] = ()) -> Catalogue:
    """Load the national catalogue plus each local supplementary directory in ``extra_dirs``."""
    sources: list[tuple[str, _Source]] = _collect(NATIONAL_DIR, "national", local=False)
    for n, d in enumerate(extra_dirs, start=1):
        d = Path(d)
        if not d.is_dir():
            raise ConfigurationError(
                f"local catalogue directory {d} does not exist",
                f"地方补充目录的文件夹 {d} 不存在",
            )
        prefix = "local" if len(extra_dirs) == 1 else f"local{n}"
        sources += _collect(d, prefix, local=True)
    builder = _Builder()
    order = {"sectors": 0, "code_table": 1, "item": 2, "header_set": 3, "policy": 4}
    # national files first, so that a clash is reported on the local file
    for kind, src in sorted(sources, key=lambda ks: (order[ks[0]], ks[1].local, ks[1].label)):
        builder.add(kind, src)
    builder.check_tables()
    builder.check_items()
    builder.check_header_sets()
    builder.check_policies()
    header_maps = builder.build_header_maps()

    digest = hashlib.sha256()
    labels = sorted(src.label for _, src in sources)
    by_label = {src.label: src for _, src in sources}
    for label in labels:
        digest.update(label.encode() + b"\0" + by_label[label].data + b"\0")
    header_sets: dict[str, list[HeaderSet]] = {}
    for hs, _ in builder.header_sets:
        header_sets.setdefault(hs.item, []).append(hs)
    return Catalogue(
        snapshot=CatalogueSnapshot(version=digest.hexdigest()[:12], files=tuple(labels)),
        versions={c: [e.version for e in es] for c, es in builder.items.items()},
        tables={c: t for c, (t, _) in builder.tables.items()},
        policies=[p for p, _ in builder.policies],
        header_sets=header_sets,
        header_maps=header_maps,
        sectors={c: s for c, (s, _) in builder.sectors.items()},
    )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The process-wide catalogue: national files plus ``XINYONG_LOCAL_CATALOG_DIR`` if set."""
    local = get_settings().local_catalog_dir
    return load_catalogue([local] if local is not None else [])
