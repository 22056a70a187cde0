"""Let teams choose a batch size on a level with noisy slopes, as in mini-batch gradient
descent: the level's largest batch, each guess's batch, and the batch of a team's last
guess (its cooldown is that many cooldowns); none on existing rows (a batch of one).

Revision ID: e2c4f6a8b1d3
Revises: d7a1b5c9e3f2
Create Date: 2026-12-02 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2c4f6a8b1d3"
down_revision: str | None = "d7a1b5c9e3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level") as batch:
        batch.add_column(sa.Column("batch_max", sa.Integer(), nullable=True))
    with op.batch_alter_table("guess") as batch:
        batch.add_column(sa.Column("batch", sa.Integer(), nullable=True))
    with op.batch_alter_table("progress") as batch:
        batch.add_column(sa.Column("last_batch", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("progress") as batch:
        batch.drop_column("last_batch")
    with op.batch_alter_table("guess") as batch:
        batch.drop_column("batch")
    with op.batch_alter_table("level") as batch:
        batch.drop_column("batch_max")
