"""双随机、一公开 persisted: inspectors, recusals, plans, draws, tasks and results."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from xinyong.store.metadata import metadata
from xinyong.store.types import BigId, UtcDateTime

inspectors = Table(
    "inspectors",
    metadata,
    # The published id (a staff number): it appears in the public draw record, so never an
    # ID number (refused by the rules); the 执法证 number is kept masked only.
    Column("id", String(64), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("region", String(64), nullable=False),
    Column("qualifications", Text, nullable=False),  # JSON list of texts
    Column("certificate_masked", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # The console account (users.id, role inspector) that signs in as this inspector (0038):
    # its inbox shows only this inspector's tasks and it enters their results.
    Column("user_id", Integer, nullable=True),
    comment="Inspectors (执法检查人员) of the 双随机 pools, by department and region.",
)
Index("ix_inspectors_department", inspectors.c.department_code)
Index("ux_inspectors_user", inspectors.c.user_id, unique=True)

inspection_recusals = Table(
    "inspection_recusals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # relationship: declared by the inspector; request: asked by the subject with a reason
    Column("kind", String(16), nullable=False),
    Column("inspector_id", String(64), nullable=False),
    Column("subject_key", String(40), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    comment="Recusal registry: declared relationships and subjects' recusal requests.",
)
Index("ix_inspection_recusals_subject", inspection_recusals.c.subject_key)
Index("ix_inspection_recusals_inspector", inspection_recusals.c.inspector_id)

inspection_plans = Table(
    "inspection_plans",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # annual | adhoc
    Column("year", Integer, nullable=False),
    Column("department_code", String(64), nullable=False),  # the lead department
    Column("items", Text, nullable=False),  # JSON [{item, department}], the lead item first
    Column("policy_ref", String(64), nullable=False),  # CODE@VERSION
    Column("pool_filter", Text, nullable=False),  # JSON {region, industry, type, size}
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("published_at", UtcDateTime()),
    comment="Inspection plans (抽查计划), annual or ad hoc, joint when several departments.",
)

inspection_draws = Table(
    "inspection_draws",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("plan_id", BigId, nullable=False),
    Column("status", String(16), nullable=False),  # prepared | published | drawn
    Column("seed", String(128), nullable=False),  # hex; secret until the draw (revealed)
    Column("seed_commitment", String(64), nullable=False),
    Column("beacon_source", String(200)),
    Column("pool", Text, nullable=False),  # canonical pool JSON frozen at preparation
    Column("pool_digest", String(64), nullable=False),
    Column("policy_digest", String(64), nullable=False),
    Column("draw_commitment", String(64), nullable=False),
    Column("prepared_by", String(200), nullable=False),
    Column("prepared_at", UtcDateTime(), nullable=False),
    Column("committed_at", UtcDateTime()),  # the commitment published
    Column("drawn_by", String(200)),
    Column("drawn_at", UtcDateTime()),  # the draw run, the seed revealed
    Column("record", Text),  # the full draw record (JSON)
    Column("public_record", Text),  # the copy the portal publishes (JSON)
    comment="Draws of a plan: commitment published before, seed and record after.",
)
Index("ix_inspection_draws_plan", inspection_draws.c.plan_id)

inspection_tasks = Table(
    "inspection_tasks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("draw_id", BigId, nullable=False),
    Column("plan_id", BigId, nullable=False),
    Column("department_code", String(64), nullable=False),
    Column("subject_key", String(40), nullable=False),
    Column("subject_name", String(200), nullable=False),
    Column("inspectors", Text, nullable=False),  # JSON list of inspector ids
    Column("items", Text, nullable=False),  # JSON [{item, department}] (joint: several)
    Column("drawn_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | done
    UniqueConstraint("draw_id", "subject_key", name="uq_inspection_tasks_draw"),
    comment="One task per drawn subject with its inspectors.",
)
Index("ix_inspection_tasks_subject", inspection_tasks.c.subject_key)

inspection_task_inspectors = Table(
    "inspection_task_inspectors",
    metadata,
    Column("task_id", BigId, primary_key=True),
    Column("inspector_id", String(64), primary_key=True),
    comment="Who inspects a task (the inbox and the recent-pairing rule read it).",
)
Index("ix_inspection_task_inspectors_inspector", inspection_task_inspectors.c.inspector_id)

inspection_results = Table(
    "inspection_results",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("task_id", BigId, nullable=False),
    Column("item_code", String(32), nullable=False),
    Column("result_code", String(8), nullable=False),  # code table inspection_result
    Column("result_text", String(2000), nullable=False),
    Column("inspected_on", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("due_provisional", Boolean, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("entered_by", String(64), nullable=False),  # the inspector id
    Column("entered_at", UtcDateTime(), nullable=False),
    Column("entry_id", BigId, nullable=False),  # the XZJC ledger entry
    UniqueConstraint("task_id", "item_code", name="uq_inspection_results_task"),
    comment="Inspection results, one per task and item, written to the ledger.",
)
