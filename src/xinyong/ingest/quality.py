"""Per-department data quality: 重码/错码 rate against the catalogued target, and lateness."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection

from xinyong.access import repository as access_repo
from xinyong.identity import repository as identity_repo
from xinyong.kernel.errors import ConfigurationError
from xinyong.ledger import repository as ledger_repo

QUALITY_FILE = Path(__file__).parent / "data" / "quality.yaml"
# The formats readers.read_table produces: batches the platform writes itself (revocations,
# case steps) carry their channel as format instead and are not submissions.
IMPORT_FORMATS = ("csv", "xlsx", "json")


@lru_cache(maxsize=1)
def conflict_target_permille() -> float:
    try:
        doc = yaml.safe_load(QUALITY_FILE.read_text(encoding="utf-8"))
        target = next(t for t in doc["targets"] if t["code"] == "duplicate_or_wrong_code_rate")
        if not target.get("legal_basis"):
            raise KeyError("legal_basis")
        return float(target["max_permille"])
    except (OSError, KeyError, StopIteration, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{QUALITY_FILE.name}: bad quality target ({exc})",
            f"{QUALITY_FILE.name}：重错码率目标配置错误（{exc}）",
        ) from exc


def quality_report(conn: Connection) -> dict[str, Any]:
    """Per department: rows submitted and rejected, 重码/错码 against the target, lateness.

    Rows are those of imported files (a revocation or a case step is not a submission).
    Backfilled batches count as submitted but not in the lateness figures."""
    target = conflict_target_permille()
    counts = ledger_repo.import_counts_by_department(conn, IMPORT_FORMATS)
    flagged = identity_repo.flagged_rows_by_department(conn)
    kinds = identity_repo.flag_counts_by_department(conn)
    late = {d: (n, k) for d, n, k in ledger_repo.late_by_department(conn)}
    names = {d["code"]: d["name"] for d in access_repo.list_departments(conn)}
    none = {"rows": 0, "rejected": 0, "backfill_rows": 0, "backfill_batches": 0}
    out = []
    for dept in sorted(set(counts) | set(flagged) | set(late)):
        c = counts.get(dept, none)
        total = c["rows"]
        rate = 1000.0 * flagged.get(dept, 0) / total if total else 0.0
        with_deadline, n_late = late.get(dept, (0, 0))
        out.append(
            {
                "department": dept,
                "department_name": names.get(dept, dept),
                "rows": total,
                "rejected_rows": c["rejected"],
                "rejection_rate_percent": round(100.0 * c["rejected"] / total, 2) if total else 0.0,
                "backfill_rows": c["backfill_rows"],
                "backfill_batches": c["backfill_batches"],
                "flagged_rows": flagged.get(dept, 0),
                "code_conflicts": kinds.get(dept, {}).get("code_conflict", 0),
                "name_conflicts": kinds.get(dept, {}).get("name_conflict", 0),
                "conflict_rate_permille": round(rate, 3),
                "meets_target": rate <= target,
                "with_deadline": with_deadline,
                "late": n_late,
                "late_rate_percent": round(100.0 * n_late / with_deadline, 2)
                if with_deadline
                else 0.0,
            }
        )
    return {"target_permille": target, "departments": out}
