"""The service machinery: business calendars, SLA cases and their events, visit
plans, rotas and tracked reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('business_days',
    sa.Column('calendar', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('calendar', 'day', name=op.f('pk_business_days'))
    )
    with op.batch_alter_table('business_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_days_calendar_seq'), ['calendar', 'seq'], unique=False)

    op.create_table('calendar_days',
    sa.Column('calendar', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), server_default='', nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('calendar', 'day', name=op.f('pk_calendar_days'))
    )
    op.create_table('case_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('action', sa.String(), nullable=False),
    sa.Column('step', sa.String(), nullable=True),
    sa.Column('from_owner', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('to_owner', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('policy', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('interaction_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('owner_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('state', sa.String(), server_default='open', nullable=False),
    sa.Column('level', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('step', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('called_back_at', sa.DateTime(), nullable=True),
    sa.Column('paused_at', sa.DateTime(), nullable=True),
    sa.Column('paused_hours', sa.Float(), server_default=sa.text('0'), nullable=False),
    sa.Column('response_due_at', sa.DateTime(), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(), nullable=True),
    sa.Column('callback_due_at', sa.DateTime(), nullable=True),
    sa.Column('step_due_at', sa.DateTime(), nullable=True),
    sa.Column('warned', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('breached', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('policy', 'interaction_id', name=op.f('uq_cases_policy_interaction_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_owner_id_state'), ['owner_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_state_policy'), ['state', 'policy'], unique=False)

    op.create_table('plan_visits',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('cadence', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('week', sa.String(), nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('territory', sa.String(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('visit_kinds', sa.String(), server_default='visit', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_visits')),
    sa.UniqueConstraint('cadence', 'week', 'customer_id', name=op.f('uq_plan_visits_cadence_week_customer_id'))
    )
    with op.batch_alter_table('plan_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_visits_manager_id_day'), ['manager_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_visits_week_manager_id'), ['week', 'manager_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('author_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('period', sa.String(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewer_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=True),
    sa.Column('late', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('kind', 'author_id', 'period', name=op.f('uq_reports_kind_author_id_period'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_due_on'), ['due_on'], unique=False)

    op.create_table('rota_days',
    sa.Column('rota', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('manager_id', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('rota', 'day', 'manager_id', name=op.f('pk_rota_days'))
    )


def downgrade() -> None:
    op.drop_table('rota_days')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_due_on'))

    op.drop_table('reports')
    with op.batch_alter_table('plan_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_visits_week_manager_id'))
        batch_op.drop_index(batch_op.f('ix_plan_visits_manager_id_day'))

    op.drop_table('plan_visits')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_state_policy'))
        batch_op.drop_index(batch_op.f('ix_cases_owner_id_state'))
        batch_op.drop_index(batch_op.f('ix_cases_customer_id'))

    op.drop_table('cases')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    op.drop_table('calendar_days')
    with op.batch_alter_table('business_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_days_calendar_seq'))

    op.drop_table('business_days')
