"""What a search query is and how results rank. Pure: no database, no settings.

A query is normalised like a stored name (``kernel.parse.name_key``: NFKC, brackets folded,
spaces removed, Latin letters upper-cased), then classified:

* ``uscc``: 18 characters of the USCC alphabet — an exact code, which jumps to the subject;
* ``code``: ASCII letters and digits with at least one digit — part of a USCC or an old
  registration number (工商注册号), matched by prefix and, from three characters, anywhere;
* ``initials``: ASCII letters only — pinyin initials (``xajg`` for 西安建工) and Latin names;
* ``name``: anything else.

Ranking tiers, best first: exact code > code prefix > code substring > exact name > name
prefix > initials prefix > substring (name or initials) > fuzzy. Within a tier, shorter names
first, then code-point order.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from xinyong.kernel.errors import InputError
from xinyong.kernel.parse import name_key

Kind = Literal["uscc", "code", "initials", "name"]

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC = re.compile(f"[{USCC_CHARS}]{{18}}")
_CODE = re.compile(r"[0-9A-Z]*[0-9][0-9A-Z]*")
_LETTERS = re.compile(r"[A-Z]+")
_INITIAL_CHAR = re.compile(r"[a-z0-9]")

# The trigram indexes (pg_trgm, FTS5 trigram) need three characters; every character of a
# name is stored twice (``doubled``) so that a two-character query is a four-character one
# and still uses the index: "建工" is in a name exactly when "建建工工" is in its doubling.
MIN_SUBSTRING = 2
MIN_CODE_SUBSTRING = 3


class Tier(IntEnum):
    EXACT_CODE = 1
    CODE_PREFIX = 2
    CODE_SUBSTRING = 3
    EXACT_NAME = 4
    NAME_PREFIX = 5
    INITIALS_PREFIX = 6
    SUBSTRING = 7
    FUZZY = 8


TIER_LABELS = {
    Tier.EXACT_CODE: "代码完全一致",
    Tier.CODE_PREFIX: "代码开头一致",
    Tier.CODE_SUBSTRING: "代码包含",
    Tier.EXACT_NAME: "名称完全一致",
    Tier.NAME_PREFIX: "名称开头一致",
    Tier.INITIALS_PREFIX: "拼音首字母",
    Tier.SUBSTRING: "名称包含",
    Tier.FUZZY: "名称相近",
}


@dataclass(frozen=True, slots=True)
class Query:
    raw: str
    text: str  # normalised (name_key)
    kind: Kind

    @property
    def initials(self) -> str:
        return self.text.lower()

    @property
    def doubled(self) -> str:
        return doubled(self.text)


def parse_query(raw: str, *, max_chars: int) -> Query:
    """The normalised, classified query; an ``InputError`` (Chinese) when empty or too long.
    The message never repeats the query: it may be an ID number."""
    if len(raw) > max_chars * 4:
        raise InputError("query too long", f"查询内容过长（不超过{max_chars}个字）")
    text = name_key(raw)
    if not text:
        raise InputError("empty query", "请输入要查询的名称、统一社会信用代码或注册号")
    if len(text) > max_chars:
        raise InputError("query too long", f"查询内容过长（不超过{max_chars}个字）")
    kind: Kind
    if _USCC.fullmatch(text):
        kind = "uscc"
    elif _CODE.fullmatch(text):
        kind = "code"
    elif _LETTERS.fullmatch(text):
        kind = "initials"
    else:
        kind = "name"
    return Query(raw=raw, text=text, kind=kind)


def doubled(text: str) -> str:
    """Every character twice: the stored form the trigram index reads (see MIN_SUBSTRING)."""
    return "".join(c + c for c in text)


@functools.cache
def _pinyin() -> object:
    # pypinyin copies its ~50 MB dictionaries at import unless told not to; one read-only
    # copy per process, loaded on first use (a process that never indexes never loads it).
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    import pypinyin

    return pypinyin


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case, Latin letters and digits kept, the rest dropped:
    西安建工集团有限公司 → xajgjtyxgs. Polyphones follow pypinyin's phrase dictionary
    (重庆 → cq, 银行 → yh, 长安 → ca)."""
    pypinyin = _pinyin()
    parts: list[str] = pypinyin.lazy_pinyin(  # type: ignore[attr-defined]
        name,
        style=pypinyin.Style.FIRST_LETTER,  # type: ignore[attr-defined]
        strict=False,
    )
    return "".join(_INITIAL_CHAR.findall("".join(parts).lower()))


def codes_text(uscc: str | None, old_reg_no: str | None) -> str:
    """The codes a subject is found by, in one trigram-indexed column."""
    return " ".join(c for c in (uscc, old_reg_no) if c)


def code_key(raw: str | None) -> str | None:
    """An old registration number as stored for search: no spaces, upper case."""
    if raw is None:
        return None
    text = "".join(raw.split()).upper()
    return text[:32] or None


def highlight(name: str, query: Query) -> list[tuple[str, bool]]:
    """``name`` cut into (text, matched) pieces around the first place the query occurs in
    it (compared as name keys, character by character), for the page to mark."""
    if query.kind in ("uscc", "code") or not name:
        return [(name, False)]
    keys = [name_key(c) for c in name]
    target = query.text
    for start in range(len(name)):
        acc, end = "", start
        while end < len(name) and len(acc) < len(target):
            acc += keys[end]
            end += 1
        if acc == target and keys[start]:
            out = []
            if start:
                out.append((name[:start], False))
            out.append((name[start:end], True))
            if end < len(name):
                out.append((name[end:], False))
            return out
    return [(name, False)]


def one_edit_patterns(text: str) -> list[str]:
    """LIKE patterns (escape ``\\``) over the doubled column, together matching every name
    that contains ``text`` after one edit: a character substituted, missing or extra (one
    pattern per place: the text before it, anything, the text after it), or two neighbours
    swapped. Each keeps all of ``text`` but the edited place, so the trigram index answers it
    from the query's rarest trigrams (the 字号) instead of reading the posting lists of the
    common ones (有限公司, the region) that a similarity probe reads."""
    out: dict[str, None] = {}
    dbl = [escape_like(c + c) for c in text]
    for p in range(len(text)):
        parts = ("".join(dbl[:p]), "".join(dbl[p + 1 :]))
        out["%" + "%".join(x for x in parts if x) + "%"] = None
        if p + 1 < len(text):
            swapped = [*dbl[:p], dbl[p + 1], dbl[p], *dbl[p + 2 :]]
            out["%" + "".join(swapped) + "%"] = None
    return list(out)


# From this length on, the probe sent to the index leaves a window of three characters open
# instead of one, at every second place: a third of the patterns, each still holding all but
# three characters of the query (the 字号 stays in every one), and each window holds every
# edit of one place and every swap of two neighbours. ``near`` then keeps what one edit
# explains, so the answer is the one the exact patterns would give (docs/benchmarks.md).
WIDE_PROBE_FROM = 8
PROBE_WINDOW = 3


def probe_patterns(text: str) -> list[str]:
    """LIKE patterns (escape ``\\``) over the doubled column whose matches include every
    name ``one_edit_patterns`` matches, and a few more that ``near`` drops; fewer patterns
    for a long query (see WIDE_PROBE_FROM)."""
    if len(text) < WIDE_PROBE_FROM:
        return one_edit_patterns(text)
    dbl = [escape_like(c + c) for c in text]
    last = len(text) - PROBE_WINDOW
    starts = sorted({*range(0, last, 2), last})
    out: dict[str, None] = {}
    for p in starts:
        parts = ("".join(dbl[:p]), "".join(dbl[p + PROBE_WINDOW :]))
        out["%" + "%".join(x for x in parts if x) + "%"] = None
    return list(out)


@functools.lru_cache(maxsize=256)
def _near_pattern(text: str) -> re.Pattern[str]:
    alternatives = []
    for p in range(len(text)):
        before, after = re.escape(text[:p]), re.escape(text[p + 1 :])
        alternatives.append(f"{before}.*{after}" if before and after else before or after)
        if p + 1 < len(text):
            alternatives.append(re.escape(text[:p] + text[p + 1] + text[p] + text[p + 2 :]))
    return re.compile("|".join(f"(?:{a})" for a in alternatives if a), re.DOTALL)


def near(text: str, name: str) -> bool:
    """Whether ``name`` (a name key) matches one of ``one_edit_patterns(text)``: it holds
    ``text`` with one place edited (or anything between the parts either side of it), or
    with two neighbours swapped."""
    return _near_pattern(text).search(name) is not None


def escape_like(text: str) -> str:
    """``text`` as a literal inside a LIKE pattern with ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: quoted, inner quotes doubled; % and _ are literal there."""
    return '"' + text.replace('"', '""') + '"'


def prefix_bound(text: str) -> str:
    """The least string greater than every string starting with ``text`` (code-point order)."""
    return text + "\U0010ffff"


KIND_LABELS = {"organisation": "法人及非法人组织", "individual_business": "个体工商户"}
