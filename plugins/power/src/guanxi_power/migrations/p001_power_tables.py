"""power: planned outages, VIP equipment and outage notices.

Revision ID: p001
Revises:
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "p001"
down_revision = None
branch_labels = ("power",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "power_outages",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("feeder", sa.String(), nullable=True),
        sa.Column("segment", sa.String(), nullable=True),
        sa.Column("cause", sa.String(), nullable=True),
    )
    op.create_table(
        "power_equipment",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("repairs", sa.Integer(), nullable=True),
        sa.Column("last_repair_on", sa.Date(), nullable=True),
        sa.Column("patrol_manager_id", sa.String(), nullable=False),
        sa.Column("last_patrol_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_power_equipment_customer_id", "power_equipment", ["customer_id"])
    op.create_table(
        "power_notices",
        sa.Column("outage_id", sa.String(), primary_key=True),
        sa.Column("customer_id", sa.String(), primary_key=True),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("power_notices")
    op.drop_index("ix_power_equipment_customer_id", "power_equipment")
    op.drop_table("power_equipment")
    op.drop_table("power_outages")
