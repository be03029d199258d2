"""Indexes for a desk that stays quick as its tables grow.

- `callback_requests (created_at, id)` replaces `(created_at)`: the queue's order, newest first, is a walk down it
  (no sort), and a page after the first continues down the same walk.
- `callback_requests (status, created_at, id)` replaces `(status)`: each status filter, the overdue requests (new,
  oldest first) and the count of new requests in the header each read only their own rows.
- `callback_areas (region, side, callback_id)`: the queue's region and side filters find the requests naming that area
  without reading every area.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_callback_requests_created_at_id", "callback_requests", ["created_at", "id"])
    op.drop_index("ix_callback_requests_created_at", table_name="callback_requests")
    op.create_index("ix_callback_requests_status_created_at_id", "callback_requests", ["status", "created_at", "id"])
    op.drop_index("ix_callback_requests_status", table_name="callback_requests")
    op.create_index("ix_callback_areas_region_side", "callback_areas", ["region", "side", "callback_id"])


def downgrade() -> None:
    op.drop_index("ix_callback_areas_region_side", table_name="callback_areas")
    op.create_index("ix_callback_requests_status", "callback_requests", ["status"])
    op.drop_index("ix_callback_requests_status_created_at_id", table_name="callback_requests")
    op.create_index("ix_callback_requests_created_at", "callback_requests", ["created_at"])
    op.drop_index("ix_callback_requests_created_at_id", table_name="callback_requests")
