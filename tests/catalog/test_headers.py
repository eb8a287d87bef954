"""Header normalisation: the spellings departments produce all resolve to the same field."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinyong.catalog.catalogue import normalise_header
from xinyong.catalog.loader import load_catalogue

CAT = load_catalogue()
XZCF_HEADERS = sorted(CAT.header_map("XZCF"))
FULL_WIDTH = str.maketrans({"(": "（", ")": "）", "_": "＿"})


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


@given(
    st.sampled_from(XZCF_HEADERS),
    st.lists(st.sampled_from([" ", "\u3000", "\t", "\ufeff"]), max_size=3),
    st.integers(min_value=0, max_value=40),
    st.booleans(),
)
def test_spelling_variants_resolve(header: str, spaces: list[str], at: int, full: bool) -> None:
    expected = CAT.header_map("XZCF")[header]
    variant = header.translate(FULL_WIDTH) if full else header
    at = min(at, len(variant))
    variant = variant[:at] + "".join(spaces) + variant[at:]
    assert CAT.resolve_header("XZCF", variant) == expected


def test_header_maps_are_unambiguous_per_item() -> None:
    for item in CAT.items():
        hm = CAT.header_map(item.code)
        by_norm: dict[str, set[str]] = {}
        for text, code in hm.items():
            by_norm.setdefault(normalise_header(text), set()).add(code)
        assert all(len(codes) == 1 for codes in by_norm.values()), item.code
        for f in item.fields:
            assert hm[f.code] == f.code
            assert hm[f.name] == f.code
