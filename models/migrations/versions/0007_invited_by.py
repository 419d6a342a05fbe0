"""who invited whom: an agency's own users invite colleagues, and the coordinator sees who did

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-02 05:15:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_user_account_invited_by_id', 'user_account', ['invited_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_account_invited_by_id', type_='foreignkey')
        batch_op.drop_column('invited_by_id')
