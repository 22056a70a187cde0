"""Give each team its own copy of a level's function: a level's bounds on the shift along x
and the stretch of each team's copy (none on existing levels).

Revision ID: 53a7d6551a7a
Revises: ac957cd1adce
Create Date: 2026-11-23 17:47:00.785764
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "53a7d6551a7a"
down_revision: str | None = "ac957cd1adce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_shift", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("variant_scale", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("level", schema=None) as batch_op:
        batch_op.drop_column("variant_scale")
        batch_op.drop_column("variant_shift")
