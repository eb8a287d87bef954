"""The catalogue's files, read one way for every kind: where they are (the national folder and
each local supplementary folder), strict YAML with the ``schema``/``kind`` header, errors that
name the file, the key path (``versions[0].fields[3].code``) and the reason in Chinese and
English, pydantic validation with Chinese messages, and the snapshot digest of a set of files.

Used by the item catalogue (``loader``), the list types and measures (``sanctions_parse``,
``sanctions_build``) and the other kinds' loaders (``cached_loader``: repair, evaluation,
commitments, inspections, rectification, voluntary).
A local folder may hold any subset of the kinds: a kind it lacks is simply not there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from xinyong.catalog import conditions
from xinyong.catalog.model import CatalogueSnapshot, Condition, FieldDef, LegalBasis
from xinyong.kernel.errors import ConfigurationError
from xinyong.kernel.strict_yaml import load_strict

SCHEMA = "xinyong.catalog/v1"
NATIONAL_DIR = Path(__file__).parent / "data" / "national"
LOADER_KEYS = ("local", "source_file")  # set by the loader, never written in a file
CODE_TYPES = ("code", "codes")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")

M = TypeVar("M", bound=BaseModel)
C = TypeVar("C")
C_co = TypeVar("C_co", covariant=True)
Key = tuple[str | int, ...]


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
class Source:
    label: str  # stable name: national/items/xzcf.yaml, local/items/dfbc01.yaml
    path: Path
    local: bool
    data: bytes


def error(src: Source, key: Key | str, en: str, zh: str) -> ConfigurationError:
    where = key if isinstance(key, str) else key_path(key)
    where = where or "(file)"
    return ConfigurationError(
        f"catalogue file {src.path}: key {where}: {en}",
        f"目录文件 {src.path} 的 {where if where != '(file)' else '（整个文件）'} 有误：{zh}",
    )


PYDANTIC_ZH = {
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


def validate(model: type[M], data: Any, src: Source, prefix: Key) -> M:
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        raise_validation(exc, src, prefix)
    require_evidence(obj, src, prefix)
    return obj


def require_evidence(obj: object, src: Source, key: Key) -> None:
    """Every legal basis states its evidence (P/S/C/U) explicitly: a forgotten tag would
    otherwise read as P (full text read)."""
    if isinstance(obj, LegalBasis):
        if "evidence" not in obj.model_fields_set:
            raise error(
                src,
                (*key, "evidence"),
                "state the evidence of this basis (P, S, C or U)",
                "请注明该依据的可信程度 evidence（P 已读原文、S 二手来源、C 第三方系统、U 未核实）",
            )
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            require_evidence(getattr(obj, name), src, (*key, name))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            require_evidence(item, src, (*key, i))
    elif isinstance(obj, dict):
        for k, item in obj.items():
            require_evidence(item, src, (*key, str(k)))


def raise_validation(exc: ValidationError, src: Source, prefix: Key) -> NoReturn:
    errors = exc.errors()
    en_parts: list[str] = []
    zh_parts: list[str] = []
    for err in errors[:10]:
        where = key_path((*prefix, *err["loc"])) or "(file)"
        zh = PYDANTIC_ZH.get(err["type"], "格式不正确")
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


# -- reading a file -----------------------------------------------------------------------


def parse(src: Source, kind: str) -> dict[str, Any]:
    try:
        doc = load_strict(src.data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(src, "", f"not UTF-8 ({exc})", "文件不是 UTF-8 编码") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1} column {mark.column + 1}" if mark else "unknown line"
        line_zh = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else "位置不明"
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(
            src,
            "(YAML)",
            f"YAML syntax error at {line}: {problem}",
            f"YAML 语法错误，{line_zh}：{problem}",
        ) from None
    if not isinstance(doc, dict):
        raise error(src, "", "the file must be a YAML mapping", "文件内容应为键值映射")
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise error(
            src,
            "schema",
            f"expected schema {SCHEMA!r}, found {schema!r}",
            f"文件头 schema 应为 {SCHEMA}，实际为 {schema!r}",
        )
    found = doc.get("kind")
    if found != kind:
        raise error(
            src,
            "kind",
            f"a file in this place must have kind {kind!r}, found {found!r}",
            f"此位置的文件 kind 应为 {kind}，实际为 {found!r}",
        )
    return {k: v for k, v in doc.items() if k not in ("schema", "kind")}


def reject_loader_keys(src: Source, data: dict[str, Any], prefix: Key) -> None:
    for k in LOADER_KEYS:
        if k in data:
            raise error(
                src,
                (*prefix, k),
                "this key is set by the loader and may not be written in a file",
                "该键由加载程序设置，不得写在文件中",
            )


def only_keys(src: Source, body: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for k in body:
        if k not in allowed:
            raise error(
                src,
                str(k),
                f"unknown key (allowed: {', '.join(allowed)})",
                f"不认识的键（允许：{'、'.join(allowed)}）",
            )


def check_code(src: Source, key: Key | str, code: object, what_en: str, what_zh: str) -> str:
    """An item, list type, measure or bar code: 2-16 upper-case letters, digits or _."""
    if not isinstance(code, str) or not _CODE.match(code):
        raise error(
            src,
            key,
            f"{what_en} code must be 2-16 upper-case letters, digits or _ starting with a "
            f"letter, found {code!r}",
            f"{what_zh}代码应为2至16位大写字母、数字或下划线且以字母开头，实际为 {code!r}",
        )
    return code


def check_codes(
    src: Source, key: Key, f: FieldDef, values: Iterable[str], allowed: Collection[str]
) -> None:
    """Refuse a value (at ``key`` + its index) that is not a code of ``f``'s code table."""
    for j, value in enumerate(values):
        if value not in allowed:
            raise error(
                src,
                (*key, j),
                f"{value!r} is not a code of table {f.code_table!r} (field {f.code})",
                f"“{value}”不是字段 {f.code} 所用代码表“{f.code_table}”中的代码",
            )


# -- where the files are ------------------------------------------------------------------


def collect(
    root: Path,
    prefix: str,
    local: bool,
    files: Mapping[str, str],
    folders: Mapping[str, str],
) -> list[tuple[str, Source]]:
    """(kind, source) for each of ``files`` (file name -> kind) directly under ``root`` and
    each YAML file in the ``folders`` (folder -> kind) there; what is absent is skipped."""
    found: list[tuple[str, Source]] = []
    for name, kind in files.items():
        path = root / name
        if path.is_file():
            found.append((kind, Source(f"{prefix}/{name}", path, local, path.read_bytes())))
    for folder, kind in folders.items():
        d = root / folder
        if not d.is_dir():
            continue
        for path in sorted(d.iterdir()):
            if path.is_file() and path.suffix in (".yaml", ".yml"):
                label = f"{prefix}/{folder}/{path.name}"
                found.append((kind, Source(label, path, local, path.read_bytes())))
    return found


def sources(
    extra_dirs: Sequence[Path], files: Mapping[str, str], folders: Mapping[str, str]
) -> list[tuple[str, Source]]:
    """The national files and those of each local supplementary directory (labelled
    ``local/…``, or ``local1/…``, ``local2/…`` when there are several)."""
    found = collect(NATIONAL_DIR, "national", False, files, folders)
    for n, d in enumerate(extra_dirs, start=1):
        d = Path(d)
        if not d.is_dir():
            raise ConfigurationError(
                f"local catalogue directory {d} does not exist",
                f"地方补充目录的文件夹 {d} 不存在",
            )
        prefix = "local" if len(extra_dirs) == 1 else f"local{n}"
        found += collect(d, prefix, True, files, folders)
    return found


class Loader(Protocol[C_co]):
    """``load_…_catalogue(extra_dirs)``: a kind's files built, national then local."""

    def __call__(self, extra_dirs: Sequence[Path] = ()) -> C_co: ...


def cached_loader(
    build: Callable[[Sequence[tuple[str, Source]]], C],
    files: Mapping[str, str],
    folders: Mapping[str, str] | None = None,
    *,
    doc: str,
) -> Loader[C]:
    """A kind's loader: its ``files`` and ``folders`` (as in ``sources``), national and each
    local folder's, built by ``build`` once per set of local folders (cached: the result is
    immutable, and a platform asks for it at every use). ``doc`` says what it loads."""

    @lru_cache(maxsize=8)
    def load(extra: tuple[Path, ...]) -> C:
        return build(sources(extra, files, folders or {}))

    def loader(extra_dirs: Sequence[Path] = ()) -> C:
        return load(tuple(Path(d) for d in extra_dirs))

    loader.__doc__ = doc
    return loader


def snapshot(found: Iterable[tuple[str, Source]]) -> CatalogueSnapshot:
    """The version of a set of files: a digest of their labels and bytes."""
    by_label = {src.label: src for _, src in found}
    labels = sorted(by_label)
    digest = hashlib.sha256()
    for label in labels:
        digest.update(label.encode() + b"\0" + by_label[label].data + b"\0")
    return CatalogueSnapshot(version=digest.hexdigest()[:12], files=tuple(labels))


# -- conditions over a record's fields ----------------------------------------------------


_CONDITION_TESTS_ZH = "any_of、only、matches、cites、at_least、at_most"


def check_condition(
    src: Source,
    key: Key,
    fields: Mapping[str, FieldDef],
    cond: Condition,
    table_codes: Callable[[str], Collection[str]],
) -> None:
    """Refuse a condition that names a field the item lacks, tests it in a way its type does
    not allow, or names codes its code table does not have."""
    f = fields.get(cond.field)
    if f is None:
        raise error(
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
        raise error(
            src,
            key,
            "a condition needs a test",
            f"条件须写明判断方式（{_CONDITION_TESTS_ZH} 之一）",
        )
    if tests[0]:
        if f.type not in CODE_TYPES or f.code_table is None:
            raise error(
                src,
                (*key, "any_of" if cond.any_of else "only"),
                f"any_of/only test code fields; {f.code} is {f.type}",
                f"any_of/only 只用于代码字段，字段 {f.code} 的类型为 {f.type}",
            )
        allowed = table_codes(f.code_table)
        for name in ("any_of", "only"):
            for j, value in enumerate(getattr(cond, name)):
                if value not in allowed:
                    raise error(
                        src,
                        (*key, name, j),
                        f"{value!r} is not a code of table {f.code_table!r} (field {f.code})",
                        f"“{value}”不是字段 {f.code} 所用代码表“{f.code_table}”中的代码",
                    )
    if tests[1] and f.type != "text":
        raise error(
            src,
            (*key, "matches" if cond.matches is not None else "cites"),
            f"matches/cites test text fields; {f.code} is {f.type}",
            f"matches/cites 只用于文本字段，字段 {f.code} 的类型为 {f.type}",
        )
    if cond.matches is not None:
        problem = conditions.pattern_error(cond.matches)
        if problem is not None:
            raise error(
                src,
                (*key, "matches"),
                f"not a valid regular expression: {problem}",
                f"不是有效的正则表达式：{problem}",
            )
    for j, c in enumerate(cond.cites):
        if not conditions.normalise_law(c.law):
            raise error(src, (*key, "cites", j, "law"), "may not be empty", "法律名称不能为空")
        if any(a < 1 for a in c.articles):
            raise error(
                src, (*key, "cites", j, "articles"), "articles start at 1", "条文序号从1开始"
            )
    if tests[2] and f.type != "amount_wan":
        raise error(
            src,
            (*key, "at_least" if cond.at_least is not None else "at_most"),
            f"at_least/at_most test amount fields; {f.code} is {f.type}",
            f"at_least/at_most 只用于金额（万元）字段，字段 {f.code} 的类型为 {f.type}",
        )
