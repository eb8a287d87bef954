"""Keeping subjects, relations and 重码/错码 flags current as records arrive."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from xinyong.identity import repository as repo
from xinyong.identity.model import Flag, Related, Sighting
from xinyong.identity.pii import PiiVault
from xinyong.identity.ric import check_resident_id, mask_person_name


def record_sightings(
    conn: Connection,
    sightings: Sequence[Sighting],
    *,
    department_code: str,
    batch_id: int,
    now: dt.datetime,
    seal: Callable[[str], bytes],
) -> list[Flag]:
    """Create unknown subjects, update registered ones, link legal representatives and flag
    one code under conflicting names (重码) or one name under several codes (错码)."""
    if not sightings:
        return []
    first: dict[str, Sighting] = {}
    for s in sightings:
        if s.subject_key not in first or s.authoritative:
            first[s.subject_key] = s
    keys = list(first)
    known = repo.existing_subject_keys(conn, keys)
    new_rows = []
    for key, s in first.items():
        if key in known:
            if s.authoritative:
                repo.update_subject(
                    conn,
                    key,
                    {
                        "name": s.name,
                        "name_key": s.name_key,
                        "division_code": s.division_code,
                        "registered_on": s.registered_on,
                        "status": s.status,
                        "industry": s.industry,
                        "size": s.size,
                        "updated_at": now,
                    },
                )
            continue
        new_rows.append(
            {
                "key": key,
                "kind": s.kind,
                # A person's clear name is sealed with the ID number; the row shows it masked.
                "name": mask_person_name(s.name) if s.kind == "person" else s.name,
                "name_key": s.name_key,
                "id_sealed": _seal_person(seal, s.id_number, s.name),
                "id_masked": s.id_masked,
                "division_code": s.division_code,
                "registered_on": s.registered_on,
                "status": s.status,
                "industry": s.industry,
                "size": s.size,
                "first_seen_at": now,
                "updated_at": now,
            }
        )
    # Related persons identified by certificate become person subjects too.
    people: dict[str, Related] = {}
    for s in sightings:
        for r in s.related:
            if r.key and r.key not in first:
                people.setdefault(r.key, r)
    known_people = repo.existing_subject_keys(conn, list(people))
    for key, r in people.items():
        if key in known_people:
            continue
        new_rows.append(
            {
                "key": key,
                "kind": "person",
                "name": mask_person_name(r.name),
                "name_key": "",
                "id_sealed": _seal_person(seal, r.id_number, r.name),
                "id_masked": r.id_masked,
                "division_code": None,
                "registered_on": None,
                "status": None,
                "industry": None,
                "size": None,
                "first_seen_at": now,
                "updated_at": now,
            }
        )
    repo.insert_subjects(conn, new_rows)
    _link_relations(conn, sightings, now)
    return _observe_names(conn, sightings, department_code, batch_id)


def _seal_person(
    seal: Callable[[str], bytes], number: str | None, name: str | None
) -> bytes | None:
    """A person's clear identifiers, encrypted once per subject (never per record)."""
    if number is None:
        return None
    return seal(json.dumps({"id": number, "name": name or ""}, ensure_ascii=False))


def _link_relations(conn: Connection, sightings: Sequence[Sighting], now: dt.datetime) -> None:
    wanted: dict[tuple[str, str, str | None, str], Sighting] = {}
    for s in sightings:
        if s.kind == "person":
            continue
        for r in s.related:
            wanted.setdefault((s.subject_key, r.name, r.key, r.role), s)
    if not wanted:
        return
    have = repo.existing_relations(conn, list({k[0] for k in wanted}))
    rows = [
        {
            "org_key": org,
            "person_key": person_key,
            "person_name": name,
            "role": role,
            "valid_from": s.registered_on,
            "source_entry_id": s.source_entry_id,
            "recorded_at": now,
        }
        for (org, name, person_key, role), s in wanted.items()
        if (org, name, person_key, role) not in have
    ]
    repo.insert_relations(conn, rows)


def _observe_names(
    conn: Connection, sightings: Sequence[Sighting], department_code: str, batch_id: int
) -> list[Flag]:
    orgs = [s for s in sightings if s.kind != "person" and s.name_key]
    if not orgs:
        return []
    known_names: dict[str, dict[str, str]] = {}
    present: set[tuple[str, str, str]] = set()
    for key, nkey, name, dept in repo.observations_of_subjects(
        conn, list({s.subject_key for s in orgs})
    ):
        known_names.setdefault(key, {})[nkey] = name
        present.add((key, nkey, dept))
    known_codes = repo.subjects_of_names(conn, list({s.name_key for s in orgs}))
    flags: list[Flag] = []
    seen: set[tuple[str, str]] = set()
    new_obs: dict[tuple[str, str, str], Sighting] = {}
    for s in orgs:
        pair = (s.subject_key, s.name_key)
        if pair in seen:
            continue
        seen.add(pair)
        names = known_names.setdefault(s.subject_key, {})
        others = {k: v for k, v in names.items() if k != s.name_key}
        if others:
            flags.append(
                Flag(
                    "code_conflict",
                    s.subject_key,
                    s.name,
                    s.row_number,
                    f"统一社会信用代码 {s.subject_key} 已登记为“{'、'.join(sorted(others.values()))}”，"
                    f"本行名称为“{s.name}”，疑似重码或名称错误，请核实",
                ),
            )
        codes = known_codes.setdefault(s.name_key, set())
        other_codes = codes - {s.subject_key}
        if other_codes:
            flags.append(
                Flag(
                    "name_conflict",
                    s.subject_key,
                    s.name,
                    s.row_number,
                    f"名称“{s.name}”已对应统一社会信用代码 {'、'.join(sorted(other_codes))}，"
                    f"本行代码为 {s.subject_key}，疑似错码，请核实",
                )
            )
        names[s.name_key] = s.name
        codes.add(s.subject_key)
        new_obs[(s.subject_key, s.name_key, department_code)] = s
    repo.insert_observations(
        conn,
        [
            {
                "subject_key": key,
                "name_key": nkey,
                "name": s.name,
                "department_code": dept,
                "batch_id": batch_id,
                "row_number": s.row_number,
            }
            for (key, nkey, dept), s in new_obs.items()
            if (key, nkey, dept) not in present
        ],
    )
    return flags


def canonical_keys(conn: Connection, keys: Sequence[str]) -> dict[str, str]:
    """For each of ``keys`` (person keys computed under the current key version) that a
    rotation aliased: the subject key the person was filed under first. Keys not in the
    answer are subject keys themselves (a new person, or one first seen under this key)."""
    person = [k for k in keys if k.startswith("P")]
    return repo.aliases_of(conn, person) if person else {}


def canonical_key(conn: Connection, key: str) -> str:
    """``key``, or the subject key it is an alias of."""
    return canonical_keys(conn, [key]).get(key, key)


def rekey_persons(conn: Connection, vault: PiiVault, now: dt.datetime) -> tuple[int, int]:
    """After a key change: each person's sealed identifier sealed again under the current key,
    and the person's keyed hash under the current key recorded as an alias of their subject
    key (subject keys never change: they are in hashed ledger entries). Returns (seals
    renewed, aliases added). Idempotent; persons identified by a certificate other than the
    resident ID card get no alias (their key includes the certificate type, not sealed)."""
    renewed = added = 0
    after = ""
    while True:
        batch = repo.sealed_persons(conn, after, 1000)
        if not batch:
            return renewed, added
        after = batch[-1][0]
        wanted: dict[str, str] = {}
        for key, blob in batch:
            if vault.seal_version(blob) != vault.version:
                repo.update_subject(conn, key, {"id_sealed": vault.reseal(blob)})
                renewed += 1
            number = json.loads(vault.unseal(blob)).get("id", "")
            if not number or not check_resident_id(number).valid:
                continue
            current = vault.subject_key(number)
            if current != key:
                wanted[current] = key
        have = repo.aliases_of(conn, list(wanted))
        rows = [
            {"alias": a, "subject_key": k, "key_version": vault.version, "created_at": now}
            for a, k in wanted.items()
            if a not in have
        ]
        repo.insert_aliases(conn, rows)
        added += len(rows)
