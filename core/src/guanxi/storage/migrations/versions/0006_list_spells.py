"""Dated list membership: a list's earlier spells, beside each member's latest.

``list_members`` keeps one row per list and customer (the importer's key):
a member who left and joined again lost the spell before. ``list_spells``
keeps those spells (added_at, removed_at), so that whether a customer was
on a list on any past day is known. The spells lost before this revision
cannot be recovered: nothing is carried over, and ``list_members`` is
unchanged.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('list_spells',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('list', _KEY, nullable=False),
    sa.Column('customer_id', _KEY, nullable=False),
    sa.Column('added_at', sa.Date(), nullable=True),
    sa.Column('removed_at', sa.Date(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_spells'))
    )
    with op.batch_alter_table('list_spells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_spells_customer_id_list'),
                              ['customer_id', 'list'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('list_spells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_spells_customer_id_list'))
    op.drop_table('list_spells')
