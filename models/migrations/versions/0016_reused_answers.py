"""reuse: answers and evidence files an agency took from its return to another open cycle

Revision ID: 0016
Revises: 0012b
Create Date: 2026-12-02 09:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0012b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reused_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('from_return_id', sa.Integer(), nullable=False),
    sa.Column('reused_by_id', sa.Integer(), nullable=False),
    sa.Column('reused_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ),
    sa.ForeignKeyConstraint(['from_return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['reused_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('return_id', 'question_id')
    )
    with op.batch_alter_table('reused_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reused_answer_return_id'), ['return_id'], unique=False)
    op.create_table('reused_evidence',
    sa.Column('evidence_file_id', sa.Integer(), nullable=False),
    sa.Column('from_file_id', sa.Integer(), nullable=False),
    sa.Column('from_return_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_file.id'], ),
    sa.ForeignKeyConstraint(['from_file_id'], ['evidence_file.id'], ),
    sa.ForeignKeyConstraint(['from_return_id'], ['audit_return.id'], ),
    sa.PrimaryKeyConstraint('evidence_file_id')
    )
    with op.batch_alter_table('reused_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reused_evidence_from_return_id'), ['from_return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reused_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reused_evidence_from_return_id'))
    op.drop_table('reused_evidence')
    with op.batch_alter_table('reused_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reused_answer_return_id'))
    op.drop_table('reused_answer')
