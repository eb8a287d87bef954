"""Draws and their verification against the catalogue (no database yet: the draw record is
plain JSON in and out, so persistence, the API and the pages can be added around it)."""

from __future__ import annotations

from typing import Any

from xinyong.catalog.inspections import InspectionCatalogue, policy_json
from xinyong.catalog.model import in_force
from xinyong.inspections import rules
from xinyong.kernel.errors import InputError


def _inputs(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon: rules.Beacon | None,
) -> rules.DrawInputs:
    seed = rules.seed_bytes(seed_hex)
    pool = rules.parse_pool(pool_data)
    policy = catalogue.policy(policy_ref, on=pool.as_of)
    item = catalogue.item(pool.item)
    if item.code not in policy.items:
        raise InputError(
            f"item {item.code} is not governed by policy {policy.ref}",
            f"抽查事项“{item.name}”（{item.code}）不适用监管策略 {policy.ref}"
            f"（适用事项：{'、'.join(policy.items)}）",
        )
    if not in_force(policy, pool.as_of):
        raise InputError(
            f"policy {policy.ref} is not in force on {pool.as_of}",
            f"监管策略 {policy.ref} 在名录日期 {pool.as_of.isoformat()} 不在有效期内",
        )
    return rules.DrawInputs(seed, pool, policy_json(policy, catalogue.items_of(policy)), beacon)


def draw(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon: rules.Beacon | None = None,
) -> dict[str, Any]:
    """The draw record for a pool (its JSON), the policy ``CODE@VERSION`` (or ``CODE``: the
    version in force on the pool's date) and a seed in hex."""
    return rules.make_record(_inputs(catalogue, pool_data, policy_ref, seed_hex, beacon))


def commitment(
    catalogue: InspectionCatalogue,
    pool_data: object,
    policy_ref: str,
    seed_hex: str,
    beacon_source: str = "",
) -> dict[str, Any]:
    """What is published before the draw: the seed's commitment (never the seed), the pool
    and policy digests, the beacon source to be mixed in, and the draw commitment over them."""
    beacon = rules.Beacon(beacon_source, "") if beacon_source else None
    inputs = _inputs(catalogue, pool_data, policy_ref, seed_hex, beacon)
    seed_commitment = rules.seed_commitment(inputs.seed)
    return {
        "format": rules.FORMAT,
        "algorithm": rules.ALGORITHM,
        "seed_commitment": seed_commitment,
        "beacon_source": beacon_source or None,
        "pool_digest": inputs.pool_digest,
        "policy_version": rules.parse_policy(inputs.policy_json).ref,
        "policy_digest": inputs.policy_digest,
        "draw_commitment": rules.draw_commitment(
            seed_commitment, inputs.pool_digest, inputs.policy_digest, beacon_source
        ),
    }


def verify(
    catalogue: InspectionCatalogue | None,
    record: object,
    published_commitment: str | None = None,
) -> list[str]:
    """``rules.verify``, and, when the catalogue holds the policy version the record names,
    whether the record's policy is that version's."""
    known = None
    if catalogue is not None and isinstance(record, dict):
        ref = record.get("policy_version")
        if isinstance(ref, str) and "@" in ref:
            code, _, version = ref.partition("@")
            for p in catalogue.policies:
                if p.code == code and p.version == version:
                    known = policy_json(p, catalogue.items_of(p))
    return rules.verify(record, known, published_commitment)
