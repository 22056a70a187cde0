"""Index the guesses of each team on a level, so standings that froze stay cheap.

A team's best f(x) before the freeze, when it was first reached, and how many guesses it
made after the freeze become index seeks and short ranges instead of a pass over every
guess of the level (see ``level_entries``).

Revision ID: 0643cbf8c9c3
Revises: 3a5658a21352
Create Date: 2026-11-23 16:29:58.853725
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0643cbf8c9c3"
down_revision: str | None = "3a5658a21352"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.create_index(
            "ix_guess_level_team_created", ["level_id", "team_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_guess_level_team_fx", ["level_id", "team_id", "fx", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("guess", schema=None) as batch_op:
        batch_op.drop_index("ix_guess_level_team_fx")
        batch_op.drop_index("ix_guess_level_team_created")
