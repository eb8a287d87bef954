"""Public search use cases: index subjects (the import, ``xinyong search reindex``) and
answer a query in ranked, paged tiers. The caller owns the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Connection

from xinyong.catalog.catalogue import Catalogue
from xinyong.kernel.errors import InputError
from xinyong.kernel.parse import name_key
from xinyong.kernel.settings import Settings
from xinyong.search import repository as repo
from xinyong.search.rules import (
    KIND_LABELS,
    MIN_CODE_SUBSTRING,
    MIN_SUBSTRING,
    TIER_LABELS,
    Query,
    Tier,
    code_key,
    codes_text,
    doubled,
    highlight,
    initials,
    near,
    parse_query,
)

REINDEX_PAGE = 5000
INDEX_SLICE = 20_000


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds of one search (settings, docs/operations.md 公开查询)."""

    max_query_chars: int = 60
    max_results: int = 1000
    max_page_size: int = 50
    fuzzy_candidates: int = 200
    fuzzy_min_score: float = 60.0

    @classmethod
    def from_settings(cls, s: Settings) -> Limits:
        return cls(
            max_query_chars=s.search_max_query_chars,
            max_results=s.search_max_results,
            max_page_size=s.search_max_page_size,
            fuzzy_candidates=s.search_fuzzy_candidates,
            fuzzy_min_score=s.search_fuzzy_min_score,
        )


@dataclass(slots=True)
class Result:
    query: Query
    total: int
    capped: bool  # more matched than ``max_results``: total is a lower bound
    page: int
    size: int
    hits: list[dict[str, Any]] = field(default_factory=list)
    exact: str | None = None  # the subject an exact code names: the page jumps to it

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.text,
            "kind": self.query.kind,
            "total": self.total,
            "capped": self.capped,
            "page": self.page,
            "size": self.size,
            "pages": self.pages,
            "exact": self.exact,
            "results": [{k: v for k, v in h.items() if k != "highlight"} for h in self.hits],
        }


def legacy_fields(catalogue: Catalogue) -> dict[str, str]:
    """item code → the field holding the old registration number (the first legacy code of
    the item's subject mapping: 工商注册号 / 注册号 where an item has one)."""
    return {i.code: i.subject.legacy_codes[0] for i in catalogue.items() if i.subject.legacy_codes}


def _row(key: str, kind: str, name: str, old: str | None, now: dt.datetime) -> dict[str, Any]:
    nk = name_key(name)
    uscc = key if len(key) == 18 else None
    return {
        "subject_key": key,
        "kind": kind,
        "public": True,  # persons are never indexed at all; see index_subjects
        "name": name,
        "name_key": nk,
        "doubled": doubled(nk),
        "initials": initials(name)[:200],
        "uscc": uscc,
        "old_reg_no": old,
        "codes": codes_text(uscc, old),
        "updated_at": now,
    }


def index_subjects(
    conn: Connection,
    keys: Sequence[str],
    *,
    now: dt.datetime,
    old_codes: Mapping[str, str] | None = None,
) -> int:
    """Bring the index rows of these subjects up to date with their subject rows (and the
    old registration numbers just reported, when given); natural persons are skipped. Rows
    whose name and code did not change are left alone (pinyin is the costly part). Returns
    the number of rows written."""
    wanted = sorted(set(keys))
    written = 0
    # In slices, so a million-row batch never holds a million index rows at once.
    for i in range(0, len(wanted), INDEX_SLICE):
        found = repo.organisations(conn, wanted[i : i + INDEX_SLICE])
        have = repo.indexed(conn, [k for k, _, _ in found])
        rows = []
        for key, kind, name in found:
            before = have.get(key)
            old = code_key((old_codes or {}).get(key)) or (before[1] if before else None)
            if before is not None and before == (name, old):
                continue
            rows.append(_row(key, kind, name, old, now))
        repo.replace(conn, rows)
        written += len(rows)
    return written


def reindex(conn: Connection, catalogue: Catalogue, *, now: dt.datetime) -> int:
    """Rebuild the whole index from the subjects and the ledger; the same data gives the
    same index. Pages of subjects, so memory stays bounded but for the old-number map."""
    old: dict[str, str] = {}
    for key, value in repo.legacy_codes(conn, legacy_fields(catalogue)):
        coded = code_key(value)
        if coded:
            old[key] = coded
    repo.remove_all(conn)
    after, total = "", 0
    while page := repo.organisations_after(conn, after, REINDEX_PAGE):
        repo.replace(conn, [_row(k, kind, name, old.get(k), now) for k, kind, name in page])
        total += len(page)
        after = page[-1][0]
    return total


def _tiers(conn: Connection, q: Query, limits: Limits) -> list[tuple[Tier, list[str]]]:
    n = limits.max_results
    out: list[tuple[Tier, list[str]]] = []
    if q.kind in ("uscc", "code"):
        out.append((Tier.EXACT_CODE, repo.code_exact(conn, q.text, n)))
        if q.kind == "uscc" and out[0][1]:
            return out  # a whole code that exists: nothing else begins with or contains it
        out.append((Tier.CODE_PREFIX, repo.code_prefix(conn, q.text, n)))
        if len(q.text) >= MIN_CODE_SUBSTRING:
            out.append((Tier.CODE_SUBSTRING, repo.substring(conn, "codes", q.text, n)))
        if not q.text.isdigit():  # letters and digits: also initials (a name with digits)
            out.append((Tier.INITIALS_PREFIX, repo.initials_prefix(conn, q.initials, n)))
        return out
    out.append((Tier.EXACT_NAME, repo.name_exact(conn, q.text, n)))
    out.append((Tier.NAME_PREFIX, repo.name_prefix(conn, q.text, n)))
    if out[0][1] and q.kind == "name":
        # A whole name that exists: names that merely contain it (past its start, which the
        # prefix tier covers) are rare, and its many common trigrams make that tier the
        # costly one (measured: docs/benchmarks.md).
        return out
    if q.kind == "initials":
        out.append((Tier.INITIALS_PREFIX, repo.initials_prefix(conn, q.initials, n)))
    if len(q.text) >= MIN_SUBSTRING:
        out.append((Tier.SUBSTRING, repo.substring(conn, "doubled", q.doubled, n)))
    if q.kind == "initials" and len(q.text) >= MIN_CODE_SUBSTRING:
        out.append((Tier.SUBSTRING, repo.substring(conn, "initials", q.initials, n)))
    return out


def _fuzzy(conn: Connection, q: Query, limits: Limits) -> list[str]:
    scored = []
    for key, nk in repo.similar(conn, q.text, q.doubled, limits.fuzzy_candidates):
        if not near(q.text, nk):
            continue
        score = fuzz.ratio(q.text, nk)
        if score >= limits.fuzzy_min_score:
            scored.append((-score, len(nk), nk, key))
    return [key for *_, key in sorted(scored)]


def search(
    conn: Connection, raw: str, *, page: int = 1, size: int = 20, limits: Limits | None = None
) -> Result:
    """Ranked, paged matches of ``raw`` among public subjects (never a person)."""
    limits = limits or Limits()
    if not 1 <= size <= limits.max_page_size:
        raise InputError("page size out of range", f"每页条数应在 1 到 {limits.max_page_size} 之间")
    if page < 1:
        raise InputError("page out of range", "页码应为正整数")
    q = parse_query(raw, max_chars=limits.max_query_chars)
    order: dict[str, Tier] = {}
    exact_hits: list[str] = []
    for tier, keys in _tiers(conn, q, limits):
        if tier is Tier.EXACT_CODE:
            exact_hits = keys
        for key in keys:
            order.setdefault(key, tier)
        if len(order) >= limits.max_results:
            break
    # Near names only when the closer tiers leave the first page short: with many real
    # matches, lookalikes are noise.
    exact_name = any(t is Tier.EXACT_NAME for t in order.values())
    if q.kind == "name" and not exact_name and len(order) < size and len(q.text) >= 3:
        for key in _fuzzy(conn, q, limits):
            order.setdefault(key, Tier.FUZZY)
    ranked = list(order)[: limits.max_results]
    total = len(ranked)
    pages = max(1, -(-total // size))
    if page > pages and total:
        raise InputError("page out of range", f"页码超出范围（共 {pages} 页）")
    chosen = ranked[(page - 1) * size : page * size]
    rows = repo.shown(conn, chosen)
    hits = []
    for key in chosen:
        row = rows.get(key)
        if row is None:  # removed meanwhile
            continue
        tier = order[key]
        hits.append(
            {
                "code": key,
                "name": row["name"],
                "kind": {"code": row["kind"], "label": KIND_LABELS.get(row["kind"], row["kind"])},
                "uscc": row["uscc"],
                "old_reg_no": row["old_reg_no"],
                "match": {"code": tier.name.lower(), "label": TIER_LABELS[tier]},
                "highlight": highlight(row["name"], q)
                if tier in (Tier.EXACT_NAME, Tier.NAME_PREFIX, Tier.SUBSTRING)
                else [(row["name"], False)],
            }
        )
    exact = exact_hits[0] if len(set(exact_hits)) == 1 else None
    return Result(
        query=q,
        total=total,
        capped=len(order) >= limits.max_results,
        page=page,
        size=size,
        hits=hits,
        exact=exact,
    )
