"""The notify worker's heartbeats: one row per running worker, so /metrics can tell whether the desk's emails go out.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notify_heartbeats",
        sa.Column("worker", sa.String(120), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("beat_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_notify_heartbeats_beat_at", "notify_heartbeats", ["beat_at"])


def downgrade() -> None:
    op.drop_index("ix_notify_heartbeats_beat_at", table_name="notify_heartbeats")
    op.drop_table("notify_heartbeats")
