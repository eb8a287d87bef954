"""Evaluation of catalogue conditions over a record's canonical field values.

Pure functions shared by the classification of records (severity rules, at import) and the
measure triggers (at a check). Values are the canonical texts the import stores: codes of a
``codes`` field joined by ``,``; amounts in 万元 as decimal text; dates as ISO text.

Citations
---------
A condition may ask whether a text field (处罚依据 CF_YJ) cites a provision, e.g. 行政许可法
第七十九条. Departments write citations in many ways: 《中华人民共和国行政许可法》第七十九条,
依据行政许可法第79条, 违反《广告法》第九条，依据《广告法》第五十七条. :func:`citations` reads a
text into (law, article) pairs: every law title (in 《》, or a run of Chinese ending in 法 /
条例 / 规定 / 办法 / 细则 before an article), normalised by :func:`normalise_law`, owns the
article numbers after it up to the next title. Titles are compared whole, so 招标投标法 does not
match 招标投标法实施条例.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from xinyong.catalog.model import Citation, Condition

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = "0-9零〇一二两三四五六七八九十百千"
_BRACKETED = re.compile(r"《([^《》]{1,80})》")
# An unbracketed title: Chinese text ending in a law-like word, directly before an article.
_BARE_TITLE = re.compile(r"([\u4e00-\u9fff]{2,40}?(?:法|条例|规定|办法|细则))(?=第)")
_ARTICLE = re.compile(rf"(?:第|、|和|及|或)\s*([{_NUMBER}]+)\s*条")
_VERSION_NOTE = re.compile(r"[（(][^（）()]*(?:年|修正|修订|版)[^（）()]*[）)]")
# Words that open a citation without being part of the title (依据…, 违反…).
_LEADING = re.compile(r"^(?:依据|根据|依照|按照|违反|参照|适用|依|据|按|和|及|与|并|或)+")
_CHINA = "中华人民共和国"


def zh_number(text: str) -> int | None:
    """The integer a Chinese or Arabic numeral writes (一百二十六 → 126, 78 → 78)."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return total + current


@lru_cache(maxsize=4096)
def normalise_law(title: str) -> str:
    """A law's title as conditions name it: no 《》, no version note, no 中华人民共和国."""
    t = unicodedata.normalize("NFKC", title).strip().strip("《》")
    t = _VERSION_NOTE.sub("", t)
    t = re.sub(r"\s+", "", t)
    t = _LEADING.sub("", t)
    if t.startswith(_CHINA):
        t = t[len(_CHINA) :]
    return t


# Every citation condition of every trigger reads the same 处罚依据 of a record, and departments
# cite from a few templates: parsed once per distinct text.
@lru_cache(maxsize=65536)
def citations(text: str) -> tuple[tuple[str, int | None], ...]:
    """(law, article) pairs cited in ``text``, in order; a title with no article after it
    gives (law, None)."""
    norm = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    titles: list[tuple[int, int, str]] = []  # (start, end, law)
    for m in _BRACKETED.finditer(norm):
        titles.append((m.start(), m.end(), normalise_law(m.group(1))))
    covered = [(s, e) for s, e, _ in titles]
    for m in _BARE_TITLE.finditer(norm):
        if any(s <= m.start() < e for s, e in covered):
            continue
        titles.append((m.start(), m.end(), normalise_law(m.group(1))))
    titles.sort()
    out: list[tuple[str, int | None]] = []
    for i, (_, end, law) in enumerate(titles):
        stop = titles[i + 1][0] if i + 1 < len(titles) else len(norm)
        found = False
        for a in _ARTICLE.finditer(norm, end, stop):
            n = zh_number(a.group(1))
            if n is not None:
                out.append((law, n))
                found = True
        if not found:
            out.append((law, None))
    return tuple(out)


def cites(text: str, wanted: Iterable[Citation]) -> bool:
    """Whether ``text`` cites any of ``wanted`` (a citation without articles: the law)."""
    found = citations(text)
    for c in wanted:
        law = normalise_law(c.law)
        for cited_law, article in found:
            if cited_law == law and (not c.articles or article in c.articles):
                return True
    return False


@lru_cache(maxsize=512)
def _pattern(expr: str) -> re.Pattern[str]:
    return re.compile(expr)


def pattern_error(expr: str) -> str | None:
    """Why ``expr`` is not a valid regular expression, or None."""
    try:
        _pattern(expr)
    except re.error as exc:
        return str(exc)
    return None


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def holds(cond: Condition, values: Mapping[str, str]) -> bool:
    """Whether ``cond`` holds on a record's values. An empty field satisfies nothing."""
    raw = values.get(cond.field) or ""
    if not raw:
        return False
    if cond.any_of or cond.only:
        present = {v for v in raw.split(",") if v}
        if cond.any_of and not present & set(cond.any_of):
            return False
        if cond.only and not present <= set(cond.only):
            return False
    if cond.matches is not None and _pattern(cond.matches).search(raw) is None:
        return False
    if cond.cites and not cites(raw, cond.cites):
        return False
    if cond.at_least is not None or cond.at_most is not None:
        amount = _amount(raw)
        if amount is None:
            return False
        if cond.at_least is not None and amount < Decimal(str(cond.at_least)):
            return False
        if cond.at_most is not None and amount > Decimal(str(cond.at_most)):
            return False
    return True


Predicate = Callable[[Mapping[str, str]], bool]


def predicate(conds: Iterable[Condition]) -> Predicate:
    """:func:`all_hold` over ``conds``, prepared once: the read model matches a million
    records against every trigger of their item at start-up, and a prepared test costs about
    half of the general one. Same answers (tests compare them)."""
    tests = [_prepared(c) for c in cheapest_first(conds)]
    if not tests:
        return lambda values: True
    if len(tests) == 1:
        return tests[0]
    return lambda values: all(t(values) for t in tests)


def _prepared(cond: Condition) -> Predicate:
    checks: list[Callable[[str], bool]] = []
    if cond.any_of:
        wanted = frozenset(cond.any_of)
        checks.append(lambda raw: not wanted.isdisjoint(raw.split(",")))
    if cond.only:
        allowed = frozenset(cond.only)
        checks.append(lambda raw: all(v in allowed for v in raw.split(",") if v))
    if cond.matches is not None:
        search = _pattern(cond.matches).search
        checks.append(lambda raw: search(raw) is not None)
    if cond.at_least is not None or cond.at_most is not None:
        low = None if cond.at_least is None else Decimal(str(cond.at_least))
        high = None if cond.at_most is None else Decimal(str(cond.at_most))

        def in_range(raw: str) -> bool:
            amount = _amount(raw)
            return (
                amount is not None
                and (low is None or amount >= low)
                and (high is None or amount <= high)
            )

        checks.append(in_range)
    if cond.cites:
        wanted_laws = cond.cites
        checks.append(lambda raw: cites(raw, wanted_laws))
    name = cond.field

    def test(values: Mapping[str, str]) -> bool:
        raw = values.get(name) or ""
        return bool(raw) and all(c(raw) for c in checks)

    return test


def _cost(cond: Condition) -> int:
    if cond.cites:
        return 3  # parses the citation text (cached per text)
    if cond.matches is not None:
        return 2
    if cond.at_least is not None or cond.at_most is not None:
        return 1
    return 0  # codes of a code table: a set test


def cheapest_first(conds: Iterable[Condition]) -> tuple[Condition, ...]:
    """``conds`` in the order :func:`all_hold` fails fastest (all must hold: order is free)."""
    return tuple(sorted(conds, key=_cost))


def all_hold(conds: Iterable[Condition], values: Mapping[str, str]) -> bool:
    return all(holds(c, values) for c in conds)


def fields_named(conds: Iterable[Condition]) -> set[str]:
    return {c.field for c in conds}
