"""commitments: credit commitments (信用承诺), their steps and monthly 复核 draws; integrity
education sessions (诚信教育) and attendance

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-03 14:30:00

A commitment keeps the text signed and where its fulfilment stands; each step is a row of
``commitment_steps`` naming the ledger entry (item XYCN) it wrote, so the check's
FALSE_COMMITMENT bar reads breaches from the ledger like any record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0030"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "commitment_samples",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("population", sa.Text(), nullable=False),
        sa.Column("drawn", sa.Text(), nullable=False),
        sa.Column("drawn_by", sa.String(length=200), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_samples")),
        sa.UniqueConstraint("month", name="uq_commitment_samples_month"),
        comment="The monthly random 复核 draw of fulfilled commitments.",
    )
    op.create_table(
        "commitments",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("template", sa.String(length=16), nullable=False),
        sa.Column("template_version", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=4), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("item", sa.String(length=16), nullable=True),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("fulfilment", sa.String(length=16), nullable=False),
        sa.Column("disclosure", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("materials", sa.Text(), nullable=False),
        sa.Column("delivered", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("due_provisional", sa.Boolean(), nullable=False),
        sa.Column("due_latest", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("entry_id", BigId, nullable=True),
        sa.Column("training_certificate", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitments")),
        comment="A subject's credit commitment (信用承诺) and where its fulfilment stands.",
    )
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.create_index("ix_commitments_status_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_commitments_subject", ["subject_key", "id"], unique=False)

    op.create_table(
        "trainings",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainings")),
        comment="An integrity-education session (诚信教育), free of charge.",
    )
    op.create_table(
        "commitment_steps",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("commitment_id", BigId, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("entry_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitments.id"],
            name=op.f("fk_commitment_steps_commitment_id_commitments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_steps")),
        comment="Every step of a commitment, with the ledger entry it wrote.",
    )
    with op.batch_alter_table("commitment_steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_commitment_steps_commitment", ["commitment_id", "id"], unique=False
        )

    op.create_table(
        "training_attendance",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("training_id", BigId, nullable=False),
        sa.Column("subject_key", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("representative_masked", sa.String(length=40), nullable=False),
        sa.Column("certificate", sa.String(length=40), nullable=True),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["trainings.id"],
            name=op.f("fk_training_attendance_training_id_trainings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_attendance")),
        sa.UniqueConstraint("certificate", name="uq_training_certificate"),
        sa.UniqueConstraint("training_id", "subject_key", name="uq_training_attendance"),
        comment="Who attended a session, and the certificate a repair application may cite.",
    )


def downgrade() -> None:
    op.drop_table("training_attendance")
    with op.batch_alter_table("commitment_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_commitment_steps_commitment")

    op.drop_table("commitment_steps")
    op.drop_table("trainings")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_index("ix_commitments_subject")
        batch_op.drop_index("ix_commitments_status_due")

    op.drop_table("commitments")
    op.drop_table("commitment_samples")
