"""Staff accounts, the call log and daily region view counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("email", name="uq_staff_members_email"),
    )
    op.create_table(
        "call_logs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("region", sa.String(40), nullable=True),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("staff_members.id", ondelete="SET NULL", name="fk_call_logs_staff_id_staff_members"),
            nullable=True,
        ),
    )
    op.create_index("ix_call_logs_created_at", "call_logs", ["created_at"])
    op.create_table(
        "region_views",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("region", sa.String(40), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("region_views")
    op.drop_table("call_logs")
    op.drop_table("staff_members")
