"""evaluation: scoring runs and their results

Revision ID: 0035
Revises: 0028
Create Date: 2026-12-03 18:30:00

Runs carry their progress (done/total) and the ledger head they saw, so the next run re-scores
only the subjects with entries after it; results keep each subject's score, grade and the
explanation (indicator values, contributions, ledger entry ids), the latest row current.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("models", sa.Text(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("from_entry", BigId, nullable=False),
        sa.Column("ledger_head", BigId, nullable=False),
        sa.Column("evaluated_on", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_runs")),
        comment="One scoring run over the ledger snapshot; done/total is its progress.",
    )
    op.create_table(
        "evaluation_results",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("run_id", BigId, nullable=False),
        sa.Column("subject_key", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=24), nullable=False),
        sa.Column("model_code", sa.String(length=32), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_results")),
        comment="A subject's score and grade under one model version; the latest row is current.",
    )
    op.create_index(
        "ix_evaluation_results_subject",
        "evaluation_results",
        ["subject_key", "model_code", "id"],
    )
    op.create_index("ix_evaluation_results_run", "evaluation_results", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_evaluation_results_run", table_name="evaluation_results")
    op.drop_index("ix_evaluation_results_subject", table_name="evaluation_results")
    op.drop_table("evaluation_results")
    op.drop_table("evaluation_runs")
