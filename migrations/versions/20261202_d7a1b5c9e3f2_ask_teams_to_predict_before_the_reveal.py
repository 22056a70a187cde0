"""Ask teams to predict before the reveal: a level's switch for a prediction once it is
closed and the points a right vote earns, and a vote per team and level.

Revision ID: d7a1b5c9e3f2
Revises: c5e9f3a2d4b8
Create Date: 2026-12-02 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.db import UTCDateTime

revision: str = "d7a1b5c9e3f2"
down_revision: str | None = "c5e9f3a2d4b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("level") as batch:
        batch.add_column(
            sa.Column("prediction", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("prediction_points", sa.Integer(), nullable=True))
    op.create_table(
        "vote",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(32), nullable=False),
        sa.Column("voted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["level_id"], ["level.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "level_id"),
    )
    op.create_index("ix_vote_level_id", "vote", ["level_id"])


def downgrade() -> None:
    op.drop_index("ix_vote_level_id", table_name="vote")
    op.drop_table("vote")
    with op.batch_alter_table("level") as batch:
        batch.drop_column("prediction_points")
        batch.drop_column("prediction")
