"""Calls belong to requests, and consent is recorded.

- `call_logs.callback_id`: the request a call was made about (None for a patient who phoned in); the request's
  deletion leaves the call, unlinked.
- `callback_requests.consent_at`, `consent_language`, `consent_digest`: when the patient ticked the consent box, on a
  form in which language, and the SHA-256 of the words shown. Requests sent before this migration have none.
- `consent_wordings`: every wording patients were shown, by digest, so an old request's record survives a change.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call_logs") as batch:
        batch.add_column(sa.Column("callback_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_call_logs_callback_id_callback_requests",
            "callback_requests",
            ["callback_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_call_logs_callback_id_id", "call_logs", ["callback_id", "id"])
    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("consent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("consent_language", sa.String(8), nullable=True))
        batch.add_column(sa.Column("consent_digest", sa.String(64), nullable=True))
    op.create_table(
        "consent_wordings",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("consent_wordings")
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("consent_digest")
        batch.drop_column("consent_language")
        batch.drop_column("consent_at")
    op.drop_index("ix_call_logs_callback_id_id", table_name="call_logs")
    with op.batch_alter_table("call_logs") as batch:
        batch.drop_constraint("fk_call_logs_callback_id_callback_requests", type_="foreignkey")
        batch.drop_column("callback_id")
