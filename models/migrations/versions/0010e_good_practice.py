"""good practice: answers and evidence files marked for the partnership's library, with consent

Revision ID: 0010e
Revises: 0010d
Create Date: 2026-12-02 05:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0010e'
down_revision: str | None = '0010d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('good_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('evidence_file_id', sa.Integer(), nullable=True),
    sa.Column('standard_number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('consent_given_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], ),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_file.id'], ),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_good_practice_return_id'), ['return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_good_practice_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_good_practice_standard_number'), ['standard_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('good_practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_good_practice_standard_number'))
        batch_op.drop_index(batch_op.f('ix_good_practice_question_id'))
        batch_op.drop_index(batch_op.f('ix_good_practice_return_id'))
    op.drop_table('good_practice')
