"""The test pack's tables: its own importable entity and a log its hooks write.

Revision ID: tp01
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "tp01"
down_revision = None
# Its own branch, applied after the core's first revision: the layout
# hookspecs.guanxi_schemas asks every pack for.
branch_labels = ("testpack",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "testpack_notes",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("noted_on", sa.Date(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_testpack_notes"),
    )
    op.create_table(
        "testpack_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hook", sa.String(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_testpack_log"),
    )


def downgrade() -> None:
    op.drop_table("testpack_log")
    op.drop_table("testpack_notes")
