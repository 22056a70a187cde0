"""Let levels fit a model to data: a level whose f is the loss of a line, a ReLU neuron or
a sigmoid neuron over a data set it carries (the model's kind, its points as CSV, and the
ReLU's fixed c and d); none on existing levels.

Revision ID: c5e9f3a2d4b8
Revises: b4d8e2f1c3a7
Create Date: 2026-12-02 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5e9f3a2d4b8"
down_revision: str | None = "b4d8e2f1c3a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level") as batch:
        batch.add_column(sa.Column("fit", sa.String(16), nullable=True))
        batch.add_column(sa.Column("fit_data", sa.Text(), nullable=True))
        batch.add_column(sa.Column("fit_c", sa.Float(), nullable=True))
        batch.add_column(sa.Column("fit_d", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("level") as batch:
        for column in ("fit_d", "fit_c", "fit_data", "fit"):
            batch.drop_column(column)
