"""The core schema: customers, managers, teams, contacts, accounts, interactions,
measurements, customer teams, lists, targets, ownership, tasks, segments, KPIs.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('type', sa.String(), nullable=False),
    sa.Column('status', sa.String(), nullable=True),
    sa.Column('opened_at', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.Date(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_customer_id'), ['customer_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('role', sa.String(), nullable=True),
    sa.Column('seniority', sa.String(), nullable=True),
    sa.Column('phone', sa.String(), nullable=True),
    sa.Column('email', sa.String(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('started_at', sa.Date(), nullable=True),
    sa.Column('ended_at', sa.Date(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('customer_team',
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('role', sa.String(), nullable=False),
    sa.Column('share', sa.Numeric(precision=5, scale=4), nullable=True),
    sa.PrimaryKeyConstraint('customer_id', 'manager_id', 'role', name=op.f('pk_customer_team'))
    )
    with op.batch_alter_table('customer_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_team_manager_id'), ['manager_id'], unique=False)

    op.create_table('customers',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), server_default='person', nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('territory', sa.String(), nullable=True),
    sa.Column('status', sa.String(), server_default='active', nullable=False),
    sa.Column('created_at', sa.Date(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_manager_id'), ['manager_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_territory'), ['territory'], unique=False)

    op.create_table('interactions',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('account_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('channel', sa.String(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('outcome', sa.String(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interactions'))
    )
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interactions_customer_id_occurred_at'), ['customer_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_interactions_kind_occurred_at'), ['kind', 'occurred_at'], unique=False)

    op.create_table('kpi_values',
    sa.Column('kpi', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('scope_key', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(), server_default='', nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('kpi', 'period', 'scope', 'scope_key', name=op.f('pk_kpi_values'))
    )
    op.create_table('list_members',
    sa.Column('list', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('added_at', sa.Date(), nullable=True),
    sa.Column('removed_at', sa.Date(), nullable=True),
    sa.Column('note', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('list', 'customer_id', name=op.f('pk_list_members'))
    )
    with op.batch_alter_table('list_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_members_customer_id'), ['customer_id'], unique=False)

    op.create_table('managers',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('team_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('role', sa.String(), nullable=True),
    sa.Column('territory', sa.String(), nullable=True),
    sa.Column('class', sa.String(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('(true)'), nullable=False),
    sa.Column('left_at', sa.Date(), nullable=True),
    sa.Column('reports_to', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_managers'))
    )
    with op.batch_alter_table('managers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_managers_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_managers_territory'), ['territory'], unique=False)

    op.create_table('measurements',
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('metric', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('account_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), server_default='', nullable=False),
    sa.Column('value', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', 'metric', 'period', 'account_id', name=op.f('pk_measurements')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurements_metric_period'), ['metric', 'period'], unique=False)

    op.create_table('ownership',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('started_at', sa.Date(), nullable=False),
    sa.Column('ended_at', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ownership'))
    )
    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownership_customer_id'), ['customer_id'], unique=False)

    op.create_table('segment_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('segmentation', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('old_label', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('new_label', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_history'))
    )
    with op.batch_alter_table('segment_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_history_customer_id_segmentation'), ['customer_id', 'segmentation'], unique=False)

    op.create_table('segment_locks',
    sa.Column('segmentation', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('segmentation', 'period', name=op.f('pk_segment_locks'))
    )
    op.create_table('segment_overrides',
    sa.Column('segmentation', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('label', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('set_by', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('segmentation', 'customer_id', name=op.f('pk_segment_overrides'))
    )
    op.create_table('segments',
    sa.Column('segmentation', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('label', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('manual', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.PrimaryKeyConstraint('segmentation', 'customer_id', name=op.f('pk_segments'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_segments_segmentation_label'), ['segmentation', 'label'], unique=False)

    op.create_table('targets',
    sa.Column('kpi', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('scope', sa.String(), nullable=False),
    sa.Column('scope_key', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), server_default='', nullable=False),
    sa.Column('target', sa.Numeric(precision=20, scale=4), nullable=False),
    sa.PrimaryKeyConstraint('kpi', 'period', 'scope', 'scope_key', name=op.f('pk_targets'))
    )
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('rule', sa.String(), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('kind', sa.String(), server_default='task', nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('priority', sa.Integer(), server_default=sa.text('2'), nullable=False),
    sa.Column('status', sa.String(), server_default='open', nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('dedupe_key', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_manager_id_status_due_at'), ['manager_id', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_rule_status'), ['rule', 'status'], unique=False)
        batch_op.create_index('uq_tasks_open', ['rule', 'customer_id', 'dedupe_key'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('teams',
    sa.Column('id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('territory', sa.String(), nullable=True),
    sa.Column('leader_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'{}'"), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
    )


def downgrade() -> None:
    op.drop_table('teams')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('uq_tasks_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_tasks_rule_status'))
        batch_op.drop_index(batch_op.f('ix_tasks_manager_id_status_due_at'))
        batch_op.drop_index(batch_op.f('ix_tasks_customer_id'))

    op.drop_table('tasks')
    op.drop_table('targets')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_segmentation_label'))
        batch_op.drop_index(batch_op.f('ix_segments_customer_id'))

    op.drop_table('segments')
    op.drop_table('segment_overrides')
    op.drop_table('segment_locks')
    with op.batch_alter_table('segment_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_history_customer_id_segmentation'))

    op.drop_table('segment_history')
    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownership_customer_id'))

    op.drop_table('ownership')
    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurements_metric_period'))

    op.drop_table('measurements')
    with op.batch_alter_table('managers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_managers_territory'))
        batch_op.drop_index(batch_op.f('ix_managers_team_id'))

    op.drop_table('managers')
    with op.batch_alter_table('list_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_members_customer_id'))

    op.drop_table('list_members')
    op.drop_table('kpi_values')
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interactions_kind_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_interactions_customer_id_occurred_at'))

    op.drop_table('interactions')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_territory'))
        batch_op.drop_index(batch_op.f('ix_customers_status'))
        batch_op.drop_index(batch_op.f('ix_customers_manager_id'))

    op.drop_table('customers')
    with op.batch_alter_table('customer_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_team_manager_id'))

    op.drop_table('customer_team')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_customer_id'))

    op.drop_table('accounts')
