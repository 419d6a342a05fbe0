"""commissioner comments: a commissioning agency's people comment on a provider's return

Revision ID: 0013
Revises: 0003
Create Date: 2026-12-02 08:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('commissioner_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('commissioner_agency_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['return_id'], ['audit_return.id'], ),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['commissioner_agency_id'], ['agency.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('commissioner_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commissioner_comment_return_id'), ['return_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commissioner_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commissioner_comment_return_id'))
    op.drop_table('commissioner_comment')
