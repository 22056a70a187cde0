"""Let teams move by a learning rate or with momentum: a level's mode, start and bounds,
and what each step chose.

Existing levels are free-guess levels (the default); existing guesses were not steps.

Revision ID: 5b1e2c7d9a40
Revises: 0643cbf8c9c3
Create Date: 2026-11-23 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e2c7d9a40"
down_revision: str | None = "0643cbf8c9c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=16), server_default="free", nullable=False)
        )
        batch_op.add_column(sa.Column("start_x", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("eta_max", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("beta_max", sa.Float(), nullable=True))
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eta", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("beta", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("velocity", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column("clamped", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.drop_column("clamped")
        batch_op.drop_column("velocity")
        batch_op.drop_column("beta")
        batch_op.drop_column("eta")
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.drop_column("beta_max")
        batch_op.drop_column("eta_max")
        batch_op.drop_column("start_x")
        batch_op.drop_column("mode")
