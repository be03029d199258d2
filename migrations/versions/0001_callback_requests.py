"""Callback requests.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("submission_key", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("preferred_time", sa.String(16), nullable=False),
        sa.Column("region", sa.String(40), nullable=True),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("pain", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("submission_key", name="uq_callback_requests_submission_key"),
    )
    op.create_index("ix_callback_requests_created_at", "callback_requests", ["created_at"])
    op.create_index("ix_callback_requests_status", "callback_requests", ["status"])


def downgrade() -> None:
    op.drop_table("callback_requests")
