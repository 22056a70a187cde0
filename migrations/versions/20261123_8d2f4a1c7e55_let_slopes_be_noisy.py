"""Let a level's slopes be noisy, as in mini-batch gradient descent: the noise's size and
its secret seed; each guess keeps the true slope beside the noisy one it answered.

Existing levels have no noise, so they need no seed.

Revision ID: 8d2f4a1c7e55
Revises: 5b1e2c7d9a40
Create Date: 2026-11-23 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2f4a1c7e55"
down_revision: str | None = "5b1e2c7d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slope_noise", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("noise_seed", sa.String(length=32), nullable=True))
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.add_column(sa.Column("true_slope", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.drop_column("true_slope")
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.drop_column("noise_seed")
        batch_op.drop_column("slope_noise")
