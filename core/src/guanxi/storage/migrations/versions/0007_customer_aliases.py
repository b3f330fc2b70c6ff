"""Merged customers: the id of a customer merged into another stays as an alias.

``guanxi customers merge KEEP DROP`` moves DROP's records to KEEP and marks
DROP ``merged`` (never deleted); ``customer_aliases`` keeps DROP's id
pointing at KEEP, with the day and the reason (its figures), so that a later
import naming DROP lands on KEEP, and KEEP's history shows the merge.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('customer_aliases',
    sa.Column('alias', _KEY, nullable=False),
    sa.Column('customer_id', _KEY, nullable=False),
    sa.Column('merged_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('alias', name=op.f('pk_customer_aliases'))
    )
    with op.batch_alter_table('customer_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_aliases_customer_id'),
                              ['customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('customer_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_aliases_customer_id'))
    op.drop_table('customer_aliases')
