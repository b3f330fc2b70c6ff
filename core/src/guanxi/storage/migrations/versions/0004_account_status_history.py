"""Account status history: each account's status from a day on.

A row (account_id, started_on, status) says the account had that status
from that day until the account's next row. The importer writes one when an
account arrives (from its ``opened_at``) or its status changes (from the
import day); a source system's own history imports as ``account_statuses``.
Accounts already stored start their history with their current status from
their ``opened_at`` (or today), so a line's status on a day is known from
now on rather than only for accounts imported after this revision.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_KEY = sa.String().with_variant(sa.String(collation='C'), 'postgresql')


def upgrade() -> None:
    op.create_table('account_status_history',
    sa.Column('account_id', _KEY, nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('source', sa.String(), server_default='file', nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'started_on', name=op.f('pk_account_status_history'))
    )
    op.execute(
        "INSERT INTO account_status_history (account_id, started_on, status, source) "
        "SELECT id, COALESCE(opened_at, CURRENT_DATE), status, 'import' FROM accounts "
        "WHERE status IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table('account_status_history')
