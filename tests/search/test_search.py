"""The public search on both engines: what it finds, in what order, and what it never shows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.helpers import add_department, csv_bytes, penalty, person_penalty, resident_id
from xinyong.bootstrap import Platform
from xinyong.identity.uscc import make_uscc
from xinyong.kernel.errors import InputError
from xinyong.search import rules
from xinyong.search import service as search
from xinyong.search.tables import search_index

XAJG = make_uscc("9", "1", "610100", "MA6TXAJG")
BEILIN = make_uscc("9", "1", "610103", "MA6TBL01")
PCT = make_uscc("9", "1", "610104", "MA6TPC01")
UNDER = make_uscc("9", "1", "610105", "MA6TUN01")
OLD_REG = "610100100012345"


def _import(platform: Platform, rows: list[dict[str, str]]) -> Any:
    return platform.importer().import_bytes(
        csv_bytes(rows), filename="p.csv", department_code="scjg", item_code="XZCF"
    )


def _org(code: str, name: str, n: int, **extra: str) -> dict[str, str]:
    return penalty(
        CF_XDR_MC=name,
        CF_XDR_SHXYM=code,
        CF_WSH=f"陕市监罚〔2026〕{n}号",
        CF_FR_ZJHM=resident_id(seq=f"{n:03d}"),
        **extra,
    )


@pytest.fixture
def loaded(platform: Platform) -> Platform:
    add_department(platform)
    rows = [
        _org(XAJG, "西安建工集团有限公司", 1, CF_XDR_GSZC=OLD_REG),
        _org(BEILIN, "西安市碑林区示例科技有限公司", 2, CF_XDR_GSZC=""),
        _org(PCT, "百分之百%商贸有限公司", 3, CF_XDR_GSZC=""),
        _org(UNDER, "下划线_贸易有限公司", 4, CF_XDR_GSZC=""),
        {**person_penalty(resident_id(seq="901"), name="西安建"), "CF_XDR_GSZC": ""},
    ]
    result = _import(platform, rows)
    assert result.accepted == 5, result.as_dict()
    return platform


def _find(platform: Platform, q: str, **kw: Any) -> search.Result:
    with platform.engine.connect() as conn:
        return search.search(conn, q, **kw)


def _codes(platform: Platform, q: str) -> list[str]:
    return [h["code"] for h in _find(platform, q).hits]


def test_pinyin_initials_find_the_name(loaded: Platform) -> None:
    assert rules.initials("西安建工集团有限公司") == "xajgjtyxgs"
    assert rules.initials("重庆银行") == "cqyh"  # polyphones by phrase
    hits = _find(loaded, "xajg").hits
    assert [h["code"] for h in hits] == [XAJG]
    assert hits[0]["match"]["code"] == "initials_prefix"
    assert _codes(loaded, "XAJG") == [XAJG]  # any case
    assert _codes(loaded, "jgjt") == [XAJG]  # inside the initials, from three letters


def test_full_and_partial_uscc_in_any_case(loaded: Platform) -> None:
    full = _find(loaded, XAJG.lower())
    assert full.exact == XAJG
    assert full.hits[0]["match"]["code"] == "exact_code"
    assert _codes(loaded, XAJG[:8].lower()) == sorted([XAJG])  # prefix 91610100
    assert _codes(loaded, "ma6txajg") == [XAJG]  # a part from the middle
    assert _find(loaded, "91610100").hits[0]["match"]["code"] == "code_prefix"


def test_old_registration_number(loaded: Platform) -> None:
    found = _find(loaded, OLD_REG)
    assert found.exact == XAJG
    assert found.hits[0]["old_reg_no"] == OLD_REG
    assert _codes(loaded, OLD_REG[:9]) == [XAJG]
    assert _codes(loaded, OLD_REG[-6:]) == [XAJG]


def test_two_character_names_use_the_index(loaded: Platform) -> None:
    assert _codes(loaded, "碑林") == [BEILIN]
    assert _codes(loaded, "建工") == [XAJG]
    # Neither occurs in a name: doubling must not invent matches across characters.
    assert _codes(loaded, "建集") == []
    assert _codes(loaded, "安安") == []
    assert set(_codes(loaded, "西安")) == {XAJG, BEILIN}


def test_ranking_exact_then_prefix_then_substring(loaded: Platform) -> None:
    hits = _find(loaded, "西安建工集团有限公司").hits
    assert hits[0]["code"] == XAJG
    assert hits[0]["match"]["code"] == "exact_name"
    hits = _find(loaded, "西安").hits
    assert {h["match"]["code"] for h in hits} == {"name_prefix"}
    hits = _find(loaded, "有限公司").hits
    assert {h["match"]["code"] for h in hits} == {"substring"}
    # Shorter names first within a tier.
    assert [len(h["name"]) for h in hits] == sorted(len(h["name"]) for h in hits)


def test_fuzzy_names(loaded: Platform) -> None:
    hits = _find(loaded, "西安建公集团有限公司").hits  # one wrong character
    assert hits
    assert hits[0]["code"] == XAJG
    assert hits[0]["match"]["code"] == "fuzzy"


@pytest.mark.parametrize(
    "typo",
    [
        "西安建工集有限公司",  # a character missing
        "西安建工集团团有限公司",  # one too many
        "西安工建集团有限公司",  # two neighbours swapped
        "陕西安建工集团有限公司",  # an extra character before the name
    ],
)
def test_fuzzy_finds_one_edit_anywhere(loaded: Platform, typo: str) -> None:
    hits = _find(loaded, typo).hits
    assert hits
    assert hits[0]["code"] == XAJG
    assert hits[0]["match"]["code"] == "fuzzy"


def test_fuzzy_finds_nothing_two_edits_from_a_short_name(loaded: Platform) -> None:
    assert _codes(loaded, "东京工建集团") == []


def test_one_edit_patterns_keep_all_but_the_edited_place() -> None:
    assert rules.one_edit_patterns("建工集") == [
        "%工工集集%",  # the first character substituted, missing or extra
        "%工工建建集集%",  # the first two swapped
        "%建建%集集%",
        "%建建集集工工%",
        "%建建工工%",
    ]
    # Wildcards in the query are literal (escaped, doubled like every character).
    assert rules.one_edit_patterns("a%") == ["%\\%\\%%", "%\\%\\%aa%", "%aa%"]


def test_wildcards_are_literal(loaded: Platform) -> None:
    assert _codes(loaded, "%商贸") == [PCT]
    assert _codes(loaded, "%商") == [PCT]  # two characters, through the doubled column
    assert _codes(loaded, "线_贸") == [UNDER]
    assert _codes(loaded, "_") == []  # a one-character query matches by prefix only
    assert _codes(loaded, "%%%") == []
    assert _codes(loaded, '"建工" OR x') == []  # FTS syntax is text, not an operator


def test_a_person_is_never_found(loaded: Platform) -> None:
    with loaded.engine.connect() as conn:
        kinds = {k for (k,) in conn.execute(select(search_index.c.kind))}
        assert kinds == {"organisation"}
    assert XAJG in _codes(loaded, "西安建")
    assert all(h["kind"]["code"] != "person" for h in _find(loaded, "西安建").hits)
    assert _find(loaded, resident_id(seq="901")).total == 0
    assert _find(loaded, "xaj").total == 1  # the person 西安建 has the same initials


def test_paging_bounds(loaded: Platform) -> None:
    first = _find(loaded, "有限公司", page=1, size=3)
    second = _find(loaded, "有限公司", page=2, size=3)
    assert (first.total, first.pages, len(first.hits), len(second.hits)) == (4, 2, 3, 1)
    assert not {h["code"] for h in first.hits} & {h["code"] for h in second.hits}
    with pytest.raises(InputError):
        _find(loaded, "有限公司", page=3, size=3)
    with pytest.raises(InputError):
        _find(loaded, "有限公司", size=51)
    with pytest.raises(InputError):
        _find(loaded, "有限公司", page=0)
    with pytest.raises(InputError):
        _find(loaded, "   ")
    with pytest.raises(InputError):
        _find(loaded, "西" * 61)
    capped = _find(loaded, "有限公司", limits=search.Limits(max_results=2), size=2)
    assert (capped.total, capped.capped) == (2, True)
    assert _find(loaded, "没有这个名字的公司").total == 0


def test_reindex_is_idempotent_and_matches_the_import(loaded: Platform) -> None:
    cols = [c for c in search_index.c if c.name not in ("id", "updated_at")]

    def snapshot() -> list[tuple[Any, ...]]:
        with loaded.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(*cols).order_by(cols[0]))]

    by_import = snapshot()
    for _ in range(2):
        with loaded.engine.begin() as conn:
            assert search.reindex(conn, loaded.catalogue, now=loaded.clock.now()) == 4
        assert snapshot() == by_import
    assert _codes(loaded, "xajg") == [XAJG]
    assert _find(loaded, OLD_REG).exact == XAJG


def test_the_importer_keeps_the_index_current(loaded: Platform) -> None:
    # A registration record renames the subject: the new name is found, the old one not.
    renamed = make_uscc("9", "1", "610106", "MA6TRN01")
    _import(loaded, [_org(renamed, "旧名称咨询有限公司", 10)])
    assert _codes(loaded, "旧名称") == [renamed]
    row = {
        "DJ_QYMC": "新名称咨询有限公司",
        "DJ_TYSHXYDM": renamed,
        "DJ_ZCH": "610106600000001",
        "DJ_ZCRQ": "2020-01-02",
    }
    item = loaded.catalogue.item("DJZC")
    required = [f.code for f in item.fields if f.required and f.code not in row]
    result = loaded.importer().import_bytes(
        csv_bytes([{**row, **dict.fromkeys(required, "x")}]),
        filename="dj.csv",
        department_code="scjg",
        item_code="DJZC",
    )
    if result.accepted != 1:
        pytest.skip(f"registration row shape: {result.as_dict()['rejections'][:2]}")
    assert _codes(loaded, "新名称") == [renamed]
    assert _codes(loaded, "旧名称") == []
    assert _find(loaded, "610106600000001").exact == renamed
    with loaded.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(search_index)).scalar_one()
    assert n == 5


def _like(pattern: str, value: str) -> bool:
    """LIKE with ESCAPE '\\' as the database reads it (only %, _ unused by the probes)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else re.escape(c))
        i += 1
    return re.fullmatch("".join(out), value, re.DOTALL) is not None


NAME_CHARS = "西安建工集团有限公司鑫恒%_"


@settings(max_examples=400, deadline=None)
@given(
    query=st.text(alphabet=NAME_CHARS, min_size=3, max_size=14),
    name=st.text(alphabet=NAME_CHARS, min_size=1, max_size=18),
    edit=st.integers(min_value=0, max_value=20),
    typo=st.sampled_from(NAME_CHARS),
)
def test_probe_and_near_answer_as_the_one_edit_patterns(
    query: str, name: str, edit: int, typo: str
) -> None:
    # Half the names hold the query with one place changed, so matches are common.
    if edit % 2:
        i = edit % len(query)
        name = name[:2] + query[:i] + typo + query[i + 1 :] + name[2:]
    stored = rules.doubled(name)
    exact = any(_like(p, stored) for p in rules.one_edit_patterns(query))
    assert rules.near(query, name) == exact
    if exact:  # the wider probe never loses a match
        assert any(_like(p, stored) for p in rules.probe_patterns(query))


def test_long_queries_are_probed_with_fewer_patterns() -> None:
    q = "西安建工集团有限公司"
    assert len(rules.probe_patterns(q)) < len(rules.one_edit_patterns(q)) / 3
    assert rules.probe_patterns("建工集") == rules.one_edit_patterns("建工集")
