"""Accounts managed in the browser: an account can be disabled and says when it last signed in; each sign-in keeps a
short description of its device and the client's network, for the member's own list of sessions; one-time
set-password links (only the token's SHA-256 is kept).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_members") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_sign_in_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(sa.Column("device", sa.String(80), nullable=False, server_default=""))
        batch.add_column(sa.Column("address", sa.String(45), nullable=False, server_default=""))
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("staff_members.id", ondelete="CASCADE", name="fk_password_links_staff_id_staff_members"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("digest", name="uq_password_links_digest"),
    )
    op.create_index("ix_password_links_staff_id", "password_links", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_password_links_staff_id", table_name="password_links")
    op.drop_table("password_links")
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("address")
        batch.drop_column("device")
    with op.batch_alter_table("staff_members") as batch:
        batch.drop_column("last_sign_in_at")
        batch.drop_column("disabled_at")
