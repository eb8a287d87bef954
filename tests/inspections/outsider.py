"""The draw re-implemented from docs/architecture.md ("Verifiable draws") alone, the way an
outsider would, sharing no code with ``xinyong.inspections.rules``: if the two agree, the
documentation is byte-exact enough to re-run a published draw."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any


def canon(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


class Rng:
    def __init__(self, key: bytes) -> None:
        self.key, self.i, self.buf = key, 0, b""

    def u64(self) -> int:
        if len(self.buf) < 8:
            self.buf += sha(self.key + self.i.to_bytes(8, "big"))
            self.i += 1
        v, self.buf = self.buf[:8], self.buf[8:]
        return int.from_bytes(v, "big")

    def below(self, n: int) -> int:
        if n == 1:
            return 0
        limit = 2**64 - 2**64 % n
        while (u := self.u64()) >= limit:
            pass
        return u % n

    def pick(self, xs: list[str], k: int) -> list[str]:
        xs = list(xs)
        for i in range(k):
            j = i + self.below(len(xs) - i)
            xs[i], xs[j] = xs[j], xs[i]
        return xs[:k]


def _minus_months(d: dt.date, n: int) -> dt.date:
    total = d.year * 12 + d.month - 1 - n
    y, m = total // 12, total % 12 + 1
    day = d.day
    while True:
        try:
            return dt.date(y, m, day)
        except ValueError:
            day -= 1


def redraw(record: dict[str, Any]) -> dict[str, Any]:
    """(drawn subjects per stratum code, {subject: inspectors}, unassignable subjects)."""
    seed = bytes.fromhex(record["seed"])
    pool, policy = record["pool"], record["policy"]
    beacon = (record["beacon"] or {}).get("value", "")
    pool_d, policy_d = sha(canon(pool)), sha(canon(policy))
    key = hmac.new(
        seed, b"xinyong-draw-v1\x00" + pool_d + policy_d + beacon.encode(), hashlib.sha256
    ).digest()
    rng = Rng(key)
    subjects = {s["key"]: s for s in pool["subjects"]}
    capped = {k for k, s in subjects.items() if s["inspections_this_year"] >= policy["yearly_cap"]}
    drawn: dict[str, list[str]] = {}
    for st in policy["strata"]:
        pool_keys = sorted(k for k, s in subjects.items() if s["grade"] == st["grade"])
        eligible = [k for k in pool_keys if k not in capped]
        r = Fraction(Decimal(st["ratio"]))
        k = -(-len(eligible) * r.numerator // r.denominator)
        drawn[st["code"]] = sorted(rng.pick(eligible, k))
    item = next(i for i in policy["items"] if i["code"] == pool["item"])
    topped: dict[str, list[str]] = {st["code"]: [] for st in policy["strata"]}
    if item.get("floor_ratio") is not None:
        every = [k for k, s in subjects.items() if k not in capped]
        f = Fraction(Decimal(item["floor_ratio"]))
        short = -(-len(every) * f.numerator // f.denominator) - sum(map(len, drawn.values()))
        by_ratio = sorted(
            enumerate(policy["strata"]), key=lambda e: (-Fraction(Decimal(e[1]["ratio"])), e[0])
        )
        for _, st in by_ratio:
            if short <= 0:
                break
            rest = sorted(
                k
                for k, s in subjects.items()
                if s["grade"] == st["grade"] and k not in capped and k not in drawn[st["code"]]
            )
            topped[st["code"]] = sorted(rng.pick(rest, min(short, len(rest))))
            short -= len(topped[st["code"]])
    for code, extra in topped.items():
        drawn[code] = sorted(drawn[code] + extra)
    lead_quals = next(
        set(i["qualifications"]) for i in policy["items"] if i["code"] == pool["item"]
    )
    needs: dict[str, set[str]] = {}
    for j in pool.get("joint", []):
        needs.setdefault(j["department"], set()).update(j["qualifications"])
    lead_quals |= needs.pop(pool["department"], set())
    order = [pool["department"], *sorted(needs)]
    needs[pool["department"]] = lead_quals
    quota = dict.fromkeys(order, 1)
    quota[pool["department"]] = max(1, policy["min_inspectors"] - (len(order) - 1))
    as_of = dt.date.fromisoformat(pool["as_of"])
    months = policy["recusal"]["recent_pairing_months"]
    since = _minus_months(as_of, months)
    assigned: dict[str, list[str]] = {}
    unassignable: list[str] = []
    for key_ in sorted(k for ks in drawn.values() for k in ks):
        s = subjects[key_]
        ok: dict[str, list[str]] = {d: [] for d in order}
        for ins in sorted(pool["inspectors"], key=lambda i: i["id"]):
            recent = months > 0 and any(
                p["inspector"] == ins["id"]
                and p["subject"] == key_
                and since <= dt.date.fromisoformat(p["date"]) <= as_of
                for p in pool["pairings"]
            )
            if (
                ins["department"] in needs
                and needs[ins["department"]] <= set(ins["qualifications"])
                and not (policy["recusal"]["same_region"] and ins["region"] == s["region"])
                and key_ not in ins["relationships"]
                and not recent
                and ins["id"] not in s["recusal_requests"]
            ):
                ok[ins["department"]].append(ins["id"])
        if any(len(ok[d]) < quota[d] for d in order):
            unassignable.append(key_)
        else:
            assigned[key_] = sorted(x for d in order for x in rng.pick(ok[d], quota[d]))
    return {"drawn": drawn, "assigned": assigned, "unassignable": unassignable}
