"""Mark each guess that lowered its team's best f(x) on the level, with an index of those
alone, so the projector's race reads a few guesses a team however many the level holds.
Existing guesses are marked as the guess service marks new ones: lower than every earlier
guess of the team on the level.

Revision ID: f3b5d7a9c2e4
Revises: e2c4f6a8b1d3
Create Date: 2026-12-03 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3b5d7a9c2e4"
down_revision: str | None = "e2c4f6a8b1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guess") as batch:
        batch.add_column(
            sa.Column("improved", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        "UPDATE guess SET improved = NOT EXISTS (SELECT 1 FROM guess AS earlier"
        " WHERE earlier.level_id = guess.level_id AND earlier.team_id = guess.team_id"
        " AND earlier.seq < guess.seq AND earlier.fx <= guess.fx)"
    )
    op.create_index(
        "ix_guess_level_team_improved",
        "guess",
        ["level_id", "team_id", "seq"],
        sqlite_where=sa.text("improved = 1"),
        postgresql_where=sa.text("improved"),
    )


def downgrade() -> None:
    op.drop_index("ix_guess_level_team_improved", table_name="guess")
    with op.batch_alter_table("guess") as batch:
        batch.drop_column("improved")
