"""Conditions over record fields: numerals, citations, and the prepared tests the read model
uses, which must answer exactly as the general ``all_hold``."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.conditions import (
    all_hold,
    cheapest_first,
    citations,
    cites,
    holds,
    predicate,
    zh_number,
)
from xinyong.catalog.model import Citation, Condition
from xinyong.catalog.sanctions import SanctionsCatalogue
from xinyong.kernel.calendar import WorkCalendar


@pytest.mark.parametrize(
    ("text", "value"),
    [("七十九", 79), ("一百二十六", 126), ("十", 10), ("两百", 200), ("78", 78), ("７８", 78)],
)
def test_zh_number(text: str, value: int) -> None:
    assert zh_number(text) == value


def test_zh_number_refuses_what_is_not_a_numeral() -> None:
    assert zh_number("第七") is None
    assert zh_number("") is None


@pytest.mark.parametrize(
    "text",
    [
        "《中华人民共和国行政许可法》第七十九条",
        "依据行政许可法第79条",
        "根据《行政许可法（2019年修正）》第 七十九 条",
    ],
)
def test_a_provision_cited_in_many_ways_is_one_citation(text: str) -> None:
    assert ("行政许可法", 79) in citations(text)


def test_each_title_owns_the_articles_after_it() -> None:
    text = (
        "违反《广告法》第九条，依据《广告法》第五十七条、第五十八条和《食品安全法》第一百二十四条"
    )
    assert citations(text) == (
        ("广告法", 9),
        ("广告法", 57),
        ("广告法", 58),
        ("食品安全法", 124),
    )


def test_titles_are_compared_whole() -> None:
    wanted = (Citation(law="招标投标法", articles=(54,)),)
    assert not cites("《招标投标法实施条例》第五十四条", wanted)
    assert cites("《中华人民共和国招标投标法》第五十四条", wanted)
    # a citation without articles asks for the law itself
    assert cites("《招标投标法》第六十条", (Citation(law="招标投标法"),))


def test_holds_on_codes_amounts_patterns_and_empty_fields() -> None:
    values = {"CF_CFLB": "01,03", "CF_NR_FK": "120.5", "CF_NR": "吊销营业执照"}
    assert holds(Condition(field="CF_CFLB", any_of=("03",)), values)
    assert not holds(Condition(field="CF_CFLB", only=("03",)), values)
    assert holds(Condition(field="CF_NR_FK", at_least=100), values)
    assert not holds(Condition(field="CF_NR_FK", at_most=100), values)
    assert holds(Condition(field="CF_NR", matches="吊销"), values)
    assert not holds(Condition(field="CF_YJ", matches=".*"), values)  # empty: nothing holds


def test_cheapest_first_puts_code_tests_before_citations() -> None:
    cite = Condition(field="CF_YJ", cites=(Citation(law="广告法"),))
    code = Condition(field="CF_CFLB", any_of=("03",))
    assert cheapest_first([cite, code]) == (code, cite)


# -- prepared tests -------------------------------------------------------------------------


def _conditions(sanctions: SanctionsCatalogue) -> list[tuple[Condition, ...]]:
    """Every record trigger's and commitment bar's conditions in the shipped catalogue."""
    out = [t.conditions for m in sanctions.measures() for t in m.triggers if t.item is not None]
    out.extend(b.conditions for b in sanctions.commitment_bars(dt.date(2026, 12, 1)))
    return [c for c in out if c]


def _texts(conds: tuple[Condition, ...], field: str) -> list[str]:
    """Values of ``field`` that hit and miss: the codes named, amounts at and around the
    bounds, texts citing the laws named (with and without the articles), and noise."""
    out: list[str] = ["", "罚款", "01", "03,05", "《广告法》第五十五条", "12.5", "abc"]
    for c in conds:
        if c.field != field:
            continue
        out += [*c.any_of, *c.only, ",".join(c.any_of), ",".join((*c.only, "99"))]
        for bound in (c.at_least, c.at_most):
            if bound is not None:
                out += [str(bound), str(bound + 0.01), str(bound - 0.01)]
        for cit in c.cites:
            out.append(f"《中华人民共和国{cit.law}》")
            out += [f"依据{cit.law}第{a}条" for a in cit.articles]
        if c.matches is not None:
            out.append(c.matches.strip("^$()|.*"))
    return sorted(set(out))


def test_prepared_tests_answer_as_all_hold(
    national: tuple[Catalogue, SanctionsCatalogue, WorkCalendar],
) -> None:
    """Every combination of hitting and missing values, for every shipped trigger and bar."""
    every = _conditions(national[1])
    assert len(every) > 20  # the shipped triggers, not an empty list
    compared = 0
    for conds in every:
        fields = sorted({c.field for c in conds})
        test = predicate(conds)
        for combo in itertools.product(*(_texts(conds, f) for f in fields)):
            values = dict(zip(fields, combo, strict=True))
            assert test(values) == all_hold(conds, values), (conds, values)
            compared += 1
    assert compared > 1000
