"""Several painful areas per callback request and per logged call, and region views counted per side.

Today's rows are carried over: a request's region, side and score become its one area, a call's region and
side its one area, and the view counts so far are kept as views opened without a side.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "callback_areas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "callback_id",
            sa.Integer(),
            sa.ForeignKey(
                "callback_requests.id", ondelete="CASCADE", name="fk_callback_areas_callback_id_callback_requests"
            ),
            nullable=False,
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
        sa.Column("pain", sa.SmallInteger(), nullable=True),
        sa.Column("feelings", sa.String(120), nullable=False),
        sa.Column("duration", sa.String(16), nullable=True),
    )
    op.create_index("ix_callback_areas_callback_id", "callback_areas", ["callback_id"])
    op.execute(
        "INSERT INTO callback_areas (callback_id, position, region, side, pain, feelings)"
        " SELECT id, 0, region, NULLIF(side, ''), pain, '' FROM callback_requests"
        " WHERE region IS NOT NULL AND region <> ''"
    )
    with op.batch_alter_table("callback_requests") as batch:
        batch.drop_column("pain")
        batch.drop_column("side")
        batch.drop_column("region")

    op.create_table(
        "call_log_areas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "call_id",
            sa.Integer(),
            sa.ForeignKey("call_logs.id", ondelete="CASCADE", name="fk_call_log_areas_call_id_call_logs"),
            nullable=False,
        ),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("region", sa.String(40), nullable=False),
        sa.Column("side", sa.String(8), nullable=True),
    )
    op.create_index("ix_call_log_areas_call_id", "call_log_areas", ["call_id"])
    op.execute(
        "INSERT INTO call_log_areas (call_id, position, region, side)"
        " SELECT id, 0, region, NULLIF(side, '') FROM call_logs WHERE region IS NOT NULL AND region <> ''"
    )
    with op.batch_alter_table("call_logs") as batch:
        batch.drop_column("side")
        batch.drop_column("region")

    # The side joins the key: a new table, today's counts copied in as views opened without a side.
    op.create_table(
        "region_views_by_side",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("region", sa.String(40), primary_key=True),
        sa.Column("side", sa.String(8), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO region_views_by_side (day, region, side, views) SELECT day, region, '', views FROM region_views"
    )
    op.drop_table("region_views")
    op.rename_table("region_views_by_side", "region_views")


def downgrade() -> None:
    op.create_table(
        "region_views_by_region",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("region", sa.String(40), primary_key=True),
        sa.Column("views", sa.Integer(), nullable=False),
    )
    op.execute(
        "INSERT INTO region_views_by_region (day, region, views)"
        " SELECT day, region, SUM(views) FROM region_views GROUP BY day, region"
    )
    op.drop_table("region_views")
    op.rename_table("region_views_by_region", "region_views")

    # Each request and call keeps its first area, as it was before several could be listed.
    with op.batch_alter_table("call_logs") as batch:
        batch.add_column(sa.Column("region", sa.String(40), nullable=True))
        batch.add_column(sa.Column("side", sa.String(8), nullable=True))
    op.execute(
        "UPDATE call_logs SET"
        " region = (SELECT region FROM call_log_areas a WHERE a.call_id = call_logs.id AND a.position = 0),"
        " side = (SELECT side FROM call_log_areas a WHERE a.call_id = call_logs.id AND a.position = 0)"
    )
    op.drop_index("ix_call_log_areas_call_id", table_name="call_log_areas")
    op.drop_table("call_log_areas")

    with op.batch_alter_table("callback_requests") as batch:
        batch.add_column(sa.Column("region", sa.String(40), nullable=True))
        batch.add_column(sa.Column("side", sa.String(8), nullable=True))
        batch.add_column(sa.Column("pain", sa.SmallInteger(), nullable=True))
    first = "SELECT {} FROM callback_areas a WHERE a.callback_id = callback_requests.id AND a.position = 0"
    op.execute(
        f"UPDATE callback_requests SET region = ({first.format('region')}), side = ({first.format('side')}),"
        f" pain = ({first.format('pain')})"
    )
    op.drop_index("ix_callback_areas_callback_id", table_name="callback_areas")
    op.drop_table("callback_areas")
