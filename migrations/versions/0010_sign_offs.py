"""Clinicians' sign-offs: who vouched for which region's patient text, in which language, and when.

A row holds a digest of the text, never the text: the content file stays its one source.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_offs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("staff_members.id", ondelete="SET NULL", name="fk_sign_offs_staff_id_staff_members"),
            nullable=True,
        ),
        sa.Column("signed_by", sa.String(120), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sign_offs_region_language", "sign_offs", ["region", "language"])


def downgrade() -> None:
    op.drop_index("ix_sign_offs_region_language", table_name="sign_offs")
    op.drop_table("sign_offs")
