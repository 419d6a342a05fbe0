"""action plan samples: the yearly recorded dip sample of live action plans and QA's review of each

Revision ID: 0010c
Revises: 0010b
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010c'
down_revision: str | None = '0010b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('action_plan_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('seed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pool_size', sa.Integer(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], ),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cycle_id')
    )
    with op.batch_alter_table('action_plan_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plan_sample_cycle_id'), ['cycle_id'], unique=False)
    op.create_table('sampled_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('review', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['sample_id'], ['action_plan_sample.id'], ),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sample_id', 'return_id')
    )
    with op.batch_alter_table('sampled_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampled_plan_sample_id'), ['sample_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sampled_plan_return_id'), ['return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sampled_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampled_plan_return_id'))
        batch_op.drop_index(batch_op.f('ix_sampled_plan_sample_id'))
    op.drop_table('sampled_plan')
    with op.batch_alter_table('action_plan_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_plan_sample_cycle_id'))
    op.drop_table('action_plan_sample')
