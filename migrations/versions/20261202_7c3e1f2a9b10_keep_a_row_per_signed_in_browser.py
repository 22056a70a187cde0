"""Keep a row per signed-in browser (a team's or the instructor's), so that a logout, a
new PIN, a removed team or a new instructor password ends sessions at once; and when each
team first logged in, so that the projector counts the teams that joined.

Revision ID: 7c3e1f2a9b10
Revises: 1e8882675644
Create Date: 2026-12-02 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db  # noqa: F401 - UTCDateTime

revision: str = "7c3e1f2a9b10"
down_revision: str | None = "1e8882675644"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_login_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login")),
    )
    op.create_index(op.f("ix_login_team_id"), "login", ["team_id"], unique=False)
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joined_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("joined_at")
    op.drop_index(op.f("ix_login_team_id"), table_name="login")
    op.drop_table("login")
