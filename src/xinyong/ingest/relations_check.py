"""Verification of the relations projection (``xinyong audit verify``).

Who represents or controls an organisation (``relations``) is written by the importer from
the records that name the person (identity.service.record_sightings): one row per
(organisation, name, person, role), first seen in the entry ``source_entry_id``. The rows sit
outside the entry hash, so a tamperer could add a legal representative nobody reported,
remove one, or point one at another person, and the check at every transaction (which extends
measures to legal representatives) would follow. This rebuilds the expected rows from the
ledger and names every difference.

From an entry alone the person's keyed hash cannot be recomputed (the certificate number is
sealed once on the person's subject row, never on the entry); what the entry keeps is the
masked certificate, so a relation is matched on (organisation, role, name, masked
certificate) and its person is checked through the masked certificate of the subject row it
points to.

Streaming: entries and relations are both read ordered by organisation (byte order on both
engines) and merged one organisation at a time; memory is bounded by one organisation's rows.
Messages name row ids, organisation codes and roles, never a person's name or number.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Connection

from xinyong.catalog.catalogue import Catalogue
from xinyong.catalog.model import ItemVersion
from xinyong.identity import repository as identity_repo
from xinyong.identity.model import ROLE_LABELS
from xinyong.identity.ric import mask_person_name
from xinyong.ledger import service as ledger

# The item whose decision date is the registration date a relation is valid from
# (ingest.service._sighting: only authoritative registration records set it).
REGISTRATION_ITEM = "DJZC"

Link = tuple[str, str, str, str | None]  # (role, clear|masked, name, masked certificate)


@dataclass(frozen=True, slots=True)
class RelationMismatch:
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class _Expected:
    entry_id: int
    valid_from: dt.date | None


class _Items:
    """Relation mappings per (item code, version), memoised."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._by_version: dict[tuple[str, str], ItemVersion] = {}
        self._personal: dict[tuple[str, str], frozenset[str]] = {}
        self.codes: list[str] = []
        for item in catalogue.items():
            versions = catalogue.item_versions(item.code)
            if any(v.subject.all_relations() for v in versions):
                self.codes.append(item.code)
            for v in versions:
                self._by_version[(v.code, v.version)] = v
                self._personal[(v.code, v.version)] = frozenset(
                    f.code for f in v.fields if f.personal
                )

    def links(self, row: Mapping[str, Any]) -> list[tuple[Link, dt.date | None]]:
        """What the entry says about related persons, as the importer read it: (role, name,
        masked certificate) with the name masked when the item treats it as personal (the
        entry keeps it masked; the relation row keeps it as given)."""
        version = (row["item_code"], row["item_version"])
        item = self._by_version.get(version)
        if item is None or row["action"] == "revoke":
            return []  # an unknown version is the derived-column check's finding
        values = json.loads(row["payload"])
        personal = self._personal[version]
        valid_from = row["decision_date"] if row["item_code"] == REGISTRATION_ITEM else None
        out: list[tuple[Link, dt.date | None]] = []
        for rel in item.subject.all_relations():
            name = values.get(rel.name) or ""
            if not name:
                continue
            masked_id = (values.get(rel.id) or None) if rel.id else None
            kind = "masked" if rel.name in personal else "clear"
            out.append(((rel.role, kind, name, masked_id), valid_from))
        return out


def relation_differences(conn: Connection, catalogue: Catalogue) -> Iterator[RelationMismatch]:
    """Every relation row the ledger does not account for, every relation the ledger names
    that has no row, and every row whose first source or validity date differs."""
    items = _Items(catalogue)
    if not items.codes:
        return
    sources = groupby(
        ledger.iter_relation_sources(conn, items.codes), key=lambda r: r["subject_key"]
    )
    stored = groupby(identity_repo.iter_relations_by_org(conn), key=lambda r: r["org_key"])
    src = next(sources, None)
    rel = next(stored, None)
    while src is not None or rel is not None:
        org = min(g[0] for g in (src, rel) if g is not None)
        want: dict[Link, _Expected] = {}
        have: list[dict[str, Any]] = []
        if src is not None and src[0] == org:
            want = _expected(items, src[1])
            src = next(sources, None)
        if rel is not None and rel[0] == org:
            have = list(rel[1])
            rel = next(stored, None)
        yield from _compare(org, want, have)


def _expected(items: _Items, rows: Iterator[Mapping[str, Any]]) -> dict[Link, _Expected]:
    """The first entry (lowest id) naming each link, as the importer keeps it."""
    out: dict[Link, _Expected] = {}
    for row in rows:
        for link, valid_from in items.links(row):
            out.setdefault(link, _Expected(int(row["id"]), valid_from))
    return out


def _compare(
    org: str, expected: dict[Link, _Expected], rows: list[dict[str, Any]]
) -> Iterator[RelationMismatch]:
    unmatched = dict(expected)
    for row in rows:
        role_zh = ROLE_LABELS.get(row["role"], row["role"])
        name, masked_id = row["person_name"], row["id_masked"]
        if row["person_key"] is None:
            masked_id = None
        elif masked_id is None:
            yield RelationMismatch(
                f"关系 {row['id']}（{org} 的{role_zh}）指向的人员主体不存在",
                f"relation {row['id']} ({org}, {row['role']}) points to no person subject",
            )
            continue
        link: Link | None = None
        for candidate in (
            (row["role"], "clear", name, masked_id),
            (row["role"], "masked", mask_person_name(name), masked_id),
        ):
            if candidate in unmatched:
                link = candidate
                break
        if link is None:
            yield RelationMismatch(
                f"关系 {row['id']}（{org} 的{role_zh}）无账本依据：账本中没有记载该人员的条目",
                f"relation {row['id']} ({org}, {row['role']}) has no ledger basis",
            )
            continue
        want = unmatched.pop(link)
        fields = [
            f
            for f, a, b in (
                ("source_entry_id", row["source_entry_id"], want.entry_id),
                ("valid_from", row["valid_from"], want.valid_from),
            )
            if a != b
        ]
        if fields:
            yield RelationMismatch(
                f"关系 {row['id']}（{org} 的{role_zh}）与账本重建结果不一致（{', '.join(fields)}）",
                f"relation {row['id']} ({org}, {row['role']}) differs from the ledger "
                f"rebuild ({', '.join(fields)})",
            )
    for link, want in sorted(unmatched.items(), key=lambda kv: kv[1].entry_id):
        role_zh = ROLE_LABELS.get(link[0], link[0])
        yield RelationMismatch(
            f"条目 {want.entry_id} 记载的 {org} 的{role_zh}在关系表中缺失",
            f"entry {want.entry_id} names a {link[0]} of {org} missing from relations",
        )
