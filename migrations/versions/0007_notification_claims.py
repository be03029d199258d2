"""A desk email is claimed, then marked as being handed to the mail server, then sent: each step committed, so a
worker that stops between them never sends an email twice. `claimed_at` says when a worker took it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.execute("UPDATE notifications SET status = 'waiting' WHERE status IN ('claimed', 'sending')")
    op.execute("UPDATE notifications SET status = 'sent' WHERE status = 'unsure'")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claimed_at")
