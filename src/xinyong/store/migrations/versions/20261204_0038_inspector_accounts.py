"""inspections: a console account of role inspector linked to a registered inspector

Revision ID: 0038
Revises: 0036
Create Date: 2026-12-04 18:20:00

``inspectors.user_id`` (nullable, unique): the console account (``users.id``, role
inspector) that signs in as the inspector; its task inbox shows only that inspector's tasks
and only it (or the department's officer) enters their results.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspectors") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index("ux_inspectors_user", ["user_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("inspectors") as batch_op:
        batch_op.drop_index("ux_inspectors_user")
        batch_op.drop_column("user_id")
