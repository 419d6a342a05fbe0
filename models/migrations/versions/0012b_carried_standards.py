"""carry-forward: standards of a new full audit carried from the agency's last return, to confirm

Revision ID: 0012b
Revises: 0012
Create Date: 2026-12-02 08:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012b'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('carried_standard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('standard_id', sa.Integer(), nullable=False),
    sa.Column('from_return_id', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('old_evidence', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('carried_by_id', sa.Integer(), nullable=False),
    sa.Column('carried_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['standard_id'], ['standard.id'], ),
    sa.ForeignKeyConstraint(['from_return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['carried_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('return_id', 'standard_id')
    )
    with op.batch_alter_table('carried_standard', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carried_standard_return_id'), ['return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('carried_standard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carried_standard_return_id'))
    op.drop_table('carried_standard')
