"""Tasks: due on a day or at a time, and tasks of a manager with no customer.

``tasks.all_day`` says a task's due is a day (on time all that day) rather
than a time (an SLA clock); a task already stored at 00:00 was due on that
day. ``tasks.customer_id`` may be NULL for a manager's own task (a report,
an analysis), which ``uq_tasks_open_manager`` keeps unique per rule,
manager and dedupe key while open.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_OPEN = "status = 'open'"
_OPEN_OWN = "status = 'open' AND customer_id IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('all_day', sa.Boolean(), server_default=sa.text('true'),
                                      nullable=False))
        batch_op.alter_column('customer_id', existing_type=sa.String().with_variant(
            sa.String(collation='C'), 'postgresql'), nullable=True)
        batch_op.create_index('uq_tasks_open_manager', ['rule', 'manager_id', 'dedupe_key'],
                              unique=True, sqlite_where=sa.text(_OPEN_OWN),
                              postgresql_where=sa.text(_OPEN_OWN))
    # Until now a day was written as its midnight: those rows are day tasks,
    # any other minute was a clock.
    if op.get_bind().dialect.name == 'sqlite':
        timed = "time(due_at) <> '00:00:00'"
    else:
        timed = "due_at::time <> time '00:00'"
    op.execute(f"UPDATE tasks SET all_day = false WHERE {timed}")


def downgrade() -> None:
    op.execute("DELETE FROM tasks WHERE customer_id IS NULL")
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('uq_tasks_open_manager', sqlite_where=sa.text(_OPEN_OWN),
                            postgresql_where=sa.text(_OPEN_OWN))
        batch_op.alter_column('customer_id', existing_type=sa.String().with_variant(
            sa.String(collation='C'), 'postgresql'), nullable=False)
        batch_op.drop_column('all_day')
