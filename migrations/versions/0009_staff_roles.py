"""Staff roles: admin, desk or clinician; a clinician's name and credential, and the languages it reviews.

Every account made before roles existed becomes admin, so nobody loses access; accounts made from now on are desk
unless `staff add --role` says otherwise.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_members") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="admin"))
        batch.add_column(sa.Column("display_name", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("review_languages", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("staff_members") as batch:
        batch.alter_column("role", existing_type=sa.String(16), server_default="desk")


def downgrade() -> None:
    with op.batch_alter_table("staff_members") as batch:
        batch.drop_column("review_languages")
        batch.drop_column("display_name")
        batch.drop_column("role")
