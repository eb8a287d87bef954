"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

Layout: [1] registration department, [2] category, [3-8] GB/T 2260 division of the
registering authority, [9-17] organisation code (GB 11714, char 17 is its own check char),
[18] GB 32100 check char.

python-stdnum computes the GB 32100 check char. We do not call ``stdnum.cn.uscc.validate``:
it also demands digits in chars 1-8, which rejects real codes whose registration department
is a letter (A, N, Y ...), and it ignores the GB 11714 check of chars 9-17.

Severity policy: what proves a typo (length, alphabet, either check char) is an error; what
real registers are known to contain (unlisted or retired division codes, unusual department
or category codes) is a warning, because rejecting such records would lose real data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml
from stdnum.cn import uscc as stdnum_uscc

from xinyong.identity.divisions import DivisionStatus, DivisionTable, default_divisions
from xinyong.kernel.errors import ConfigurationError, FieldProblem

# GB 32100 alphabet: digits and capitals without I, O, S, V, Z (too easily misread).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALPHABET_SET = frozenset(ALPHABET)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {ch: int(ch, 36) for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
# GB 32100 weights 3^i mod 31, premultiplied per (position, character): the check runs for
# every imported row, and stdnum's input normalisation costs more than the sum itself.
# tests/identity check this table against stdnum's calc_check_digit.
_USCC_TERMS = tuple({ch: ALPHABET.index(ch) * pow(3, i, 31) for ch in ALPHABET} for i in range(17))
USCC_LENGTH = 18

SubjectKind = Literal["organisation", "individual_business"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about an identifier. ``code`` is stable and meant for programs."""

    code: str
    message_zh: str
    message_en: str

    def to_field_problem(
        self, *, row: int, field: str, value: str, severity: str = "error"
    ) -> FieldProblem:
        return FieldProblem(
            row=row,
            field=field,
            value=value,
            reason=self.message_zh,
            reason_en=self.message_en,
            severity=severity,
        )


@dataclass(frozen=True, slots=True)
class RegistrationDepartment:
    """A char-1 code. ``categories`` None means we know no category table for it, so char 2
    is not checked; ``confirmed`` False means the code is seen in practice but not in the
    sources we could verify."""

    code: str
    name: str
    categories: Mapping[str, str] | None
    confirmed: bool = True


# Departments without their own category table use "1" for "not subdivided".
_UNSPLIT = MappingProxyType({"1": "未细分机构类别"})


def _department(
    code: str,
    name: str,
    categories: Mapping[str, str] | None = _UNSPLIT,
    *,
    confirmed: bool = True,
) -> tuple[str, RegistrationDepartment]:
    frozen = None if categories is None else MappingProxyType(dict(categories))
    return code, RegistrationDepartment(code, name, frozen, confirmed)


# From domain-reference §10.1, which took it from a validator's enum rather than the
# standard's text; that is why a code missing here is only ever a warning.
REGISTRATION_DEPARTMENTS: Mapping[str, RegistrationDepartment] = MappingProxyType(
    dict(
        [
            _department(
                "1",
                "机构编制",
                {
                    "1": "机关",
                    "2": "事业单位",
                    "3": "中央编办直接管理机构编制的群众团体",
                    "9": "其他",
                },
            ),
            _department("2", "外交"),
            _department("3", "教育"),
            _department("4", "公安"),
            _department(
                "5", "民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}
            ),
            _department("6", "司法"),
            _department("7", "交通运输"),
            _department("8", "文化"),
            _department(
                "9", "工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}
            ),
            _department("A", "旅游"),
            _department("B", "宗教事务"),
            _department("C", "全国总工会"),
            _department("D", "人民解放军总后勤部"),
            _department("E", "省级人民政府"),
            _department("F", "地市级人民政府"),
            _department("G", "区县级人民政府"),
            _department("N", "农业农村", None, confirmed=False),
            _department("Y", "其他"),
        ]
    )
)


@dataclass(frozen=True, slots=True)
class UsccCheck:
    raw: str
    code: str
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    legacy_allowlisted: bool
    subject_kind: SubjectKind

    @property
    def valid(self) -> bool:
        return not self.errors


def normalise_uscc(raw: str) -> str:
    """Strip all whitespace, fold full-width forms to ASCII and upper-case."""
    if raw.isascii() and raw.isalnum():
        return raw.upper()
    # NFKC turns full-width letters/digits and the ideographic space into ASCII.
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()


def org_code_check_char(body8: str) -> str:
    """GB 11714 check char of an 8-char organisation code body."""
    if len(body8) != 8 or any(ch not in _ORG_VALUES for ch in body8):
        raise ValueError(f"organisation code body must be 8 digits/capitals, got {body8!r}")
    remainder = (
        11 - sum(_ORG_VALUES[ch] * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    )
    if remainder == 10:
        return "X"
    if remainder == 11:
        return "0"
    return str(remainder)


def uscc_check_char(body17: str) -> str:
    """GB 32100 check character of the first 17 characters (all in the alphabet)."""
    total = sum(terms[ch] for terms, ch in zip(_USCC_TERMS, body17, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def make_uscc(registration_dept: str, category: str, division: str, org_body8: str) -> str:
    """Build a code with both check chars right (demo data and tests)."""
    for label, part, size in (
        ("registration_dept", registration_dept, 1),
        ("category", category, 1),
        ("org_body8", org_body8, 8),
    ):
        if len(part) != size or any(ch not in _ALPHABET_SET for ch in part):
            raise ValueError(f"{label} must be {size} char(s) of {ALPHABET}, got {part!r}")
    if not (len(division) == 6 and division.isascii() and division.isdigit()):
        raise ValueError(f"division must be six digits, got {division!r}")
    body17 = registration_dept + category + division + org_body8 + org_code_check_char(org_body8)
    return body17 + str(stdnum_uscc.calc_check_digit(body17))


def _positions(bad: list[tuple[int, str]]) -> tuple[str, str]:
    shown = bad[:3]
    zh = "、".join(f"第{i + 1}位“{ch}”" for i, ch in shown)
    en = ", ".join(f"{ch!r} at {i + 1}" for i, ch in shown)
    if len(bad) > len(shown):
        zh += f"等{len(bad)}处"
        en += f" and {len(bad) - len(shown)} more"
    return zh, en


def _describe(status: DivisionStatus) -> str:
    return f"{status.code}（{status.full_name}）" if status.full_name else status.code


def _division_issue(division: str, table: DivisionTable) -> Issue | None:
    if not (division.isascii() and division.isdigit()):
        return Issue(
            "division_unknown",
            f"统一社会信用代码第3至8位的行政区划代码“{division}”不是6位数字，请核实",
            f"division code {division!r} (chars 3-8) is not six digits",
        )
    status = table.lookup(division)
    if status.status == "unknown":
        return Issue(
            "division_unknown",
            f"统一社会信用代码第3至8位的行政区划代码 {division} 不在国家行政区划代码表"
            "（GB/T 2260）中，可能是开发区等非正式区划代码或录入错误，请核实",
            f"division code {division} (chars 3-8) is in no GB/T 2260 list",
        )
    if status.status == "retired":
        when = f"于{status.retired_on}年" if status.retired_on else ""
        zh = f"统一社会信用代码第3至8位的行政区划代码 {_describe(status)}已{when}停用"
        en = f"division code {division} (chars 3-8) retired"
        if status.retired_on:
            en += f" in {status.retired_on}"
        if status.successors:
            successors = [table.lookup(code) for code in status.successors]
            zh += "，现行代码为 " + "、".join(_describe(s) for s in successors)
            en += "; successors " + ", ".join(status.successors)
        return Issue("division_retired", zh + "（统一社会信用代码终身不变，此处仅作提示）", en)
    return None


def _structure_issues(code: str, table: DivisionTable) -> list[Issue]:
    found: list[Issue] = []
    department = REGISTRATION_DEPARTMENTS.get(code[0])
    if department is None:
        found.append(
            Issue(
                "registration_dept",
                f"统一社会信用代码第1位登记管理部门代码“{code[0]}”不在已知代码表中，请核实",
                f"unknown registration department code {code[0]!r} (char 1)",
            )
        )
    elif department.categories is not None and code[1] not in department.categories:
        allowed = "、".join(department.categories)
        found.append(
            Issue(
                "category",
                f"统一社会信用代码第2位机构类别代码“{code[1]}”不是登记管理部门"
                f"“{department.name}”下的已知类别（应为 {allowed} 之一），请核实",
                f"category code {code[1]!r} (char 2) is not listed under registration "
                f"department {department.code!r}",
            )
        )
    division_issue = _division_issue(code[2:8], table)
    if division_issue is not None:
        found.append(division_issue)
    return found


def check_uscc(
    raw: str,
    *,
    divisions: DivisionTable | None = None,
    allowlist: frozenset[str] | None = None,
) -> UsccCheck:
    """Check one code. ``allowlist`` defaults to :func:`load_legacy_allowlist` ()."""
    code = normalise_uscc(raw)
    errors: list[Issue] = []
    warnings: list[Issue] = []

    if len(code) != USCC_LENGTH:
        errors.append(
            Issue(
                "length",
                f"统一社会信用代码应为18位，实际为{len(code)}位",
                f"USCC must have 18 characters, got {len(code)}",
            )
        )
    if not _ALPHABET_SET.issuperset(code):
        bad = [(i, ch) for i, ch in enumerate(code) if ch not in _ALPHABET_SET]
        zh, en = _positions(bad)
        errors.append(
            Issue(
                "alphabet",
                f"统一社会信用代码含不允许的字符：{zh}"
                "（只能使用数字和除 I、O、S、V、Z 以外的大写字母）",
                f"USCC has characters outside the GB 32100 alphabet: {en}",
            )
        )
    if not errors:
        expected = uscc_check_char(code[:17])
        if expected != code[17]:
            errors.append(
                Issue(
                    "check_digit",
                    f"统一社会信用代码校验位错误：应为 {expected}，实际为 {code[17]}",
                    f"USCC check character (char 18) should be {expected}, got {code[17]}",
                )
            )
        org_expected = org_code_check_char(code[8:16])
        if org_expected != code[16]:
            errors.append(
                Issue(
                    "org_code_check",
                    f"统一社会信用代码第9至17位的组织机构代码校验位（第17位）错误："
                    f"应为 {org_expected}，实际为 {code[16]}",
                    f"GB 11714 organisation code check character (char 17) should be "
                    f"{org_expected}, got {code[16]}",
                )
            )
    if len(code) == USCC_LENGTH:
        warnings.extend(_structure_issues(code, divisions or default_divisions()))

    legacy = code in (load_legacy_allowlist() if allowlist is None else allowlist)
    if legacy:
        warnings = [
            Issue(
                "legacy_allowlisted",
                "该统一社会信用代码不符合 GB 32100 编码规则，但列于历史遗留代码清单中，按有效处理",
                "USCC fails GB 32100 checks but is on the legacy allow-list",
            ),
            *errors,
            *warnings,
        ]
        errors = []

    return UsccCheck(
        raw=raw,
        code=code,
        errors=tuple(errors),
        warnings=tuple(warnings),
        legacy_allowlisted=legacy,
        subject_kind="individual_business" if code.startswith("92") else "organisation",
    )


def _allowlist_entries(text: str, source: str) -> set[str]:
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            f"{source}: invalid YAML: {exc}", f"历史遗留代码清单 {source} 不是有效的 YAML：{exc}"
        ) from exc
    entries = document.get("codes") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigurationError(
            f"{source}: expected a mapping with a 'codes' list",
            f"历史遗留代码清单 {source} 应包含 codes 列表",
        )
    codes: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        note = entry.get("note") if isinstance(entry, dict) else None
        if not isinstance(code, str) or not code.strip():
            raise ConfigurationError(
                f"{source}: entry {number} has no code",
                f"历史遗留代码清单 {source} 第{number}条缺少 code",
            )
        # A note forces whoever adds a code to say why it is trusted.
        if not isinstance(note, str) or not note.strip():
            raise ConfigurationError(
                f"{source}: entry {number} ({code}) has no note",
                f"历史遗留代码清单 {source} 第{number}条（{code}）缺少说明 note",
            )
        normalised = normalise_uscc(code)
        if len(normalised) != USCC_LENGTH:
            raise ConfigurationError(
                f"{source}: entry {number} ({code}) is not 18 characters",
                f"历史遗留代码清单 {source} 第{number}条（{code}）不是18位",
            )
        codes.add(normalised)
    return codes


@lru_cache(maxsize=8)
def load_legacy_allowlist(extra: Path | None = None) -> frozenset[str]:
    """Shipped legacy codes plus those in a deployment's own file of the same format."""
    shipped = (
        resources.files("xinyong.identity")
        .joinpath("data/legacy_uscc.yaml")
        .read_text(encoding="utf-8")
    )
    codes = _allowlist_entries(shipped, "xinyong/identity/data/legacy_uscc.yaml")
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read legacy allow-list {extra}: {exc}",
                f"无法读取历史遗留代码清单 {extra}：{exc}",
            ) from exc
        codes |= _allowlist_entries(text, str(extra))
    return frozenset(codes)
