"""Give levels a note for teams: a line the instructor writes under the title (what x and y
stand for on a regression level, a hint...), none on existing levels.

Revision ID: b4d8e2f1c3a7
Revises: 7c3e1f2a9b10
Create Date: 2026-12-02 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b4d8e2f1c3a7"
down_revision: str | None = "7c3e1f2a9b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("level") as batch:
        batch.drop_column("note")
