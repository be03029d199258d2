"""The audit trail: one append-only row per staff action (who, what, which request or account, old and new values,
the client's network, the request id), never a patient's name, number or note.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table, with two exceptions the app needs:

- the database's own `ON DELETE SET NULL` when an account is removed (only `staff_id` becomes NULL; the email copied
  in `actor` still says who);
- `callbacks purge`, which sets `bodymap.audit_purge_before` for its own transaction (`SET LOCAL`, through
  `set_config(..., true)`): a DELETE is let through only for rows older than that moment. Anything else that deletes
  a row, a mistaken statement or code, is refused.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before text := current_setting('bodymap.audit_purge_before', true);
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.staff_id IS NOT NULL AND NEW.staff_id IS NULL
           AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.target_kind, NEW.target_id, NEW.old_value, NEW.new_value,
                NEW.address, NEW.request_id)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.target_kind, OLD.target_id, OLD.old_value, OLD.new_value,
                OLD.address, OLD.request_id) THEN
            RETURN NEW;  -- ON DELETE SET NULL of a removed account
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: its rows are never changed';
    ELSIF TG_OP = 'DELETE' THEN
        IF purge_before IS NOT NULL AND purge_before <> '' AND OLD.at < purge_before::timestamp THEN
            RETURN OLD;  -- callbacks purge, past AUDIT_RETENTION_DAYS
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: only callbacks purge removes rows past their keeping';
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: it is never truncated';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("staff_members.id", ondelete="SET NULL", name="fk_audit_events_staff_id_staff_members"),
            nullable=True,
        ),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=True),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("old_value", sa.String(400), nullable=True),
        sa.Column("new_value", sa.String(400), nullable=True),
        sa.Column("address", sa.String(45), nullable=True),
        sa.Column("request_id", sa.String(128), nullable=True),
    )
    op.create_index("ix_audit_events_at_id", "audit_events", ["at", "id"])
    op.create_index("ix_audit_events_actor_at_id", "audit_events", ["actor", "at", "id"])
    op.create_index("ix_audit_events_action_at_id", "audit_events", ["action", "at", "id"])
    op.create_index("ix_audit_events_target_at_id", "audit_events", ["target_kind", "target_id", "at", "id"])
    op.create_index("ix_audit_events_staff_id", "audit_events", ["staff_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events"
            " FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_events_never_truncated BEFORE TRUNCATE ON audit_events"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
        )


def downgrade() -> None:
    op.drop_table("audit_events")  # its indexes and triggers go with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
