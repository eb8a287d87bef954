"""Name lookup for the check: candidate probes over the sorted name index, and the rapidfuzz
score with its explanation. Pure functions; the SQL is in ``checks.repository``.

Candidates come from range probes on the existing B-tree indexes of the normalised name
(``name_key``), each bounded by a LIMIT, so the cost does not grow with the number of
subjects (measured on 1,000,000 subjects: docs/architecture.md, "The check"):

1. **exact**: current names (``subjects``) and every name a department reported
   (``name_observations``, i.e. former or other names) equal to the query;
2. **neighbours**: in both indexes, the ``NEIGHBOURS`` keys just above and just below the
   query in sort order, i.e. the names sharing the longest prefix with it (a wrong or missing
   tail such as 有限公司 / 有限责任公司, a typo late in the name), and the same around the
   query without its leading division names (names written 字号(西安)有限公司 or without
   region);
3. **one edit at the divergence**, unless a neighbour is already one edit away or scores
   ``SETTLED_SCORE``: where the query leaves its nearest neighbours (position L) and the
   ``BACK`` positions before it, current names starting with the query's first characters
   whose continuation matches the query's after one substitution, insertion, deletion or
   transposition there (LIKE patterns), reading at most ``SKIP_SCAN`` index entries per
   position (a typo in the 字号 right after a region prefix).

Not found by these probes: a typo within the first two characters, a query that leaves out the
region its registered name starts with, and a typo right after a region prefix shared by more
than ``SKIP_SCAN`` names (e.g. 西安 + 字号 in a large province). Containment search would need
an n-gram index (a new table kept by the import). Every answer tells the caller to check with
the code, and that not finding a name proves nothing.

The score is the mean of two rapidfuzz ``fuzz.ratio`` values (normalised Indel similarity,
0-100): on the whole normalised names, and on their distinctive part (字号 and industry, without
leading division names and trailing organisation form), because Chinese names of one district
and one form share most of their characters and the whole-name ratio alone ranks unrelated
neighbours high.

Prefix ranges rely on code-point order of ``name_key``: SQLite's default BINARY collation, and
PostgreSQL databases created with the C or C.UTF-8 collation (as here); under a linguistic
collation the lead's migration should add a ``COLLATE "C"`` (or ``text_pattern_ops``) index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from xinyong.identity.divisions import default_divisions
from xinyong.kernel.parse import name_key

NEIGHBOURS = 12  # keys taken on each side of a probe key
SKIP_SCAN = 12_000  # index entries scanned at most by one divergence probe
SKIP_MATCHES = 40  # rows kept at most from one divergence probe
MIN_PREFIX = 2  # no divergence probe over fewer shared characters (it would scan the table)
BACK = 2  # positions before the divergence probed too
CONTINUATION = 2  # characters after the edit that must match
MIN_SCORE = 75.0  # candidates scoring below are not shown
SETTLED_SCORE = 90.0  # a neighbour scoring this makes the divergence probes unnecessary
SCORER = "rapidfuzz.fuzz.ratio"
SCORER_ZH = "rapidfuzz fuzz.ratio（规范化 Indel 相似度）：全称与字号部分两项的平均值"

# Longest first (sorted below), so 股份有限公司 is removed whole rather than leaving 股份.
_FORMS_LISTED = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "公司",
    "个人独资企业",
    "普通合伙企业",
    "有限合伙企业",
    "合伙企业",
    "经营部",
    "集团",
)
_FORMS = tuple(sorted(_FORMS_LISTED, key=len, reverse=True))
_DIVISION_SUFFIXES = ("自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")
_MAX_DIVISIONS = 3  # 省 + 市 + 区 at most
_LEVEL_DIGITS = {"province": 2, "prefecture": 4, "county": 6}


@lru_cache(maxsize=1)
def _division_names() -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """Division names (current and former, full and without 省/市/区/县) by first character,
    longest first, each with the code prefixes it stands for (61, 6101, 610103 …)."""
    names: dict[str, set[str]] = {}
    for record in default_divisions():
        name = record.name
        digits = _LEVEL_DIGITS.get(record.level)
        if digits is None or len(name) < 2 or name.endswith("辖区"):
            continue
        forms = [name]
        for suffix in _DIVISION_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.append(name[: -len(suffix)])
                break
        for form in forms:
            names.setdefault(form, set()).add(record.code[:digits])
    out: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for n, codes in names.items():
        out.setdefault(n[0], []).append((n, frozenset(codes)))
    return {k: tuple(sorted(v, key=lambda x: len(x[0]), reverse=True)) for k, v in out.items()}


def without_division(key: str) -> str:
    """``key`` without the administrative division names it starts with: one, then others
    only while each lies inside the previous one (陕西 西安市 碑林区), so that a 字号 that
    happens to be a county's name elsewhere (江达) is kept."""
    names = _division_names()
    rest = key
    outer: frozenset[str] | None = None
    for _ in range(_MAX_DIVISIONS):
        found = next(
            (
                (n, codes)
                for n, codes in names.get(rest[:1], ())
                if rest.startswith(n)
                and len(n) < len(rest)
                and (outer is None or any(c.startswith(o) for c in codes for o in outer))
            ),
            None,
        )
        if found is None:
            break
        rest, outer = rest[len(found[0]) :], found[1]
    return rest


def core_name(key: str) -> str:
    """The distinctive part of a normalised name: without leading division names, trailing
    organisation forms and trailing bracketed parts (e.g. ``(西安)``, ``(有限合伙)``), keeping
    at least two characters."""
    rest = without_division(key)
    while True:
        if rest.endswith(")") and rest.rfind("(") >= 2:
            rest = rest[: rest.rfind("(")]
            continue
        form = next((f for f in _FORMS if rest.endswith(f)), None)
        if form is None or len(rest) - len(form) < 2:
            return rest
        rest = rest[: -len(form)]


# -- probes ----------------------------------------------------------------------------------


def probe_keys(query: str) -> list[str]:
    """Keys whose sort-order neighbourhoods are probed."""
    keys = [query]
    bare = without_division(query)
    if bare != query and len(bare) >= MIN_PREFIX:
        keys.append(bare)
    return keys


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def divergence(query: str, neighbours: Iterable[str]) -> int:
    """How many leading characters the query shares with its nearest neighbour."""
    return max((common_prefix(query, n) for n in neighbours), default=0)


def prefix_upper(prefix: str) -> str:
    """The smallest string above every string starting with ``prefix`` (code-point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@dataclass(frozen=True, slots=True)
class SkipProbe:
    """Names starting with ``prefix`` (the range [prefix, upper) of the name index) that match
    one of ``patterns``: LIKE patterns (escape ``\\``), each one edit of the query at position
    ``len(prefix)``, most likely edit first."""

    prefix: str
    upper: str
    patterns: tuple[str, ...]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def settled(query: str, names: Iterable[str]) -> bool:
    """Whether the neighbours already hold the likely answer, so the divergence probes (which
    look for one-edit variants, at a higher cost) are not run: a name one edit away, or one
    scoring at least ``SETTLED_SCORE``."""
    return any(
        Levenshtein.distance(query, n, score_cutoff=1) <= 1
        or score_names(query, n).score >= SETTLED_SCORE
        for n in names
    )


def skip_probes(query: str, divergence_at: int) -> list[SkipProbe]:
    """One-edit probes at the divergence and the ``BACK`` positions before it: a typo whose
    wrong character happens to continue some other name moves the divergence past it."""
    out = []
    for at in range(divergence_at, max(MIN_PREFIX, divergence_at - BACK) - 1, -1):
        probe = skip_probe(query, at)
        if probe is not None:
            out.append(probe)
    return out


def skip_probe(query: str, at: int) -> SkipProbe | None:
    """The one-edit probe at position ``at`` (0-based), or None when no useful probe exists."""
    if at < MIN_PREFIX or at >= len(query) - 1 or ord(query[at - 1]) >= 0x10FFFF:
        return None
    prefix = query[:at]
    pats: dict[str, None] = {}
    # (characters skipped in the name, characters skipped in the query) at ``at``:
    # substitution, an extra character in the query, a missing one, a transposition.
    for in_name, in_query in ((1, 1), (0, 1), (1, 0), (2, 2)):
        rest = query[at + in_query : at + in_query + CONTINUATION]
        if rest:  # an empty continuation would match the whole window
            pats[_like(prefix) + "_" * in_name + _like(rest) + "%"] = None
    if not pats:
        return None
    return SkipProbe(prefix, prefix_upper(prefix), tuple(pats))


# -- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    full_ratio: float
    core_ratio: float
    query_core: str
    name_core: str
    edit_distance: int
    differences: tuple[dict[str, object], ...] = field(default=())


def score_names(query: str, name: str) -> NameScore:
    """Score one normalised candidate name against the normalised query."""
    full = fuzz.ratio(query, name)
    qc, nc = core_name(query), core_name(name)
    core = fuzz.ratio(qc, nc)
    diffs: list[dict[str, object]] = []
    for op in Levenshtein.opcodes(query, name):
        if op.tag == "equal":
            continue
        diffs.append(
            {
                "op": op.tag,
                "position": op.src_start + 1,
                "query": query[op.src_start : op.src_end],
                "name": name[op.dest_start : op.dest_end],
            }
        )
    return NameScore(
        score=round((full + core) / 2, 1),
        full_ratio=round(full, 1),
        core_ratio=round(core, 1),
        query_core=qc,
        name_core=nc,
        edit_distance=Levenshtein.distance(query, name),
        differences=tuple(diffs[:6]),
    )


def explain_zh(s: NameScore, field_zh: str, matched: str) -> str:
    """One Chinese sentence saying why a candidate matched."""
    parts = []
    for d in s.differences[:3]:
        pos, q, n = d["position"], d["query"], d["name"]
        if d["op"] == "replace":
            parts.append(f"第{pos}字起“{q}”与“{n}”不同")
        elif d["op"] == "insert":
            parts.append(f"第{pos}字处名称多“{n}”")
        else:
            parts.append(f"第{pos}字起查询多“{q}”")
    diff = "；".join(parts) if parts else "规范化后完全一致"
    return (
        f"与{field_zh}“{matched}”相似度 {s.score}（全称 {s.full_ratio}，字号部分“{s.query_core}”"
        f"对“{s.name_core}” {s.core_ratio}；编辑距离 {s.edit_distance}：{diff}）"
    )


def normalise(name: str) -> str:
    """The form names are compared in: ``kernel.parse.name_key`` (NFKC, brackets unified,
    no whitespace, upper case), the same key the name indexes hold."""
    return name_key(name)
