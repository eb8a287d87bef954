"""inspections: inspectors, recusals, plans, draws, tasks and results (双随机、一公开)

Revision ID: 0036
Revises: 0034
Create Date: 2026-12-03 18:50:00

- ``inspectors``: the inspector registry (department, region, qualifications, the 执法证
  number masked, active); ``inspection_recusals``: declared relationships and subjects'
  recusal requests with their reasons.
- ``inspection_plans`` (annual / ad hoc, joint when several departments' items),
  ``inspection_draws`` (the commitment published before the draw, the seed and the record
  after; both times kept), ``inspection_tasks`` with ``inspection_task_inspectors`` (one task
  per drawn subject), ``inspection_results`` (one per task and item, with the XZJC ledger
  entry written).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "inspection_draws",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("plan_id", BigId, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=False),
        sa.Column("seed_commitment", sa.String(length=64), nullable=False),
        sa.Column("beacon_source", sa.String(length=200), nullable=True),
        sa.Column("pool", sa.Text(), nullable=False),
        sa.Column("pool_digest", sa.String(length=64), nullable=False),
        sa.Column("policy_digest", sa.String(length=64), nullable=False),
        sa.Column("draw_commitment", sa.String(length=64), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("drawn_by", sa.String(length=200), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record", sa.Text(), nullable=True),
        sa.Column("public_record", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_draws")),
        comment="Draws of a plan: commitment published before, seed and record after.",
    )
    with op.batch_alter_table("inspection_draws") as batch_op:
        batch_op.create_index("ix_inspection_draws_plan", ["plan_id"], unique=False)

    op.create_table(
        "inspection_plans",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("policy_ref", sa.String(length=64), nullable=False),
        sa.Column("pool_filter", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
        comment="Inspection plans (抽查计划), annual or ad hoc, joint when several departments.",
    )
    op.create_table(
        "inspection_recusals",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("inspector_id", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_recusals")),
        comment="Recusal registry: declared relationships and subjects' recusal requests.",
    )
    with op.batch_alter_table("inspection_recusals") as batch_op:
        batch_op.create_index("ix_inspection_recusals_inspector", ["inspector_id"], unique=False)
        batch_op.create_index("ix_inspection_recusals_subject", ["subject_key"], unique=False)

    op.create_table(
        "inspection_results",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("result_code", sa.String(length=8), nullable=False),
        sa.Column("result_text", sa.String(length=2000), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_results")),
        sa.UniqueConstraint("task_id", "item_code", name="uq_inspection_results_task"),
        comment="Inspection results, one per task and item, written to the ledger.",
    )
    op.create_table(
        "inspection_task_inspectors",
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("inspector_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "task_id", "inspector_id", name=op.f("pk_inspection_task_inspectors")
        ),
        comment="Who inspects a task (the inbox and the recent-pairing rule read it).",
    )
    with op.batch_alter_table("inspection_task_inspectors") as batch_op:
        batch_op.create_index(
            "ix_inspection_task_inspectors_inspector", ["inspector_id"], unique=False
        )

    op.create_table(
        "inspection_tasks",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("draw_id", BigId, nullable=False),
        sa.Column("plan_id", BigId, nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("inspectors", sa.Text(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("drawn_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_tasks")),
        sa.UniqueConstraint("draw_id", "subject_key", name="uq_inspection_tasks_draw"),
        comment="One task per drawn subject with its inspectors.",
    )
    with op.batch_alter_table("inspection_tasks") as batch_op:
        batch_op.create_index("ix_inspection_tasks_subject", ["subject_key"], unique=False)

    op.create_table(
        "inspectors",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("department_code", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("qualifications", sa.Text(), nullable=False),
        sa.Column("certificate_masked", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspectors")),
        comment="Inspectors (执法检查人员) of the 双随机 pools, by department and region.",
    )
    with op.batch_alter_table("inspectors") as batch_op:
        batch_op.create_index("ix_inspectors_department", ["department_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inspectors") as batch_op:
        batch_op.drop_index("ix_inspectors_department")

    op.drop_table("inspectors")
    with op.batch_alter_table("inspection_tasks") as batch_op:
        batch_op.drop_index("ix_inspection_tasks_subject")

    op.drop_table("inspection_tasks")
    with op.batch_alter_table("inspection_task_inspectors") as batch_op:
        batch_op.drop_index("ix_inspection_task_inspectors_inspector")

    op.drop_table("inspection_task_inspectors")
    op.drop_table("inspection_results")
    with op.batch_alter_table("inspection_recusals") as batch_op:
        batch_op.drop_index("ix_inspection_recusals_subject")
        batch_op.drop_index("ix_inspection_recusals_inspector")

    op.drop_table("inspection_recusals")
    op.drop_table("inspection_plans")
    with op.batch_alter_table("inspection_draws") as batch_op:
        batch_op.drop_index("ix_inspection_draws_plan")

    op.drop_table("inspection_draws")
