"""Let levels have two parameters: f(x, y) over a rectangle (y_min..y_max; none on
existing levels), the y of a start and of the minimum, and each guess's y and gradient along y.

Revision ID: 1e8882675644
Revises: 53a7d6551a7a
Create Date: 2026-11-23 21:08:59.070437
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1e8882675644"
down_revision: str | None = "53a7d6551a7a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.add_column(sa.Column("y", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("gy", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("true_gy", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("velocity_y", sa.Float(), nullable=True))

    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.add_column(sa.Column("y_min", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("y_max", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("start_y", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("y_star", sa.Float(), nullable=True))

    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("best_y", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress", schema=None) as batch_op:
        batch_op.drop_column("best_y")

    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.drop_column("y_star")
        batch_op.drop_column("start_y")
        batch_op.drop_column("y_max")
        batch_op.drop_column("y_min")

    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.drop_column("velocity_y")
        batch_op.drop_column("true_gy")
        batch_op.drop_column("gy")
        batch_op.drop_column("y")
