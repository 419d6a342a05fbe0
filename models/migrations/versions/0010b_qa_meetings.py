"""qa meetings: the QA sub-group's meetings, the returns on each agenda and the decisions

Revision ID: 0010b
Revises: 0010
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010b'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('qa_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('planned_by_id', sa.Integer(), nullable=False),
    sa.Column('planned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('members_present', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], ),
    sa.ForeignKeyConstraint(['planned_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_meeting_cycle_id'), ['cycle_id'], unique=False)
    op.create_table('qa_meeting_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['qa_meeting.id'], ),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meeting_id', 'return_id')
    )
    with op.batch_alter_table('qa_meeting_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_meeting_item_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_meeting_item_return_id'), ['return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('qa_meeting_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_meeting_item_return_id'))
        batch_op.drop_index(batch_op.f('ix_qa_meeting_item_meeting_id'))
    op.drop_table('qa_meeting_item')
    with op.batch_alter_table('qa_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_meeting_cycle_id'))
    op.drop_table('qa_meeting')
